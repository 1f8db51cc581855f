"""HTTP plumbing shared by the network adapters.

`send` tells a failure *before* the request left (safe to retry) from one *after* it
left (the platform may have acted on it), and every error built here goes through
`adapter.redact` so tokens in URLs, paths, bodies or headers never reach a message.

`requests` (and urllib3) are imported where a request is sent or its failure classified,
not when this module is: every adapter module imports this one, and the platform
registry (scheduler.platforms) imports every adapter module to read what it declares,
which every `siar` command needs and which must not cost the HTTP stack (issue 11).
"""

import json
import mimetypes
from datetime import UTC
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from scheduler.adapters.base import (
    Adapter,
    AmbiguousPublishError,
    PermanentPublishError,
    PublishError,
    TransientPublishError,
)
from scheduler.clock import Clock

if TYPE_CHECKING:
    import requests

E = TypeVar("E", bound=PublishError)

MAX_BODY_CHARS = 2048  # platform text kept in an error; enough to diagnose, small to store


def send(adapter: Adapter, method: str, url: str, **kwargs: Any) -> "requests.Response":
    """Send one request with the adapter's session and timeout; never follows redirects.

    Raises TransientPublishError when the request surely did not reach the platform and
    AmbiguousPublishError when it may have. The original exception is not chained: its
    text carries the URL, which may hold a token.
    """
    import requests

    kwargs.setdefault("timeout", adapter.context.timeout)
    kwargs.setdefault("allow_redirects", False)
    try:
        return adapter.context.session.request(method, url, **kwargs)
    except requests.RequestException as exc:
        error = transport_error(adapter, exc)
    raise error


def transport_error(adapter: Adapter, exc: "requests.RequestException") -> PublishError:
    """Classify a requests failure by whether the request may have been received."""
    import requests

    # Failures that happen once the request is on the wire (after a ConnectionError has
    # been checked for "never connected"): the platform may have acted on it.
    after_send = (requests.ReadTimeout, requests.ConnectionError,
                  requests.exceptions.ChunkedEncodingError,
                  requests.exceptions.ContentDecodingError)
    name = adapter.label
    cause = _root_cause(exc)
    if isinstance(exc, requests.ConnectTimeout) or (
        isinstance(exc, requests.ConnectionError) and not _may_have_been_sent(exc)
    ):
        return make_error(adapter, TransientPublishError,
            f"{name}: koneksi gagal sebelum permintaan terkirim ({cause}); aman dicoba lagi")
    if isinstance(exc, after_send):
        return make_error(adapter, AmbiguousPublishError,
            f"{name}: permintaan sudah terkirim tetapi jawaban tidak diterima ({cause}); "
            "unggahan mungkin sudah terbit, cek dulu sebelum mengulang")
    # Invalid URL, schema or header: raised while preparing, so nothing was sent.
    return make_error(adapter, PermanentPublishError,
        f"{name}: permintaan tidak dapat dibuat ({cause}); periksa alamat dan kredensial")


def _may_have_been_sent(exc: "requests.ConnectionError") -> bool:
    """False only when urllib3 says the connection itself never opened."""
    import requests
    from urllib3.exceptions import ConnectTimeoutError, MaxRetryError, NewConnectionError

    reason = exc.args[0] if exc.args else None
    if isinstance(reason, MaxRetryError):
        reason = reason.reason
    before_send = NewConnectionError | ConnectTimeoutError
    return not (isinstance(reason, before_send) or isinstance(exc, requests.exceptions.SSLError))


def _root_cause(exc: BaseException) -> str:
    """The innermost exception's class name: informative, and never carries a URL."""
    seen = exc
    for _ in range(10):  # exception chains can, in theory, loop
        reason = getattr(seen, "reason", None)
        inner = reason if isinstance(reason, BaseException) else seen.__context__
        if inner is None or inner is seen:
            break
        seen = inner
    return type(seen).__name__


def retry_after_seconds(value: str | None, clock: Clock) -> float | None:
    """Parse a Retry-After header: delay in seconds or an HTTP date (against `clock`)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - clock.now()).total_seconds())


def json_object(response: "requests.Response") -> dict[str, Any]:
    """The response body as a JSON object, or {} when it is not one."""
    try:
        body = response.json()
    except (ValueError, json.JSONDecodeError):
        return {}
    return body if isinstance(body, dict) else {}


def truncate(text: str, limit: int = MAX_BODY_CHARS) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def body_excerpt(response: "requests.Response") -> str:
    """A short, single-purpose excerpt of a body we could not interpret (not yet redacted)."""
    return truncate(response.text.strip()) or f"HTTP {response.status_code}"


def make_error(
    adapter: Adapter, kind: type[E], message: str, *, platform_message: str | None = None,
    status: int | None = None, code: str | None = None, retry_after: float | None = None,
) -> E:
    """Build a typed error whose message and platform text are truncated and redacted."""
    # Redact first: a secret cut in half by truncation would no longer be recognised.
    safe_message = truncate(adapter.redact(message), 2 * MAX_BODY_CHARS)
    safe_platform = truncate(adapter.redact(platform_message)) if platform_message else None
    if issubclass(kind, TransientPublishError):
        return kind(safe_message, retry_after=retry_after, platform_message=safe_platform,
                    status=status, code=code)
    return kind(safe_message, platform_message=safe_platform, status=status, code=code)


def read_image(adapter: Adapter, path: Path) -> tuple[str, bytes, str]:
    """(file name, bytes, MIME type) of a local image, ready for a multipart field."""
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise make_error(adapter, PermanentPublishError,
                         f"Berkas gambar tidak dapat dibaca: {path} ({exc.strerror})") from None
    return path.name, content, mimetypes.guess_type(path.name)[0] or "image/jpeg"
