"""TelegramAdapter: HTML escaping, message links, photos, and Telegram's own replies."""

from pathlib import Path

import pytest

from scheduler.adapters.base import (
    AmbiguousPublishError,
    PermanentPublishError,
    PostPayload,
    ReauthorizationRequired,
    TransientPublishError,
)
from tests.fakes.telegram import FakeTelegram, entity_error

from .cases import BOT_TOKEN, PRIVATE_CHANNEL, AdapterCase, make_post

pytestmark = pytest.mark.parametrize("case", ["telegram"], indirect=True)
JPEG = b"\xff\xd8\xff\xe0" + bytes(range(256))


def fake(case: AdapterCase) -> FakeTelegram:
    assert isinstance(case.fake, FakeTelegram)
    return case.fake


def test_text_is_html_escaped_so_telegram_shows_it_verbatim(case: AdapterCase) -> None:
    text = "Rekap <b>& hasil: 5 > 3"
    case.adapter().publish(make_post(text=text))

    [call] = fake(case).calls("/sendMessage")
    assert call.json["parse_mode"] == "HTML"
    assert call.json["text"] == "Rekap &lt;b&gt;&amp; hasil: 5 &gt; 3"
    assert fake(case).published[0]["text"] == text


def test_public_channel_receipt_links_to_the_message(case: AdapterCase) -> None:
    receipt = case.adapter().publish(case.post)
    message_id = fake(case).published[0]["message_id"]
    assert receipt == type(receipt)(str(message_id), f"https://t.me/kpu_blitar/{message_id}")


def test_private_channel_receipt_uses_the_c_link(case: AdapterCase) -> None:
    chat_id = str(PRIVATE_CHANNEL["id"])
    receipt = case.adapter(credentials={"bot_token": BOT_TOKEN, "chat_id": chat_id}).publish(
        case.post)
    assert receipt.url == f"https://t.me/c/9876543210/{receipt.platform_id}"


def test_image_post_sends_a_photo_with_an_escaped_caption(case: AdapterCase,
                                                          tmp_path: Path) -> None:
    image = tmp_path / "ajakan.jpg"
    image.write_bytes(JPEG)

    case.adapter().publish(make_post(text="Datang ke TPS & pilih", image_path=image))

    [call] = fake(case).calls("/sendPhoto")
    assert call.files["photo"] == JPEG
    assert call.form["caption"] == "Datang ke TPS &amp; pilih"
    assert fake(case).published[0]["caption"] == "Datang ke TPS & pilih"


def test_upgraded_group_names_the_new_chat_id(case: AdapterCase) -> None:
    fake(case).fail_next("migrate", migrate_to_chat_id=-1001122334455)
    with pytest.raises(PermanentPublishError, match="-1001122334455"):
        case.adapter().publish(case.post)


def test_kicked_bot_is_permanent_and_says_why(case: AdapterCase) -> None:
    fake(case).fail_next("kicked")
    with pytest.raises(PermanentPublishError, match="bot tidak punya akses") as caught:
        case.adapter().publish(case.post)
    assert caught.value.platform_message == "Forbidden: bot was kicked from the channel chat"


def test_unknown_chat_is_permanent(case: AdapterCase) -> None:
    adapter = case.adapter(credentials={"bot_token": BOT_TOKEN, "chat_id": "@bukan_kanal"})
    with pytest.raises(PermanentPublishError, match="chat not found"):
        adapter.publish(case.post)


def test_revoked_token_never_shows_in_the_error(case: AdapterCase) -> None:
    adapter = case.adapter(credentials={"bot_token": "987:REVOKED-tok_en", "chat_id": "@x"})
    with pytest.raises(ReauthorizationRequired) as caught:
        adapter.publish(case.post)
    assert "REVOKED-tok_en" not in str(caught.value)
    assert "@BotFather" in str(caught.value)


def test_the_fake_refuses_unescaped_html_like_telegram(case: AdapterCase) -> None:
    """Guards the escaping test above: unescaped text would have been refused."""
    assert entity_error("Rekap <b>& hasil") is not None
    assert entity_error("Rekap &lt;b&gt;&amp; <b>hasil</b>") is None


def photo_post(tmp_path: Path) -> PostPayload:
    image = tmp_path / "ajakan.jpg"
    image.write_bytes(JPEG)
    return make_post(image_path=image)


@pytest.mark.parametrize(("failure", "status"), [
    ("server_error", 500), ("server_error", 502), ("proxy_error", 502), ("proxy_error", 504)])
@pytest.mark.parametrize("with_photo", [False, True])
def test_server_error_is_ambiguous_because_the_message_may_be_out(
        case: AdapterCase, tmp_path: Path, failure: str, status: int, with_photo: bool) -> None:
    """Telegram has no duplicate guard: resending after a 5xx could post twice."""
    post = photo_post(tmp_path) if with_photo else case.post
    fake(case).fail_next(failure, status=status)
    with pytest.raises(AmbiguousPublishError, match="mungkin sudah terkirim") as caught:
        case.adapter().publish(post)
    assert caught.value.status == status


def test_rate_limit_is_still_transient(case: AdapterCase) -> None:
    """429 means Telegram refused the message: nothing went out."""
    fake(case).fail_next("rate_limit", retry_after=3)
    with pytest.raises(TransientPublishError) as caught:
        case.adapter().publish(case.post)
    assert caught.value.retry_after == 3.0
