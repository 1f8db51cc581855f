"""FacebookAdapter: feed posts, photo uploads, the 506 duplicate guard, and settling a
5xx or an uncertain post by looking it up among the Page's own posts."""

from datetime import timedelta
from pathlib import Path

import pytest

from scheduler.adapters import facebook as facebook_module
from scheduler.adapters import lookup
from scheduler.adapters.base import (
    AmbiguousPublishError,
    PermanentPublishError,
    PostPayload,
    ReauthorizationRequired,
    TransientPublishError,
)
from scheduler.adapters.lookup import CLOCK_SKEW, RECHECK_DELAY, RECHECK_REF
from tests.fakes.base import RecordedRequest, Reply
from tests.fakes.facebook import FakeFacebook

from .cases import FB_PAGE, NOW, PLANTED, PNG, AdapterCase, make_post

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


# -- a 5xx to the publishing request: look before anything is sent again -------------

OTHER_TEXT = "Besok pemungutan suara: datang ke TPS pukul 07.00 WIB. #PemiluDamai"


def photo_post(tmp_path: Path, **changes: object) -> PostPayload:
    image = tmp_path / "ajakan.png"
    image.write_bytes(PNG)
    return make_post(image_path=image, **changes)


def listing_calls(case: AdapterCase) -> list[RecordedRequest]:
    return fake(case).calls(f"/{FB_PAGE}/posts", method="GET")


def feed_posts(case: AdapterCase) -> list[RecordedRequest]:
    return fake(case).calls("/feed", method="POST")


def raw_feed_post(case: AdapterCase, message: str) -> int:
    """A POST straight to the fake, as a blind resend would send it."""
    response = case.env.session.post(f"{fake(case).url}/v21.0/{FB_PAGE}/feed", timeout=5,
                                     data={"message": message, "access_token": PLANTED})
    return response.status_code


@pytest.mark.parametrize("failure", ["server_error", "unknown_error"])
def test_server_error_after_the_post_went_out_answers_its_receipt_without_resending(
        case: AdapterCase, failure: str) -> None:
    fake(case).fail_next(failure, path="/feed", process=True)

    receipt = case.adapter().publish(case.post)

    [published] = fake(case).published
    assert receipt.platform_id == published["id"]
    assert receipt.url == fake(case).permalink(published)
    assert len(feed_posts(case)) == 1
    assert len(listing_calls(case)) == 1


@pytest.mark.parametrize("failure", ["server_error", "unknown_error"])
def test_server_error_before_the_post_went_out_is_transient_once_a_lookup_shows_it_absent(
        case: AdapterCase, failure: str) -> None:
    fake(case).fail_next(failure, path="/feed")

    with pytest.raises(TransientPublishError) as caught:
        case.adapter().publish(case.post)

    assert caught.value.status is not None
    assert caught.value.status >= 500
    assert caught.value.retry_after is not None
    assert caught.value.retry_after >= RECHECK_DELAY  # time for a late post to show up
    assert fake(case).published == []
    assert len(listing_calls(case)) == 1
    # The retry must look again first: Facebook may still finish that request.
    assert case.checkpoints == [{RECHECK_REF: NOW.isoformat()}]


def test_server_error_on_a_photo_post_that_went_out_finds_it_by_its_caption(
        case: AdapterCase, tmp_path: Path) -> None:
    fake(case).fail_next("server_error", path="/photos", process=True)

    receipt = case.adapter().publish(photo_post(tmp_path))

    [published] = fake(case).published
    assert receipt.platform_id == published["id"]  # the Page post, not the photo
    assert len(fake(case).calls("/photos")) == 1


def test_server_error_on_a_photo_post_that_did_not_go_out_is_transient(
        case: AdapterCase, tmp_path: Path) -> None:
    fake(case).fail_next("unknown_error", path="/photos")
    with pytest.raises(TransientPublishError):
        case.adapter().publish(photo_post(tmp_path))
    assert fake(case).published == []


@pytest.mark.parametrize("lookup_failure", ["server_error", "unknown_error", "rate_limit",
                                            "permission", "expired_token", "hang"])
def test_server_error_with_a_failing_lookup_is_ambiguous(case: AdapterCase,
                                                        lookup_failure: str) -> None:
    fake(case).fail_next("server_error", path="/feed", process=True)
    fake(case).fail_next(lookup_failure, path="/posts")

    with pytest.raises(AmbiguousPublishError) as caught:
        case.adapter(timeout=0.5).publish(case.post)

    assert caught.value.status == 503  # the publishing request's answer
    assert "pengecekan gagal" in str(caught.value)
    assert len(fake(case).published) == 1
    assert len(feed_posts(case)) == 1


def test_the_506_guard_only_refuses_an_identical_consecutive_post(case: AdapterCase) -> None:
    a, b = case.post.text, OTHER_TEXT
    assert [raw_feed_post(case, text) for text in (a, a, b, a)] == [200, 400, 200, 200]
    assert [p["message"] for p in fake(case).published] == [a, b, a]


def test_a_post_whose_answer_was_lost_is_not_sent_again_after_another_post(
        case: AdapterCase) -> None:
    """Post A went out but answered 5xx and could not be checked; then post B went to
    the same Page. Facebook would now take a resend of A: only the lookup stops it."""
    fake(case).fail_next("server_error", path="/feed", process=True)
    fake(case).fail_next("server_error", path="/posts")
    with pytest.raises(AmbiguousPublishError):
        case.adapter().publish(case.post)  # A: uncertain
    case.adapter().publish(make_post(post_id=43, text=OTHER_TEXT))  # B

    found = case.adapter().reconcile(case.post, {})

    a_post, b_post = fake(case).published
    assert found is not None
    assert found.platform_id == a_post["id"]
    assert b_post["message"] == OTHER_TEXT
    # What a blind resend of A would have done: the 506 guard lets it through.
    assert raw_feed_post(case, case.post.text) == 200
    assert [p["message"] for p in fake(case).published].count(case.post.text) == 2


def test_a_retry_after_an_absent_lookup_looks_again_before_sending(case: AdapterCase) -> None:
    """Facebook finished the request after answering 5xx: the retry finds the post."""
    first = case.adapter().publish(case.post)
    retry = make_post(ref={RECHECK_REF: NOW.isoformat()})

    receipt = case.adapter().publish(retry)

    assert receipt.platform_id == first.platform_id
    assert len(feed_posts(case)) == 1


def test_a_retry_after_an_absent_lookup_sends_when_still_absent(case: AdapterCase) -> None:
    fake(case).fail_next("server_error", path="/feed")
    with pytest.raises(TransientPublishError):
        case.adapter().publish(case.post)

    receipt = case.adapter().publish(make_post(ref=case.checkpoints[-1]))

    [published] = fake(case).published
    assert receipt.platform_id == published["id"]
    assert len(feed_posts(case)) == 2  # the one answered 5xx, and this one
    assert len(listing_calls(case)) == 2  # after the 5xx, and before the resend


# -- reconcile ---------------------------------------------------------------------------


def test_reconcile_asks_for_the_page_posts_since_the_scheduled_time(case: AdapterCase) -> None:
    assert case.adapter_class.can_reconcile
    assert case.adapter().reconcile(case.post, {}) is None

    [call] = listing_calls(case)
    assert call.path == f"/v21.0/{FB_PAGE}/posts"
    assert call.query["fields"] == "id,message,created_time,permalink_url"
    assert call.query["since"] == str(int((NOW - CLOCK_SKEW).timestamp()))
    assert call.query["limit"] == "100"
    assert call.query["access_token"] == PLANTED


def test_reconcile_matches_the_exact_text_after_nfc_and_trimming(case: AdapterCase) -> None:
    decomposed = "Sosialisasi Pemilu di Kafe\u0301 Merdeka, Kota Blitar."
    raw_feed_post(case, f"  {decomposed}\n")

    found = case.adapter().reconcile(make_post(text="Sosialisasi Pemilu di Kafé Merdeka, "
                                               "Kota Blitar."), {})
    assert found is not None
    assert found.platform_id == fake(case).published[0]["id"]
    assert found.url == fake(case).permalink(fake(case).published[0])


def test_reconcile_finds_a_photo_post_by_its_caption(case: AdapterCase, tmp_path: Path) -> None:
    post = photo_post(tmp_path)
    receipt = case.adapter().publish(post)
    found = case.adapter().reconcile(post, {})
    assert found is not None
    assert found.platform_id == receipt.platform_id


def test_reconcile_ignores_other_texts(case: AdapterCase) -> None:
    raw_feed_post(case, case.post.text + " Terima kasih.")
    raw_feed_post(case, OTHER_TEXT)
    assert case.adapter().reconcile(case.post, {}) is None


def test_reconcile_ignores_the_same_text_posted_before_the_window(case: AdapterCase) -> None:
    """Last week's post from the same template is not this week's."""
    case.env.clock.set(NOW - timedelta(days=7))
    case.adapter().publish(case.post)
    case.env.clock.set(NOW + timedelta(minutes=30))
    assert case.adapter().reconcile(case.post, {}) is None


def test_reconcile_reads_every_page_back_to_the_scheduled_time(
        case: AdapterCase, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(facebook_module, "LISTING_PAGE_SIZE", "1")
    receipt = case.adapter().publish(case.post)
    for minutes in (1, 2):
        case.env.clock.advance(timedelta(minutes=1))
        raw_feed_post(case, f"{OTHER_TEXT} ({minutes})")

    found = case.adapter().reconcile(case.post, {})

    assert found is not None
    assert found.platform_id == receipt.platform_id
    calls = listing_calls(case)
    assert len(calls) == 3
    assert "after" not in calls[0].query
    assert all("after" in call.query for call in calls[1:])
    # Graph's next URL carries the token; ours is sent once, in place of it.
    assert all(call.target.count("access_token=") == 1 for call in calls)


def test_reconcile_with_more_pages_than_it_reads_is_ambiguous(
        case: AdapterCase, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(facebook_module, "LISTING_PAGE_SIZE", "1")
    monkeypatch.setattr(lookup, "MAX_PAGES", 2)
    for number in range(3):
        raw_feed_post(case, f"{OTHER_TEXT} ({number})")

    with pytest.raises(AmbiguousPublishError, match="belum menjangkau"):
        case.adapter().reconcile(case.post, {})
    assert len(listing_calls(case)) == 2


@pytest.mark.parametrize("failure", ["server_error", "unknown_error", "rate_limit", "hang",
                                     "disconnect"])
def test_reconcile_when_facebook_cannot_answer_now_is_transient(case: AdapterCase,
                                                                failure: str) -> None:
    fake(case).fail_next(failure, path="/posts")
    with pytest.raises(TransientPublishError) as caught:
        case.adapter(timeout=0.5).reconcile(case.post, {})
    if failure == "rate_limit":
        assert caught.value.retry_after == 300.0  # Meta's wait (5 minutes), passed on


@pytest.mark.parametrize("failure", ["permission", "expired_token", "invalid"])
def test_reconcile_refused_by_facebook_is_ambiguous(case: AdapterCase, failure: str) -> None:
    fake(case).fail_next(failure, path="/posts")
    with pytest.raises(AmbiguousPublishError):
        case.adapter().reconcile(case.post, {})


def test_reconcile_with_an_unreadable_listing_is_ambiguous(
        case: AdapterCase, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fake(case), "_posts", lambda request, page: Reply(200, {"paging": {}}))
    with pytest.raises(AmbiguousPublishError, match="tidak dapat dibaca"):
        case.adapter().reconcile(case.post, {})


def test_lookup_errors_never_reveal_the_token(case: AdapterCase) -> None:
    fake(case).fail_next("echo", path="/posts")
    with pytest.raises(AmbiguousPublishError) as caught:
        case.adapter().reconcile(case.post, {})
    assert PLANTED in fake(case).requests[-1].echo()  # the token was in the query string
    assert PLANTED not in str(caught.value)
    assert PLANTED not in (caught.value.platform_message or "")
