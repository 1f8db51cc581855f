"""XAdapter: JSON posts with a bearer token, image upload first, X's own rate signals."""

from pathlib import Path

import pytest
import requests

from scheduler.adapters.base import (
    AmbiguousPublishError,
    PermanentPublishError,
    TransientPublishError,
)
from scheduler.adapters.x import USAGE_CAP_RETRY_AFTER, XAdapter
from tests.fakes.x import FakeX

from .cases import PLANTED, PNG, AdapterCase, make_post

pytestmark = pytest.mark.parametrize("case", ["x"], indirect=True)


def fake(case: AdapterCase) -> FakeX:
    assert isinstance(case.fake, FakeX)
    return case.fake


def test_text_post_is_json_with_a_bearer_token(case: AdapterCase) -> None:
    receipt = case.adapter().publish(case.post)

    [call] = fake(case).calls("/2/tweets")
    assert call.json == {"text": case.post.text}
    assert call.headers["authorization"] == f"Bearer {PLANTED}"
    [tweet] = fake(case).published
    assert receipt.platform_id == tweet["id"]
    assert receipt.url == f"https://x.com/kpu_blitar/status/{tweet['id']}"


def test_image_is_uploaded_first_and_attached_by_media_id(case: AdapterCase,
                                                          tmp_path: Path) -> None:
    image = tmp_path / "ajakan.png"
    image.write_bytes(PNG)

    case.adapter().publish(make_post(image_path=image))

    [upload] = fake(case).calls("/2/media/upload")
    assert upload.files["media"] == PNG
    assert upload.form["media_category"] == "tweet_image"
    [media_id] = fake(case).media
    assert fake(case).published[0]["media_ids"] == [media_id]


def test_lost_upload_answer_is_transient_and_posts_nothing(case: AdapterCase,
                                                           tmp_path: Path) -> None:
    image = tmp_path / "ajakan.png"
    image.write_bytes(PNG)
    fake(case).fail_next("hang", path="/2/media/upload")

    with pytest.raises(TransientPublishError):
        case.adapter(timeout=0.5).publish(make_post(image_path=image))
    assert not fake(case).calls("/2/tweets")


def test_duplicate_content_is_ambiguous(case: AdapterCase) -> None:
    adapter = case.adapter()
    adapter.publish(case.post)
    with pytest.raises(AmbiguousPublishError):
        adapter.publish(case.post)  # a retry of a post whose answer we lost
    assert len(fake(case).published) == 1


def test_other_forbidden_reply_is_permanent_with_the_detail(case: AdapterCase) -> None:
    fake(case).fail_next("forbidden")
    with pytest.raises(PermanentPublishError) as caught:
        case.adapter().publish(case.post)
    assert caught.value.platform_message == "You are not permitted to perform this action."


def test_invalid_request_is_permanent(case: AdapterCase) -> None:
    fake(case).fail_next("invalid")
    with pytest.raises(PermanentPublishError) as caught:
        case.adapter().publish(case.post)
    assert caught.value.code == "invalid-request"


def test_monthly_usage_cap_waits_a_day(case: AdapterCase) -> None:
    fake(case).fail_next("usage_capped")
    with pytest.raises(TransientPublishError) as caught:
        case.adapter().publish(case.post)
    assert caught.value.retry_after == USAGE_CAP_RETRY_AFTER
    assert caught.value.code == "usage-capped"


def rate_limited(headers: dict[str, str]) -> requests.Response:
    response = requests.Response()
    response.status_code = 429
    response._content = b'{"title": "Too Many Requests", "detail": "Too Many Requests"}'
    response.headers.update(headers)
    return response


def test_rate_limit_waits_for_the_latest_exhausted_window(case: AdapterCase) -> None:
    now = int(case.env.clock.now().timestamp())
    adapter = case.adapter()
    assert isinstance(adapter, XAdapter)
    response = rate_limited({
        "x-rate-limit-remaining": "42", "x-rate-limit-reset": str(now + 60),
        "x-user-limit-24hour-remaining": "0", "x-user-limit-24hour-reset": str(now + 3600),
        "x-app-limit-24hour-remaining": "900", "x-app-limit-24hour-reset": str(now + 7200)})

    with pytest.raises(TransientPublishError) as caught:
        raise adapter._failure(response)
    assert caught.value.retry_after == 3600.0


def test_rate_limit_without_signals_leaves_the_wait_to_the_caller(case: AdapterCase) -> None:
    adapter = case.adapter()
    assert isinstance(adapter, XAdapter)
    error = adapter._failure(rate_limited({}))
    assert isinstance(error, TransientPublishError)
    assert error.retry_after is None


def test_server_error_on_a_post_is_transient_thanks_to_the_duplicate_guard(
        case: AdapterCase) -> None:
    fake(case).fail_next("server_error", path="/2/tweets", process=True)
    adapter = case.adapter()
    with pytest.raises(TransientPublishError):
        adapter.publish(case.post)
    with pytest.raises(AmbiguousPublishError):
        adapter.publish(case.post)  # the resend meets the duplicate guard
    assert len(fake(case).published) == 1


def test_server_error_on_the_upload_is_transient(case: AdapterCase, tmp_path: Path) -> None:
    image = tmp_path / "ajakan.png"
    image.write_bytes(PNG)
    fake(case).fail_next("server_error", path="/2/media/upload")
    with pytest.raises(TransientPublishError):
        case.adapter().publish(make_post(image_path=image))
    assert not fake(case).calls("/2/tweets")


def test_users_keep_their_own_duplicate_guard(case: AdapterCase) -> None:
    fake(case).tokens.add("another-user-token")
    case.adapter().publish(case.post)
    case.adapter(credentials={"access_token": "another-user-token"}).publish(case.post)
    first, second = fake(case).published
    assert first["user_id"] != second["user_id"]
