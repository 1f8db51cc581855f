"""scheduler.adapters.http: before-send vs after-send failures, Retry-After, redaction."""

from datetime import timedelta
from email.utils import format_datetime
from http.client import RemoteDisconnected

import pytest
import requests
from urllib3.exceptions import MaxRetryError, NewConnectionError, ProtocolError

from scheduler.adapters.base import (
    AmbiguousPublishError,
    PermanentPublishError,
    PublishError,
    TransientPublishError,
)
from scheduler.adapters.http import (
    MAX_BODY_CHARS,
    make_error,
    retry_after_seconds,
    send,
    transport_error,
)
from scheduler.clock import FixedClock
from tests.fakes.base import FakePlatform, RecordedRequest, Reply, unused_port

from .cases import BOT_TOKEN, PLANTED, AdapterCase

pytestmark = pytest.mark.parametrize("case", ["telegram"], indirect=True)
SECRET_URL = f"http://127.0.0.1:9/bot{BOT_TOKEN}/sendMessage?access_token={PLANTED}"


class PlainFake(FakePlatform):
    def authorized(self, request: RecordedRequest) -> bool:
        return True

    def handle(self, request: RecordedRequest) -> Reply:
        return Reply(200, {"ok": True})


def test_send_returns_the_response_and_uses_the_context_session(case: AdapterCase) -> None:
    with PlainFake() as fake:
        response = send(case.adapter(), "GET", f"{fake.url}/ping")
    assert response.json() == {"ok": True}


def test_nothing_listening_is_transient_before_sending(case: AdapterCase) -> None:
    with pytest.raises(TransientPublishError) as caught:
        send(case.adapter(), "POST", f"http://127.0.0.1:{unused_port()}/bot{BOT_TOKEN}/x")
    assert "ConnectionRefusedError" in str(caught.value)
    assert BOT_TOKEN not in str(caught.value)


def test_no_answer_after_sending_is_ambiguous(case: AdapterCase) -> None:
    with PlainFake() as fake:
        fake.fail_next("hang")
        with pytest.raises(AmbiguousPublishError):
            send(case.adapter(timeout=0.3), "POST", f"{fake.url}/post", data={"a": "b"})
        assert len(fake.calls("/post")) == 1  # it did arrive


def test_connection_closed_after_sending_is_ambiguous(case: AdapterCase) -> None:
    with PlainFake() as fake:
        fake.fail_next("disconnect")
        with pytest.raises(AmbiguousPublishError) as caught:
            send(case.adapter(), "POST", f"{fake.url}/post", json={"a": "b"})
    assert "RemoteDisconnected" in str(caught.value)


def test_redirects_are_not_followed(case: AdapterCase) -> None:
    class Redirecting(PlainFake):
        def handle(self, request: RecordedRequest) -> Reply:
            return Reply(302, "", {"Location": "/elsewhere"})

    with Redirecting() as fake:
        response = send(case.adapter(), "POST", f"{fake.url}/post")
        assert response.status_code == 302
        assert not fake.calls("/elsewhere")


def _refused() -> requests.ConnectionError:
    message = f"Failed to establish a new connection to {SECRET_URL}"
    reason = NewConnectionError(None, message)  # type: ignore[arg-type]
    return requests.ConnectionError(MaxRetryError(None, SECRET_URL, reason))  # type: ignore[arg-type]


@pytest.mark.parametrize(("exception", "expected"), [
    (_refused(), TransientPublishError),
    (requests.ConnectTimeout(f"connect timeout {SECRET_URL}"), TransientPublishError),
    (requests.exceptions.SSLError(f"handshake {SECRET_URL}"), TransientPublishError),
    (requests.ReadTimeout(f"read timeout {SECRET_URL}"), AmbiguousPublishError),
    (requests.ConnectionError(ProtocolError("Connection aborted.", RemoteDisconnected("closed"))),
     AmbiguousPublishError),
    (requests.exceptions.ChunkedEncodingError("Connection broken"), AmbiguousPublishError),
    (requests.ConnectionError("something odd"), AmbiguousPublishError),  # unknown: unsafe
    (requests.exceptions.InvalidURL(SECRET_URL), PermanentPublishError),
])
def test_transport_failures_are_classified_by_whether_the_request_left(
        case: AdapterCase, exception: requests.RequestException,
        expected: type[PublishError]) -> None:
    error = transport_error(case.adapter(), exception)
    assert type(error) is expected
    assert BOT_TOKEN not in str(error)
    assert PLANTED not in str(error)


@pytest.mark.parametrize(("header", "seconds"), [
    ("7", 7.0), (" 120 ", 120.0), ("-5", 0.0), (None, None), ("", None), ("soon", None),
])
def test_retry_after_reads_seconds(case: AdapterCase, header: str | None,
                                   seconds: float | None) -> None:
    assert retry_after_seconds(header, case.env.clock) == seconds


def test_retry_after_reads_an_http_date_against_the_clock(case: AdapterCase) -> None:
    clock: FixedClock = case.env.clock
    later = format_datetime(clock.now() + timedelta(seconds=90), usegmt=True)
    earlier = format_datetime(clock.now() - timedelta(seconds=90), usegmt=True)
    assert retry_after_seconds(later, clock) == 90.0
    assert retry_after_seconds(earlier, clock) == 0.0


def test_make_error_redacts_and_truncates_platform_text(case: AdapterCase) -> None:
    body = (f"GET {SECRET_URL} Authorization: Bearer abc.def-ghi "
            f"token={PLANTED} " + "x" * 5000)
    error = make_error(case.adapter(), PermanentPublishError, f"ditolak: {body}",
                       platform_message=body, status=400)

    for text in (str(error), error.platform_message or ""):
        for secret in (PLANTED, BOT_TOKEN, "abc.def-ghi"):
            assert secret not in text
    assert len(error.platform_message or "") <= MAX_BODY_CHARS + 1
    assert error.status == 400


def test_make_error_sets_retry_after_only_on_transient(case: AdapterCase) -> None:
    transient = make_error(case.adapter(), TransientPublishError, "tunggu", retry_after=9)
    assert transient.retry_after == 9
    assert isinstance(make_error(case.adapter(), AmbiguousPublishError, "?"),
                      AmbiguousPublishError)


def test_make_error_redacts_before_truncating(case: AdapterCase) -> None:
    """A token straddling the cut must not survive as a recognisable half."""
    body = "x" * (MAX_BODY_CHARS - 12) + BOT_TOKEN
    error = make_error(case.adapter(), PermanentPublishError, "ditolak", platform_message=body)
    assert "123456789:AAH" not in (error.platform_message or "")
