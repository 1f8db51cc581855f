"""XAdapter: JSON posts with a bearer token, image upload first, X's own rate signals,
and settling a 5xx or an uncertain post by looking it up in the account's timeline."""

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import requests

from scheduler.adapters import lookup
from scheduler.adapters import x as x_module
from scheduler.adapters.base import (
    AmbiguousPublishError,
    PermanentPublishError,
    TransientPublishError,
)
from scheduler.adapters.lookup import RECHECK_DELAY, RECHECK_REF
from scheduler.adapters.x import USAGE_CAP_RETRY_AFTER, XAdapter
from tests.fakes.base import RecordedRequest, Reply
from tests.fakes.x import FakeX

from .cases import NOW, PLANTED, PNG, AdapterCase, make_post

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


# -- the timeline as the fake shows it (as X does) ----------------------------------------

URL_TEXT = "Cek DPT di https://cekdptonline.kpu.go.id/cek?nik=1&tps=2 sebelum 14 Februari!"
AMP_TEXT = "Rekap suara: TPS 1 & TPS 2 <selesai> -> aman. #PemiluDamai"
EMOJI_TEXT = "Hasil: <b>50%</b> & naik 😀 lihat kpu.go.id/hasil, www.kpu.go.id."
OTHER_TEXT = "Besok pemungutan suara: datang ke TPS pukul 07.00 WIB. #PemiluDamai"


def raw_tweet(case: AdapterCase, text: str) -> int:
    """A POST straight to the fake, as a blind resend (or a person) would send it."""
    response = case.env.session.post(f"{fake(case).url}/2/tweets", json={"text": text},
                                     headers={"Authorization": f"Bearer {PLANTED}"}, timeout=5)
    return response.status_code


def timeline(case: AdapterCase, **params: str) -> requests.Response:
    auth = {"Authorization": f"Bearer {PLANTED}"}
    me = case.env.session.get(f"{fake(case).url}/2/users/me", headers=auth, timeout=5)
    user = me.json()["data"]["id"]
    return case.env.session.get(f"{fake(case).url}/2/users/{user}/tweets", params=params,
                                headers=auth, timeout=5)


def timeline_calls(case: AdapterCase) -> list[RecordedRequest]:
    return [r for r in fake(case).calls("/tweets", method="GET") if r.path.startswith("/2/users/")]


def tweet_posts(case: AdapterCase) -> list[RecordedRequest]:
    return fake(case).calls("/2/tweets", method="POST")


def test_timeline_shows_links_as_t_co_and_escapes_html(case: AdapterCase) -> None:
    raw_tweet(case, URL_TEXT)
    case.env.clock.advance(timedelta(seconds=5))
    raw_tweet(case, AMP_TEXT)

    body = timeline(case, **{"tweet.fields": "created_at,text,entities"}).json()

    amp, url = body["data"]  # newest first
    assert amp["text"] == "Rekap suara: TPS 1 &amp; TPS 2 &lt;selesai&gt; -&gt; aman. #PemiluDamai"
    assert amp["created_at"] == "2024-02-10T02:00:05.000Z"
    assert "entities" not in amp
    assert re.fullmatch(r"Cek DPT di https://t\.co/\w{10} sebelum 14 Februari!", url["text"])
    [link] = url["entities"]["urls"]
    assert link["expanded_url"] == "https://cekdptonline.kpu.go.id/cek?nik=1&tps=2"
    assert url["text"][link["start"]:link["end"]] == link["url"]
    assert body["meta"] == {"result_count": 2, "newest_id": amp["id"], "oldest_id": url["id"]}


def test_timeline_links_a_bare_domain_and_marks_the_image_link(case: AdapterCase,
                                                               tmp_path: Path) -> None:
    case.adapter().publish(make_post(image_path=write_png(tmp_path)))

    [tweet] = timeline(case, **{"tweet.fields": "entities"}).json()["data"]

    domain, image = tweet["entities"]["urls"]
    assert domain["expanded_url"] == "http://cekdptonline.kpu.go.id"
    assert domain["display_url"] == "cekdptonline.kpu.go.id"
    assert image["display_url"].startswith("pic.x.com/")
    assert image["media_key"].startswith("3_")
    assert tweet["text"].endswith(" " + image["url"])


def test_timeline_pages_and_refuses_a_page_size_outside_5_to_100(case: AdapterCase) -> None:
    for number in range(7):
        raw_tweet(case, f"{OTHER_TEXT} ({number})")
    first = timeline(case, max_results="5").json()
    second = timeline(case, max_results="5", pagination_token=first["meta"]["next_token"])

    assert first["meta"]["result_count"] == 5
    assert second.json()["meta"]["result_count"] == 2
    assert "next_token" not in second.json()["meta"]
    assert timeline(case, max_results="4").status_code == 400
    assert timeline(case, max_results="101").status_code == 400
    assert timeline(case, start_time=(NOW + timedelta(hours=1)).strftime(
        "%Y-%m-%dT%H:%M:%SZ")).json() == {"meta": {"result_count": 0}}


# -- a 5xx to the publishing request: look before anything is sent again -------------


def write_png(tmp_path: Path) -> Path:
    image = tmp_path / "ajakan.png"
    image.write_bytes(PNG)
    return image


@pytest.mark.parametrize("text", [make_post().text, URL_TEXT, AMP_TEXT, EMOJI_TEXT])
def test_server_error_after_the_post_went_out_is_found_and_not_resent(
        case: AdapterCase, text: str) -> None:
    """Links come back as t.co and & as &amp;: compared raw, these would all look absent."""
    fake(case).fail_next("server_error", path="/2/tweets", process=True)

    receipt = case.adapter().publish(make_post(text=text))

    [tweet] = fake(case).published
    assert receipt.platform_id == tweet["id"]
    assert receipt.url == f"https://x.com/kpu_blitar/status/{tweet['id']}"
    assert len(tweet_posts(case)) == 1


def test_server_error_on_an_image_post_that_went_out_is_found(case: AdapterCase,
                                                              tmp_path: Path) -> None:
    fake(case).fail_next("server_error", path="/2/tweets", process=True)
    receipt = case.adapter().publish(make_post(image_path=write_png(tmp_path)))
    assert receipt.platform_id == fake(case).published[0]["id"]


def test_server_error_before_the_post_went_out_is_transient_once_a_lookup_shows_it_absent(
        case: AdapterCase) -> None:
    fake(case).fail_next("server_error", path="/2/tweets")

    with pytest.raises(TransientPublishError) as caught:
        case.adapter().publish(case.post)

    assert caught.value.status == 503
    assert caught.value.retry_after is not None
    assert caught.value.retry_after >= RECHECK_DELAY
    assert fake(case).published == []
    assert len(timeline_calls(case)) == 1
    assert case.checkpoints == [{RECHECK_REF: NOW.isoformat()}]


@pytest.mark.parametrize(("lookup_failure", "path"), [
    ("server_error", "/users/me"), ("forbidden", "/users/me"), ("server_error", "/tweets"),
    ("rate_limit", "/tweets"), ("forbidden", "/tweets"), ("expired_token", "/tweets"),
    ("hang", "/tweets")])
def test_server_error_with_a_failing_lookup_is_ambiguous(case: AdapterCase, lookup_failure: str,
                                                        path: str) -> None:
    fake(case).fail_next("server_error", path="/2/tweets", process=True)
    fake(case).fail_next(lookup_failure, path=path)  # after the POST's: it does not take it

    with pytest.raises(AmbiguousPublishError) as caught:
        case.adapter(timeout=0.5).publish(case.post)

    assert caught.value.status == 503
    assert len(fake(case).published) == 1
    assert len(tweet_posts(case)) == 1


def test_a_retry_after_an_absent_lookup_looks_again_before_sending(case: AdapterCase,
                                                                   tmp_path: Path) -> None:
    first = case.adapter().publish(case.post)
    retry = make_post(image_path=write_png(tmp_path), ref={RECHECK_REF: NOW.isoformat()})

    receipt = case.adapter().publish(retry)

    assert receipt.platform_id == first.platform_id
    assert len(tweet_posts(case)) == 1
    assert not fake(case).calls("/2/media/upload")  # found before uploading anything


# -- reconcile ---------------------------------------------------------------------------


def test_reconcile_asks_for_the_timeline_since_the_scheduled_time(case: AdapterCase) -> None:
    assert case.adapter_class.can_reconcile
    assert case.adapter().reconcile(case.post, {}) is None

    [me] = fake(case).calls("/2/users/me")
    [call] = timeline_calls(case)
    assert call.query == {"max_results": "100", "start_time": "2024-02-10T01:55:00Z",
                          "tweet.fields": "created_at,text,entities"}
    assert call.headers["authorization"] == f"Bearer {PLANTED}"
    assert me.headers["authorization"] == f"Bearer {PLANTED}"


def test_the_account_id_is_asked_once_per_adapter(case: AdapterCase) -> None:
    adapter = case.adapter()
    adapter.reconcile(case.post, {})
    adapter.reconcile(case.post, {})
    assert len(fake(case).calls("/2/users/me")) == 1
    assert len(timeline_calls(case)) == 2


def test_reconcile_finds_the_post_published_with_a_link(case: AdapterCase) -> None:
    post = make_post(text=URL_TEXT)
    receipt = case.adapter().publish(post)
    raw_tweet(case, OTHER_TEXT)
    found = case.adapter().reconcile(post, {})
    assert found == receipt


def test_reconcile_ignores_other_texts_and_the_same_text_before_the_window(
        case: AdapterCase) -> None:
    case.env.clock.set(NOW - timedelta(days=7))
    raw_tweet(case, URL_TEXT)  # last week's, same text
    case.env.clock.set(NOW)
    raw_tweet(case, URL_TEXT.replace("sebelum", "paling lambat"))
    raw_tweet(case, URL_TEXT.replace("tps=2", "tps=3"))  # another link, same words
    assert case.adapter().reconcile(make_post(text=URL_TEXT), {}) is None


def test_reconcile_reads_a_second_page(case: AdapterCase,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(x_module, "TIMELINE_PAGE_SIZE", "5")
    receipt = case.adapter().publish(case.post)
    for number in range(5):
        case.env.clock.advance(timedelta(minutes=1))
        raw_tweet(case, f"{OTHER_TEXT} ({number})")

    assert case.adapter().reconcile(case.post, {}) == receipt

    first, second = timeline_calls(case)
    assert "pagination_token" not in first.query
    assert second.query["pagination_token"]
    assert second.query["start_time"] == first.query["start_time"]


def test_reconcile_with_more_pages_than_it_reads_is_ambiguous(
        case: AdapterCase, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(x_module, "TIMELINE_PAGE_SIZE", "5")
    monkeypatch.setattr(lookup, "MAX_PAGES", 1)
    for number in range(6):
        raw_tweet(case, f"{OTHER_TEXT} ({number})")

    with pytest.raises(AmbiguousPublishError, match="belum menjangkau"):
        case.adapter().reconcile(case.post, {})


def without_entities(case: AdapterCase, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the fake leave `entities` out, so its t.co links cannot be read back."""
    shown = fake(case)._shown

    def bare(tweet: dict[str, Any], fields: frozenset[str]) -> dict[str, Any]:
        return {k: v for k, v in shown(tweet, fields).items() if k != "entities"}

    monkeypatch.setattr(fake(case), "_shown", bare)


def test_a_link_that_cannot_be_read_back_is_inconclusive_never_absent(
        case: AdapterCase, monkeypatch: pytest.MonkeyPatch) -> None:
    without_entities(case, monkeypatch)
    raw_tweet(case, "Info lengkap di https://kpu.go.id/jadwal")

    with pytest.raises(AmbiguousPublishError, match="tidak dapat dibandingkan"):
        case.adapter().reconcile(make_post(text="Info lengkap di https://kpu.go.id/tahapan"), {})


def test_an_unreadable_link_in_an_unrelated_post_does_not_matter(
        case: AdapterCase, monkeypatch: pytest.MonkeyPatch) -> None:
    without_entities(case, monkeypatch)
    raw_tweet(case, "Selamat pagi dari https://kpu.go.id")
    assert case.adapter().reconcile(make_post(text="Info lengkap di https://kpu.go.id"),
                                    {}) is None


@pytest.mark.parametrize(("failure", "path"), [
    ("server_error", "/tweets"), ("rate_limit", "/tweets"), ("hang", "/tweets"),
    ("disconnect", "/users/me"), ("server_error", "/users/me")])
def test_reconcile_when_x_cannot_answer_now_is_transient(case: AdapterCase, failure: str,
                                                         path: str) -> None:
    fake(case).fail_next(failure, path=path)
    with pytest.raises(TransientPublishError) as caught:
        case.adapter(timeout=0.5).reconcile(case.post, {})
    if failure == "rate_limit":
        assert caught.value.retry_after == 5.0  # until x-rate-limit-reset


@pytest.mark.parametrize(("failure", "path"), [
    ("forbidden", "/users/me"), ("forbidden", "/tweets"), ("expired_token", "/tweets"),
    ("invalid", "/tweets")])
def test_reconcile_refused_by_x_is_ambiguous(case: AdapterCase, failure: str,
                                             path: str) -> None:
    fake(case).fail_next(failure, path=path)
    with pytest.raises(AmbiguousPublishError):
        case.adapter().reconcile(case.post, {})


@pytest.mark.parametrize("body", [{"errors": [{"title": "Not Found Error"}]}, {"data": "?"},
                                  {"data": []}, {"data": [], "meta": []}])
def test_reconcile_with_an_unreadable_timeline_is_ambiguous(
        case: AdapterCase, monkeypatch: pytest.MonkeyPatch, body: dict[str, Any]) -> None:
    monkeypatch.setattr(fake(case), "_timeline", lambda request, user: Reply(200, body))
    raw_tweet(case, OTHER_TEXT)
    with pytest.raises(AmbiguousPublishError, match="tidak dapat dibaca"):
        case.adapter().reconcile(case.post, {})


def test_reconcile_errors_never_reveal_the_token(case: AdapterCase) -> None:
    fake(case).fail_next("echo", path="/tweets")
    with pytest.raises(AmbiguousPublishError) as caught:
        case.adapter().reconcile(case.post, {})
    assert PLANTED in fake(case).requests[-1].echo()
    assert PLANTED not in str(caught.value)
    assert PLANTED not in (caught.value.platform_message or "")

