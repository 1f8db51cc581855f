"""The shared machinery of the fake platforms: a threaded HTTP server on 127.0.0.1,
a log of every request, what went public, simulated latency and failure injection.

    with FakeX(tokens={"t"}) as fake:
        fake.fail_next("rate_limit", times=1, retry_after=7)
        ...
        assert len(fake.calls("/2/tweets")) == 1

The fakes import nothing from pytest, so a script (a benchmark) can run them too, as
long as the repository root is on sys.path:

    fake = FakeTelegram(accept_any_token=True, accept_any_account=True, latency=0.05)
    fake.start()
    ...  # point adapters at fake.url
    print(fake.request_count, len(fake.published))
    fake.stop()

Failure kinds are the fake's `reply_<kind>` methods plus two that every fake has:
"hang" (read the whole request, then never answer until the fake stops) and
"disconnect" (read the whole request, then close the connection without a word).
With `process=True` a failure first lets the platform act on the request, which is
the case that makes a publish ambiguous: it happened, but the answer was lost or bad.
"""

import json
import socket
import sys
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from email import policy
from email.parser import BytesParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qsl, urlsplit

from scheduler.clock import Clock, SystemClock

HANG, DISCONNECT = "hang", "disconnect"
HANG_LIMIT = 10.0  # seconds a hung handler waits at most, should a test forget to stop


@dataclass
class RecordedRequest:
    method: str
    path: str
    target: str  # the raw request target, query string included
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names
    body: bytes
    form: dict[str, str] = field(default_factory=dict)  # urlencoded or multipart fields
    files: dict[str, bytes] = field(default_factory=dict)
    json: Any = None

    def param(self, name: str) -> Any:
        """A parameter wherever the client put it: query, form, multipart or JSON."""
        for source in (self.query, self.form, self.json if isinstance(self.json, dict) else {}):
            if name in source:
                return source[name]
        return None

    def echo(self) -> str:
        """Everything a careless server might reflect back into an error message."""
        auth = self.headers.get("authorization", "")
        return f"{self.method} {self.target} auth={auth} body={self.body[:300]!r}"


@dataclass
class Reply:
    status: int
    body: Any = None  # dict or list: JSON; str: text; bytes: as is
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class _Failure:
    kind: str
    times: int
    path: str | None
    options: dict[str, Any]


class FakePlatform:
    """Base of every fake: subclasses answer `handle` and the `reply_<kind>` failures.

    Constructor arguments (keyword-only, shared by every fake):

    - clock: what "now" is for timestamps and rate-limit resets (default: system time).
    - latency: seconds every answer is delayed, slept in the handler thread, so
      concurrent requests overlap as they would against a real platform; also a
      settable attribute. Stopping the fake cuts pending delays short.
    - tokens: the credentials the fake accepts (any number: one per account).
    - accept_any_token: accept every non-empty credential (benchmarks with many accounts).
    - accept_any_account: accept every account id (Page, user or chat), for fakes that
      check them.

    Everything the tests read (`requests`, `published`, `request_count`) is guarded by
    one lock, so it is safe to read while the server threads are busy.
    """

    def __init__(self, *, clock: Clock | None = None, latency: float = 0.0,
                 tokens: Iterable[str] = (), accept_any_token: bool = False,
                 accept_any_account: bool = False) -> None:
        self.clock = clock or SystemClock()
        self.latency = latency
        self._in_flight: dict[str, int] = {}
        self.max_in_flight: dict[str, int] = {}  # the most requests at once, per account
        self.max_in_flight_overall = 0
        self.tokens = set(tokens)
        self.accept_any_token = accept_any_token
        self.accept_any_account = accept_any_account
        self.requests: list[RecordedRequest] = []
        self._published: list[dict[str, Any]] = []
        self._failures: list[_Failure] = []
        self._lock = threading.RLock()
        self._release = threading.Event()
        # How a handler waits out `latency`; returns early once the fake stops.
        self.pause: Callable[[float], object] = self._release.wait
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------

    def start(self) -> Self:
        self._release.clear()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.fake = self
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.01}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._release.set()  # let hung handlers go, so closing can join them
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._server is not None, "fake not started"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    # -- test API ----------------------------------------------------------------

    def fail_next(self, kind: str, *, times: int = 1, path: str | None = None,
                  **options: Any) -> None:
        """Answer the next `times` requests (whose path contains `path`) with `kind`."""
        if kind not in (HANG, DISCONNECT) and not hasattr(self, f"reply_{kind}"):
            raise ValueError(f"{type(self).__name__} cannot fail with {kind!r}")
        with self._lock:
            self._failures.append(_Failure(kind, times, path, options))

    def calls(self, path_part: str = "", method: str | None = None) -> list[RecordedRequest]:
        with self._lock:
            return [r for r in self.requests
                    if path_part in r.path and (method is None or r.method == method)]

    @property
    def request_count(self) -> int:
        """Requests received so far, whatever they were answered."""
        with self._lock:
            return len(self.requests)

    @property
    def published(self) -> list[dict[str, Any]]:
        """A snapshot of everything that went public, oldest first."""
        with self._lock:
            return list(self._published)

    def clear_published(self) -> None:
        """Forget what went public (as if the platform no longer listed it)."""
        with self._lock:
            self._published.clear()

    def accepts(self, token: object) -> bool:
        """Whether `token` is a credential this fake takes."""
        if not isinstance(token, str) or not token:
            return False
        return self.accept_any_token or token in self.tokens

    def knows(self, account_id: object, known: Iterable[object]) -> bool:
        """Whether `account_id` is an account of this fake (any, if so configured)."""
        return self.accept_any_account or account_id in known

    def record_published(self, item: dict[str, Any]) -> None:
        with self._lock:
            self._published.append(item)

    # -- subclass hooks ------------------------------------------------------------

    def authorized(self, request: RecordedRequest) -> bool:
        raise NotImplementedError

    def auth_error(self, request: RecordedRequest) -> Reply:
        raise NotImplementedError

    def handle(self, request: RecordedRequest) -> Reply:
        raise NotImplementedError

    # -- dispatch (server threads) -----------------------------------------------

    def dispatch(self, request: RecordedRequest) -> Reply | str:
        with self._lock:
            self.requests.append(request)
            failure = self._take_failure(request)
        if failure is None:
            return self._answer(request)
        options = dict(failure.options)
        if options.pop("process", False):
            self._answer(request)
        if failure.kind in (HANG, DISCONNECT):
            return failure.kind
        reply: Reply = getattr(self, f"reply_{failure.kind}")(request, **options)
        return reply

    def hold(self) -> None:
        self._release.wait(HANG_LIMIT)

    def flight_key(self, request: RecordedRequest) -> str | None:
        """Which account a request is for, to count requests in flight per account
        (`max_in_flight`); None: not counted. Subclasses that can tell override it."""
        return None

    def flight(self, key: str | None, change: int) -> None:
        if key is None:
            return
        with self._lock:
            now = self._in_flight.get(key, 0) + change
            self._in_flight[key] = now
            self.max_in_flight[key] = max(self.max_in_flight.get(key, 0), now)
            self.max_in_flight_overall = max(self.max_in_flight_overall,
                                             sum(self._in_flight.values()))

    def delay(self) -> None:
        """Wait out the simulated latency (read per request: it may change meanwhile)."""
        latency = self.latency
        if latency > 0:
            self.pause(latency)

    def _answer(self, request: RecordedRequest) -> Reply:
        if not self.authorized(request):
            return self.auth_error(request)
        with self._lock:
            return self.handle(request)

    def _take_failure(self, request: RecordedRequest) -> _Failure | None:
        for failure in self._failures:
            if failure.path is None or failure.path in request.path:
                failure.times -= 1
                if failure.times <= 0:
                    self._failures.remove(failure)
                return failure
        return None


def unused_port() -> int:
    """A local port with nothing listening (for "connection refused" tests)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


class _Server(ThreadingHTTPServer):
    # Join handler threads on close (hung ones are released first): nothing outlives a test.
    daemon_threads = False
    block_on_close = True
    # The default backlog of 5 drops connections when a benchmark opens hundreds at once.
    request_queue_size = 256
    fake: FakePlatform

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that went away (a killed worker, a timed-out request) is a normal event
        # for these fakes, not an error worth a traceback.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    timeout = 5  # an idle client cannot hold a handler thread for long

    def do_GET(self) -> None:
        self._serve()

    do_POST = do_GET
    do_DELETE = do_GET

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep test output clean

    def _serve(self) -> None:
        fake = self.server.fake
        request = self._read_request()
        key = fake.flight_key(request)
        fake.flight(key, +1)
        try:
            outcome = fake.dispatch(request)
            if outcome == HANG:
                fake.hold()
            else:
                fake.delay()  # outside the fake's lock, so concurrent requests overlap
        finally:
            fake.flight(key, -1)
        if isinstance(outcome, str):  # hang or disconnect: never answer
            self.close_connection = True
            return
        self._write(outcome)

    def _read_request(self) -> RecordedRequest:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        request = RecordedRequest(
            method=self.command, path=parts.path, target=self.path,
            query=dict(parse_qsl(parts.query, keep_blank_values=True)),
            headers={k.lower(): v for k, v in self.headers.items()}, body=body)
        _parse_body(request, self.headers.get("Content-Type", ""))
        return request

    def _write(self, reply: Reply) -> None:
        body, content_type = _encode(reply.body)
        self.send_response(reply.status)
        headers = {"Content-Type": content_type, **reply.headers}
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _encode(body: Any) -> tuple[bytes, str]:
    if isinstance(body, bytes):
        return body, "application/octet-stream"
    if isinstance(body, str):
        return body.encode(), "text/plain; charset=utf-8"
    if body is None:
        return b"", "text/plain"
    return json.dumps(body).encode(), "application/json; charset=utf-8"


def _parse_body(request: RecordedRequest, content_type: str) -> None:
    kind = content_type.split(";")[0].strip().lower()
    if kind == "application/json":
        request.json = json.loads(request.body or b"null")
    elif kind == "application/x-www-form-urlencoded":
        request.form = dict(parse_qsl(request.body.decode(), keep_blank_values=True))
    elif kind == "multipart/form-data":
        _parse_multipart(request, content_type)


def _parse_multipart(request: RecordedRequest, content_type: str) -> None:
    # The email package parses MIME multipart without the deprecated cgi module.
    head = f"Content-Type: {content_type}\r\n\r\n".encode()
    message = BytesParser(policy=policy.HTTP).parsebytes(head + request.body)
    for part in message.iter_parts():
        name = str(part.get_param("name", header="content-disposition"))
        payload = part.get_payload(decode=True)
        content = payload if isinstance(payload, bytes) else b""
        if part.get_filename():
            request.files[name] = content
        else:
            request.form[name] = content.decode()
