"""FacebookAdapter: feed posts, photo uploads, and the 506 duplicate guard."""

from pathlib import Path

import pytest

from scheduler.adapters.base import (
    AmbiguousPublishError,
    PermanentPublishError,
    ReauthorizationRequired,
    TransientPublishError,
)
from tests.fakes.facebook import FakeFacebook

from .cases import FB_PAGE, PLANTED, PNG, AdapterCase, make_post

pytestmark = pytest.mark.parametrize("case", ["facebook"], indirect=True)


def fake(case: AdapterCase) -> FakeFacebook:
    assert isinstance(case.fake, FakeFacebook)
    return case.fake


def test_text_post_goes_to_the_page_feed_with_the_token_in_the_body(case: AdapterCase) -> None:
    receipt = case.adapter().publish(case.post)

    [call] = fake(case).calls("/feed")
    assert call.path == f"/v21.0/{FB_PAGE}/feed"
    assert call.form["message"] == case.post.text
    assert call.form["fields"] == "id,permalink_url"
    assert call.form["access_token"] == PLANTED
    assert "access_token" not in call.query  # tokens in URLs end up in logs
    assert receipt.platform_id == fake(case).published[0]["id"]
    assert receipt.url == f"https://www.facebook.com/{FB_PAGE}/posts/{receipt.platform_id}"


def test_image_post_uploads_the_photo_with_a_caption(case: AdapterCase, tmp_path: Path) -> None:
    image = tmp_path / "ajakan.png"
    image.write_bytes(PNG)

    receipt = case.adapter().publish(make_post(image_path=image))

    [call] = fake(case).calls("/photos")
    assert call.files["source"] == PNG
    assert call.form["caption"] == case.post.text
    assert not fake(case).calls("/feed")
    # The Page post id, not the photo id: that is the post people see.
    assert receipt.platform_id == fake(case).published[0]["id"]
    assert receipt.url == f"https://www.facebook.com/{receipt.platform_id}"


def test_missing_image_file_is_permanent_and_sends_nothing(case: AdapterCase,
                                                           tmp_path: Path) -> None:
    with pytest.raises(PermanentPublishError, match="Berkas gambar"):
        case.adapter().publish(make_post(image_path=tmp_path / "hilang.png"))
    assert not fake(case).requests


def test_duplicate_reply_is_ambiguous_because_it_may_be_our_own_post(case: AdapterCase) -> None:
    adapter = case.adapter()
    adapter.publish(case.post)

    with pytest.raises(AmbiguousPublishError) as caught:
        adapter.publish(case.post)  # e.g. a retry after a lost answer
    assert caught.value.code == "506"
    assert len(fake(case).published) == 1


def test_missing_permission_requires_reauthorization(case: AdapterCase) -> None:
    fake(case).fail_next("permission")
    with pytest.raises(ReauthorizationRequired, match="hubungkan ulang akun"):
        case.adapter().publish(case.post)


def test_invalid_parameter_is_permanent_with_the_platform_message(case: AdapterCase) -> None:
    fake(case).fail_next("invalid")
    with pytest.raises(PermanentPublishError) as caught:
        case.adapter().publish(case.post)
    assert caught.value.platform_message == "(#100) Invalid parameter"
    assert str(caught.value).startswith("Facebook menolak unggahan:")


def test_page_out_of_reach_requires_reauthorization(case: AdapterCase) -> None:
    """Graph 100/33: the Page does not exist or the token lost access to it."""
    adapter = case.adapter(credentials={"page_id": "999", "access_token": PLANTED})
    with pytest.raises(ReauthorizationRequired):
        adapter.publish(case.post)


@pytest.mark.parametrize("failure", ["server_error", "unknown_error"])
def test_server_error_on_a_feed_post_is_transient_thanks_to_the_506_guard(
        case: AdapterCase, failure: str) -> None:
    fake(case).fail_next(failure, path="/feed", process=True)
    adapter = case.adapter()
    with pytest.raises(TransientPublishError):
        adapter.publish(case.post)
    with pytest.raises(AmbiguousPublishError):
        adapter.publish(case.post)  # the resend meets the duplicate guard
    assert len(fake(case).published) == 1


@pytest.mark.parametrize("failure", ["server_error", "unknown_error"])
def test_server_error_on_a_photo_post_is_ambiguous(case: AdapterCase, tmp_path: Path,
                                                   failure: str) -> None:
    """No duplicate guard is documented for /photos: a resend could post it twice."""
    image = tmp_path / "ajakan.png"
    image.write_bytes(PNG)
    fake(case).fail_next(failure, path="/photos")
    with pytest.raises(AmbiguousPublishError):
        case.adapter().publish(make_post(image_path=image))


def test_rate_limit_on_a_photo_post_stays_transient(case: AdapterCase, tmp_path: Path) -> None:
    image = tmp_path / "ajakan.png"
    image.write_bytes(PNG)
    fake(case).fail_next("rate_limit", path="/photos")
    with pytest.raises(TransientPublishError):
        case.adapter().publish(make_post(image_path=image))


def test_pages_keep_their_own_duplicate_guard(case: AdapterCase) -> None:
    fake(case).page_ids.add("5647382910")
    case.adapter().publish(case.post)
    case.adapter(credentials={"page_id": "5647382910", "access_token": PLANTED}).publish(
        case.post)
    assert [p["page_id"] for p in fake(case).published] == [FB_PAGE, "5647382910"]
