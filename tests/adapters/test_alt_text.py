"""An image's alt text reaches each platform that takes one, in the field that platform
documents: Facebook's `alt_text_custom` on /photos, Instagram's and Threads' `alt_text`
on the image container, X's media metadata after the upload. Telegram has none."""

from pathlib import Path
from typing import Any

import pytest
import requests

from scheduler.adapters.base import PermanentPublishError, PostPayload, TransientPublishError
from tests.fakes.meta import FakeContainerPlatform
from tests.fakes.x import FakeX

from .cases import IMAGE_URL, PLANTED, PNG, AdapterCase, make_post

ALT = "Kartu informasi berlatar hijau tua bertuliskan “Cek DPT Online” dan alamat situs."


def image_post(tmp_path: Path, **changes: Any) -> PostPayload:
    image = tmp_path / "cek-dpt.png"
    image.write_bytes(PNG)
    return make_post(image_path=image, image_url=IMAGE_URL, **changes)


def alt_texts(case: AdapterCase) -> list[str | None]:
    """The alt text of each published post's image, as the fake platform recorded it."""
    assert case.fake is not None
    published = case.fake.published
    if case.adapter_class.name == "facebook":
        return [post["alt_text_custom"] for post in published]
    if case.adapter_class.name == "x":
        return [alt for post in published for alt in post["alt_texts"]]
    return [post["alt_text"] for post in published]


@pytest.mark.parametrize("case", ["facebook", "instagram", "threads", "x"], indirect=True)
def test_the_alt_text_arrives_with_the_image(case: AdapterCase, tmp_path: Path) -> None:
    case.adapter().publish(image_post(tmp_path, image_alt=ALT))
    case.adapter().publish(image_post(tmp_path, post_id=43, text="Tanpa deskripsi"))
    assert alt_texts(case) == [ALT, None]


@pytest.mark.parametrize("case", ["facebook"], indirect=True)
def test_facebook_sends_it_as_alt_text_custom_with_the_photo(case: AdapterCase,
                                                             tmp_path: Path) -> None:
    case.adapter().publish(image_post(tmp_path, image_alt=ALT))
    assert case.fake is not None
    [call] = case.fake.calls("/photos")
    assert call.form["alt_text_custom"] == ALT
    assert call.form["caption"] == case.post.text


@pytest.mark.parametrize("case", ["threads"], indirect=True)
def test_threads_sends_no_alt_text_with_a_text_post(case: AdapterCase) -> None:
    case.adapter().publish(make_post(image_alt=ALT))
    assert isinstance(case.fake, FakeContainerPlatform)
    [call] = case.fake.container_requests()
    assert call.form["media_type"] == "TEXT"
    assert "alt_text" not in call.form


@pytest.mark.parametrize("case", ["threads"], indirect=True)
def test_the_threads_fake_refuses_alt_text_on_a_text_post(case: AdapterCase,
                                                          session: requests.Session) -> None:
    assert case.fake is not None
    answer = session.post(f"{case.fake.url}/v1.0/27841400000000002/threads", data={
        "media_type": "TEXT", "text": "Halo", "alt_text": ALT, "access_token": PLANTED})
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == 100


def fake_x(case: AdapterCase) -> FakeX:
    assert isinstance(case.fake, FakeX)
    return case.fake


@pytest.mark.parametrize("case", ["x"], indirect=True)
def test_x_describes_the_uploaded_media_before_posting(case: AdapterCase,
                                                       tmp_path: Path) -> None:
    case.adapter().publish(image_post(tmp_path, image_alt=ALT))
    [media_id] = fake_x(case).media
    paths = [call.path for call in fake_x(case).requests]
    assert paths == ["/2/media/upload", "/2/media/metadata", "/2/tweets"]
    [call] = fake_x(case).calls("/2/media/metadata")
    assert call.json == {"id": media_id, "metadata": {"alt_text": {"text": ALT}}}
    assert call.headers["authorization"] == f"Bearer {PLANTED}"


@pytest.mark.parametrize("case", ["x"], indirect=True)
def test_x_without_alt_text_makes_no_metadata_call(case: AdapterCase, tmp_path: Path) -> None:
    case.adapter().publish(image_post(tmp_path))
    assert not fake_x(case).calls("/2/media/metadata")


@pytest.mark.parametrize("case", ["x"], indirect=True)
def test_x_refuses_alt_text_over_1000_characters_and_posts_nothing(case: AdapterCase,
                                                                   tmp_path: Path) -> None:
    with pytest.raises(PermanentPublishError, match="X menolak"):
        case.adapter().publish(image_post(tmp_path, image_alt="a" * 1001))
    assert not fake_x(case).published


@pytest.mark.parametrize("case", ["x"], indirect=True)
@pytest.mark.parametrize("body", [
    {"id": "123", "metadata": {"alt_text": {"text": ALT}}},  # never uploaded
    {"media_id": "{media}", "alt_text": {"text": ALT}},  # v1.1's shape, not v2's
    {"id": "{media}", "metadata": {"alt_text": ALT}},
    {"id": "{media}", "metadata": {"alt_text": {"text": ""}}},
])
def test_the_x_fake_refuses_malformed_metadata(case: AdapterCase, session: requests.Session,
                                               tmp_path: Path, body: dict[str, Any]) -> None:
    case.adapter().publish(image_post(tmp_path))
    [media_id] = fake_x(case).media
    filled = with_media(body, media_id)
    answer = session.post(f"{fake_x(case).url}/2/media/metadata", json=filled,
                          headers={"Authorization": f"Bearer {PLANTED}"})
    assert answer.status_code == 400
    assert not fake_x(case).alt_texts


def with_media(body: Any, media_id: str) -> Any:
    if isinstance(body, dict):
        return {k: with_media(v, media_id) for k, v in body.items()}
    return media_id if body == "{media}" else body


@pytest.mark.parametrize("case", ["x"], indirect=True)
def test_x_lost_answer_to_the_metadata_is_transient_and_posts_nothing(
        case: AdapterCase, tmp_path: Path) -> None:
    fake_x(case).fail_next("hang", path="/2/media/metadata")
    with pytest.raises(TransientPublishError, match="belum ada yang terbit"):
        case.adapter(timeout=0.5).publish(image_post(tmp_path, image_alt=ALT))
    assert not fake_x(case).published


@pytest.mark.parametrize("case", ["telegram"], indirect=True)
def test_telegram_has_no_alt_text_field_and_still_sends_the_photo(case: AdapterCase,
                                                                  tmp_path: Path) -> None:
    case.adapter().publish(image_post(tmp_path, image_alt=ALT))
    assert case.fake is not None
    [call] = case.fake.calls("/sendPhoto")
    assert ALT not in repr((call.query, call.form, call.json))
