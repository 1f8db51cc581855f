"""TikTok photo posts against FakeTikTok over real HTTP.

Its contract case is tiktok_case in cases.py: test_contract.py runs the shared contract
against it like every registered adapter's; these are TikTok's own behaviours.
"""

from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta

import pytest

from scheduler.adapters.base import (
    AmbiguousPublishError,
    PermanentPublishError,
    PostPayload,
    PublishError,
    ReauthorizationRequired,
    Receipt,
    TransientPublishError,
)
from scheduler.adapters.tiktok import INIT_REF, TikTokAdapter, make_title, utf16_len
from tests.fakes.tiktok import Creator, FakeTikTok

from . import test_contract as contract
from .cases import (
    IMAGE_URL,
    NOW,
    TIKTOK_DOMAIN,
    TIKTOK_TOKEN,
    TIKTOK_TOKEN_EXPIRED,
    AdapterCase,
    Env,
    make_post,
    tiktok_case,
)

TOKEN, TOKEN_EXPIRED, DOMAIN = TIKTOK_TOKEN, TIKTOK_TOKEN_EXPIRED, TIKTOK_DOMAIN


@pytest.fixture
def case(env: Env) -> Iterator[AdapterCase]:
    with tiktok_case(env) as built:
        yield built


def fake(case: AdapterCase) -> FakeTikTok:
    assert isinstance(case.fake, FakeTikTok)
    return case.fake


def resumed(case: AdapterCase, post: PostPayload | None = None) -> PostPayload:
    """The retry of `post`: what its attempts checkpointed, merged as the service does."""
    ref: dict[str, str] = {}
    for saved in case.checkpoints:
        ref.update(saved)
    return replace(post or case.post, ref=ref)


# -- the happy path -------------------------------------------------------------------

def test_publishes_a_public_photo_post_with_title_and_description(case: AdapterCase) -> None:
    post = make_post(image_url=IMAGE_URL, text="Ayo cek DPT Anda!\nDi cekdptonline.kpu.go.id")
    receipt = case.adapter().publish(post)

    [live] = fake(case).published
    assert receipt == Receipt(live["id"], f"https://www.tiktok.com/@kpu_blitar/video/{live['id']}")
    [init] = fake(case).init_requests()
    assert init.headers["authorization"] == f"Bearer {TOKEN}"
    assert init.json == {
        "media_type": "PHOTO", "post_mode": "DIRECT_POST",
        "post_info": {"title": "Ayo cek DPT Anda!", "description": post.text,
                      "privacy_level": "PUBLIC_TO_EVERYONE", "disable_comment": False,
                      "auto_add_music": False, "brand_content_toggle": False,
                      "brand_organic_toggle": False},
        "source_info": {"source": "PULL_FROM_URL", "photo_images": [IMAGE_URL],
                        "photo_cover_index": 0}}
    paths = [r.path.removeprefix("/v2/post/publish/") for r in fake(case).requests]
    assert paths == ["creator_info/query/", "content/init/", "status/fetch/"]


def test_publish_id_is_checkpointed_before_init_answers_are_polled(case: AdapterCase) -> None:
    seen: list[tuple[dict[str, str], int, int]] = []
    adapter = case.adapter()
    adapter.context.checkpoint = lambda ref: seen.append(
        (dict(ref), len(fake(case).init_requests()), len(fake(case).calls("/status/fetch/"))))
    adapter.publish(case.post)

    (marker, inits_before_marker, _), (saved, inits, polls) = seen
    assert marker == {INIT_REF: NOW.isoformat(), "publish_id": ""}
    assert inits_before_marker == 0
    assert saved == {"publish_id": fake(case).published[0]["publish_id"], "username": "kpu_blitar"}
    assert (inits, polls) == (1, 0)


def test_polls_until_the_publish_completes(env: Env) -> None:
    with tiktok_case(env, polls_before_complete=3) as case:
        receipt = case.adapter().publish(case.post)
        assert receipt.platform_id == fake(case).published[0]["id"]
        assert case.sleeps == [3.0, 3.0, 3.0]


def test_complete_before_moderation_gives_the_publish_id_without_url(env: Env) -> None:
    with tiktok_case(env, withhold_post_id=True) as case:
        receipt = case.adapter().publish(case.post)
        assert receipt == Receipt(fake(case).published[0]["publish_id"], None)


# -- before any request ---------------------------------------------------------------

@pytest.mark.parametrize(("changes", "complaint"), [
    ({}, "TikTok wajib memakai gambar dengan URL publik"),
    ({"image_url": "https://kpu-blitarkota.go.id/media/ajakan.png"}, "PNG"),
    ({"image_url": "https://kpu-blitarkota.go.id/media/ajakan.gif"}, "JPEG atau WebP"),
    ({"image_url": "https://kpu-blitarkota.go.id/media/ajakan"}, "JPEG atau WebP"),
    ({"image_url": "ftp://kpu-blitarkota.go.id/ajakan.jpg"}, "http"),
    ({"image_url": IMAGE_URL, "text": "a" * 4001}, "4001 karakter"),
])
def test_refuses_before_any_request(case: AdapterCase, changes: dict[str, str],
                                    complaint: str) -> None:
    with pytest.raises(PermanentPublishError, match=complaint):
        case.adapter().publish(make_post(**changes))
    assert not fake(case).requests


@pytest.mark.parametrize("name", ["ajakan.JPG", "ajakan.jpeg", "ajakan.webp"])
def test_takes_jpeg_and_webp(case: AdapterCase, name: str) -> None:
    case.adapter().publish(make_post(image_url=f"https://{DOMAIN}/media/{name}?v=2"))
    assert len(fake(case).published) == 1


# -- the title --------------------------------------------------------------------------

def test_title_is_the_first_line_when_short() -> None:
    assert make_title("\n  Hari pemungutan suara  \nDatang ke TPS") == "Hari pemungutan suara"
    assert make_title("") == ""


def test_title_is_shortened_on_a_word_boundary() -> None:
    line = "Pemungutan suara Pilkada Serentak 2024 berlangsung hari ini, " * 3
    title = make_title(line + "\nbaris kedua")
    assert title.endswith("…") and utf16_len(title) <= 90
    assert line.startswith(title[:-1]) and line[len(title) - 1] in " ,"


def test_title_counts_emoji_as_two_and_cuts_inside_a_word_too_long() -> None:
    assert utf16_len(make_title("🗳️" * 60)) <= 90
    assert make_title("x" * 200) == "x" * 89 + "…"


def test_long_first_line_reaches_tiktok_as_a_shortened_title(case: AdapterCase) -> None:
    text = "Ayo datang ke TPS " * 10 + "\nbawa KTP elektronik"
    case.adapter().publish(make_post(image_url=IMAGE_URL, text=text))
    [live] = fake(case).published
    assert len(live["title"]) <= 90 and live["description"] == text


# -- privacy ------------------------------------------------------------------------------

@pytest.mark.parametrize("options", [("MUTUAL_FOLLOW_FRIENDS", "SELF_ONLY"), ("SELF_ONLY",)])
def test_an_account_without_public_posts_is_paused(env: Env, options: tuple[str, ...]) -> None:
    with tiktok_case(env, creators={TOKEN: Creator("kpu_blitar", options)}) as case:
        with pytest.raises(ReauthorizationRequired, match="tidak mengizinkan unggahan publik"):
            case.adapter().publish(case.post)
        assert not fake(case).init_requests()


def test_an_unaudited_client_is_paused_before_init(env: Env) -> None:
    with tiktok_case(env, audited=False) as case:
        with pytest.raises(ReauthorizationRequired, match="SELF_ONLY"):
            case.adapter().publish(case.post)
        assert not fake(case).init_requests()


def test_privacy_changed_between_query_and_init_is_refused(case: AdapterCase) -> None:
    adapter = case.adapter()
    adapter.context.checkpoint = lambda ref: fake(case).creators.update(
        {TOKEN: Creator("kpu_blitar", ("SELF_ONLY",))})
    with pytest.raises(PermanentPublishError, match="privasi") as caught:
        adapter.publish(case.post)
    assert caught.value.code == "privacy_level_option_mismatch"


def test_the_creators_comment_setting_is_kept(env: Env) -> None:
    with tiktok_case(env, creators={TOKEN: Creator("kpu_blitar", comment_disabled=True)}) as case:
        case.adapter().publish(case.post)
        assert fake(case).published[0]["disable_comment"] is True


# -- TikTok's errors ---------------------------------------------------------------------

def test_an_unverified_image_domain_is_refused(case: AdapterCase) -> None:
    post = make_post(image_url="https://cdn.contoh.net/ajakan.jpg")
    with pytest.raises(PermanentPublishError, match="domain gambar belum diverifikasi") as caught:
        case.adapter().publish(post)
    assert caught.value.code == "url_ownership_unverified"
    assert not fake(case).published


@pytest.mark.parametrize(("status", "code", "kind"), [
    (401, "scope_not_authorized", ReauthorizationRequired),
    (401, "access_token_invalid", ReauthorizationRequired),
    (403, "reached_active_user_cap", ReauthorizationRequired),
    (400, "invalid_params", PermanentPublishError),
    (400, "invalid_file_upload", PermanentPublishError),
    (403, "spam_risk_too_many_posts", PermanentPublishError),
    (403, "spam_risk_user_banned_from_posting", PermanentPublishError),
    (403, "unaudited_client_can_only_post_to_private_accounts", PermanentPublishError),
    (429, "rate_limit_exceeded", TransientPublishError),
    (500, "internal_error", AmbiguousPublishError),  # on init: it may have acted
])
def test_init_refusals_map_to_typed_errors(case: AdapterCase, status: int, code: str,
                                           kind: type[PublishError]) -> None:
    fake(case).fail_next("refuse", path="/content/init/", status=status, code=code,
                         message=f"refused, token {TOKEN}")
    with pytest.raises(PublishError) as caught:
        case.adapter().publish(case.post)
    error = caught.value
    assert type(error) is kind and error.code == code
    assert TOKEN not in f"{error} {error.platform_message}"
    assert "log_id" in (error.platform_message or "")


@pytest.mark.parametrize("path", ["/creator_info/query/", "/status/fetch/"])
def test_server_errors_outside_init_are_transient(case: AdapterCase, path: str) -> None:
    fake(case).fail_next("server_error", path=path)
    with pytest.raises(TransientPublishError):
        case.adapter().publish(case.post)


def test_a_failed_publish_is_permanent_with_its_reason(case: AdapterCase) -> None:
    fake(case).fail_next_publish("picture_size_check_failed")
    with pytest.raises(PermanentPublishError, match="ukuran gambar") as caught:
        case.adapter().publish(case.post)
    assert caught.value.code == "picture_size_check_failed"


def test_an_internal_failure_is_retried_with_a_new_init(case: AdapterCase) -> None:
    fake(case).fail_next_publish("internal")
    with pytest.raises(TransientPublishError):
        case.adapter().publish(case.post)
    receipt = case.adapter().publish(resumed(case))  # the FAILED publish was never public
    assert len(fake(case).init_requests()) == 2
    assert receipt.platform_id == fake(case).published[0]["id"]


def test_a_lost_answer_to_the_replacing_init_is_left_to_an_operator(case: AdapterCase) -> None:
    fake(case).fail_next_publish("internal")
    with pytest.raises(TransientPublishError):
        case.adapter().publish(case.post)
    fake(case).fail_next("disconnect", path="/content/init/", process=True)
    with pytest.raises(AmbiguousPublishError):
        case.adapter().publish(resumed(case))
    with pytest.raises(AmbiguousPublishError, match="publish_id"):  # not the old FAILED one
        case.adapter().reconcile(case.post, resumed(case).ref)
    assert len(fake(case).published) == 1


def test_inbox_delivery_is_left_to_an_operator(env: Env) -> None:
    with tiktok_case(env, polls_before_complete=5) as case:
        adapter = case.adapter()
        adapter.sleep = lambda _: fake(case).set_status(
            case.checkpoints[-1]["publish_id"], "SEND_TO_USER_INBOX")
        with pytest.raises(AmbiguousPublishError, match="SEND_TO_USER_INBOX"):
            adapter.publish(case.post)


# -- rate limit -------------------------------------------------------------------------

def test_the_seventh_init_in_a_minute_waits(case: AdapterCase) -> None:
    adapter = case.adapter()
    for number in range(6):
        adapter.publish(make_post(post_id=number, image_url=IMAGE_URL))
    with pytest.raises(TransientPublishError) as caught:
        adapter.publish(make_post(post_id=7, image_url=IMAGE_URL))
    assert caught.value.retry_after == 60.0 and caught.value.code == "rate_limit_exceeded"
    assert len(fake(case).published) == 6

    case.env.clock.advance(timedelta(seconds=60))  # the window slid past the first init
    adapter.publish(make_post(post_id=7, image_url=IMAGE_URL))
    assert len(fake(case).published) == 7


# -- checkpoint, resume, reconcile ---------------------------------------------------------

def test_polling_stops_within_its_budget_and_the_retry_resumes(env: Env) -> None:
    with tiktok_case(env, polls_before_complete=100) as case:
        adapter = case.adapter()
        adapter.sleep = lambda seconds: env.clock.advance(timedelta(seconds=25))
        with pytest.raises(TransientPublishError, match="masih memproses") as caught:
            adapter.publish(case.post)
        assert caught.value.retry_after == 60.0
        assert len(fake(case).calls("/status/fetch/")) == 4  # 0, 25, 50, 75 s: past 60 s

        publish_id = case.checkpoints[-1]["publish_id"]
        fake(case).publishes[publish_id].polls_left = 1
        receipt = case.adapter().publish(resumed(case))
        assert len(fake(case).init_requests()) == 1
        assert receipt.platform_id == fake(case).published[0]["id"]


def test_a_lost_poll_answer_resumes_without_a_second_init(case: AdapterCase) -> None:
    fake(case).fail_next("hang", path="/status/fetch/")
    with pytest.raises(TransientPublishError):
        case.adapter(timeout=contract.HANG_TIMEOUT).publish(case.post)

    receipt = case.adapter().publish(resumed(case))
    assert len(fake(case).init_requests()) == 1
    assert [receipt.platform_id] == [p["id"] for p in fake(case).published]


def test_a_crash_after_init_is_reconciled_then_resumed(env: Env) -> None:
    with tiktok_case(env, polls_before_complete=2) as case:
        adapter = case.adapter()

        def crash(seconds: float) -> None:
            raise KeyboardInterrupt  # the worker dies mid-poll

        adapter.sleep = crash
        with pytest.raises(KeyboardInterrupt):
            adapter.publish(case.post)
        ref = resumed(case).ref
        assert case.adapter().reconcile(case.post, ref) is None  # still processing
        receipt = case.adapter().publish(resumed(case))
        assert len(fake(case).init_requests()) == 1
        assert case.adapter().reconcile(case.post, ref) == receipt


def test_a_lost_init_answer_is_left_to_an_operator(case: AdapterCase) -> None:
    fake(case).fail_next("disconnect", path="/content/init/", process=True)
    with pytest.raises(AmbiguousPublishError):
        case.adapter().publish(case.post)
    assert resumed(case).ref.keys() == {INIT_REF, "publish_id"}
    with pytest.raises(AmbiguousPublishError, match="publish_id"):
        case.adapter().reconcile(case.post, resumed(case).ref)


def test_reconcile_without_anything_sent_says_not_published(case: AdapterCase) -> None:
    assert case.adapter().reconcile(case.post, {}) is None
    assert not fake(case).requests


@pytest.mark.parametrize(("change", "outcome"), [
    ({"status": "FAILED", "fail_reason": "picture_size_check_failed"}, None),
    ({"status": "PROCESSING_DOWNLOAD"}, None),
    ({"status": "SEND_TO_USER_INBOX"}, AmbiguousPublishError),
])
def test_reconcile_reads_the_saved_publish(case: AdapterCase, change: dict[str, str],
                                           outcome: type[PublishError] | None) -> None:
    case.adapter().publish(case.post)
    fake(case).set_status(case.checkpoints[-1]["publish_id"], **change)
    if outcome is None:
        assert case.adapter().reconcile(case.post, resumed(case).ref) is None
    else:
        with pytest.raises(outcome):
            case.adapter().reconcile(case.post, resumed(case).ref)


@pytest.mark.parametrize(("failure", "kind"), [
    ("server_error", TransientPublishError), ("rate_limit", TransientPublishError),
    ("expired_token", ReauthorizationRequired), ("refuse", AmbiguousPublishError),
])
def test_reconcile_when_tiktok_cannot_answer(case: AdapterCase, failure: str,
                                             kind: type[PublishError]) -> None:
    case.adapter().publish(case.post)
    fake(case).fail_next(failure)
    with pytest.raises(kind):
        case.adapter().reconcile(case.post, resumed(case).ref)


def test_reconcile_of_an_unknown_publish_id_is_left_to_an_operator(case: AdapterCase) -> None:
    with pytest.raises(AmbiguousPublishError) as caught:
        case.adapter().reconcile(case.post, {"publish_id": "p_pub_url~v2.1"})
    assert caught.value.code == "invalid_publish_id"


# -- the fake's own rules, seen over HTTP ---------------------------------------------------

def test_the_fake_fails_a_png_when_it_pulls_it(case: AdapterCase) -> None:
    session, url = case.env.session, fake(case).url + "/v2/post/publish/"
    auth = {"Authorization": f"Bearer {TOKEN}"}
    body = {"media_type": "PHOTO", "post_mode": "DIRECT_POST",
            "post_info": {"privacy_level": "PUBLIC_TO_EVERYONE"},
            "source_info": {"source": "PULL_FROM_URL", "photo_images": [f"https://{DOMAIN}/a.png"],
                            "photo_cover_index": 0}}
    init = session.post(url + "content/init/", json=body, headers=auth).json()
    assert init["error"]["code"] == "ok"
    status = session.post(url + "status/fetch/", json=init["data"], headers=auth).json()
    assert status["data"]["status"] == "FAILED"
    assert status["data"]["fail_reason"] == "file_format_check_failed"
    assert not fake(case).published


def test_tiktok_declares_its_limits_and_credentials() -> None:
    limits = TikTokAdapter.limits
    assert (limits.max_length, limits.image_required, limits.daily_quota) == (4000, True, None)
    assert TikTokAdapter.title_length == 90
    assert TikTokAdapter.credential_fields == ("access_token",)
