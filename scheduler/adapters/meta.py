"""What Facebook, Instagram and Threads share: the Graph API error envelope with its
usage headers, and GraphAdapter (containers.py adds the Instagram/Threads flow).

See platform-apis.md §1, §2 and §5 for the codes mapped here.
"""

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from scheduler.adapters.base import (
    Adapter,
    AmbiguousPublishError,
    PermanentPublishError,
    PlatformAuth,
    PublishError,
    ReauthorizationRequired,
    RefreshRefused,
    TransientPublishError,
)
from scheduler.adapters.http import (
    body_excerpt,
    json_object,
    make_error,
    retry_after_seconds,
    send,
)

if TYPE_CHECKING:
    import requests

# Throttling and "try again" codes (Meta's list plus Mixpost's 80000-80014 BUC codes).
TRANSIENT_CODES = frozenset({1, 2, 4, 17, 32, 341, 368, 613, *range(80000, 80015)})
# Subcodes that mean "not now": posting too fast, upload hiccup, media not ready yet.
TRANSIENT_SUBCODES = frozenset({1390008, 2207082, 2207027})
REAUTH_CODES = frozenset({190, 10, *range(200, 300)})
# Subcodes that mean the token lost its rights (Postiz: 33, 1404078 Page Publishing Auth).
REAUTH_SUBCODES = frozenset({33, 1404078})
DUPLICATE_CODE = 506
# The daily publishing cap (Instagram 2207042): the window is rolling, so check hourly.
QUOTA_SUBCODES = frozenset({2207042})
QUOTA_RETRY_AFTER = 3600.0
USAGE_HEADERS = ("X-Business-Use-Case-Usage", "X-App-Usage")


@dataclass(frozen=True)
class GraphError:
    message: str
    type: str | None
    code: int | None
    subcode: int | None

    @property
    def code_text(self) -> str | None:
        if self.code is None:
            return None
        return f"{self.code}/{self.subcode}" if self.subcode else str(self.code)


def parse_graph_error(response: "requests.Response") -> GraphError | None:
    error = json_object(response).get("error")
    if not isinstance(error, dict):
        return None
    message = error.get("error_user_msg") or error.get("message") or ""
    return GraphError(str(message), error.get("type"), _int(error.get("code")),
                      _int(error.get("error_subcode")))


def usage_wait(response: "requests.Response") -> float | None:
    """Seconds until Meta lets us call again, from the usage headers (given in minutes)."""
    entries = [e for h in USAGE_HEADERS for e in _usage_entries(response.headers.get(h))]
    known = [m for m in (_int(e.get("estimated_time_to_regain_access")) for e in entries) if m]
    if known:
        return 60.0 * max(known)
    return None


def _usage_entries(header: str | None) -> list[dict[str, Any]]:
    """X-App-Usage is one object; X-Business-Use-Case-Usage maps ids to lists of them."""
    try:
        usage = json.loads(header) if header else None
    except ValueError:
        return []
    if not isinstance(usage, dict):
        return []
    nested = [e for v in usage.values() if isinstance(v, list) for e in v if isinstance(e, dict)]
    return [usage, *nested]


def graph_failure(adapter: Adapter, response: "requests.Response") -> PublishError:
    """Map a non-2xx Graph answer to the typed error the publishing service acts on."""
    status = response.status_code
    error = parse_graph_error(response)
    if error is None:
        kind: type[PublishError] = (
            TransientPublishError if status >= 500 or status == 429 else PermanentPublishError)
        wait = retry_after_seconds(response.headers.get("Retry-After"), adapter.context.clock)
        return make_error(adapter, kind, f"{adapter.label} menjawab HTTP {status}",
                          platform_message=body_excerpt(response), status=status,
                          retry_after=wait)
    kind, message, wait = _classify(adapter.label, response, error)
    return make_error(adapter, kind, message, platform_message=error.message, status=status,
                      code=error.code_text, retry_after=wait)


Classified = tuple[type[PublishError], str, float | None]


def _classify(name: str, response: "requests.Response", error: GraphError) -> Classified:
    if error.subcode in QUOTA_SUBCODES:
        wait = max(usage_wait(response) or 0.0, QUOTA_RETRY_AFTER)
        return TransientPublishError, f"{name}: batas unggahan harian tercapai", wait
    if error.code in TRANSIENT_CODES or error.subcode in TRANSIENT_SUBCODES:
        return (TransientPublishError, f"{name} meminta menunggu: {error.message}",
                usage_wait(response))
    if error.code == DUPLICATE_CODE:
        return (AmbiguousPublishError,
                f"{name} menolak karena isinya sama dengan unggahan sebelumnya; bisa jadi "
                "percobaan kita sendiri yang sudah terbit, cek dulu", None)
    if _needs_reauthorization(error):
        return (ReauthorizationRequired,
                f"Akses {name} ke akun ini kedaluwarsa atau dicabut; hubungkan ulang akun: "
                f"{error.message}",
                None)
    # A 5xx is transient here: a publishing call that Meta may have acted on goes
    # through GraphAdapter.graph_publish, which makes it ambiguous (Instagram, Threads),
    # or is settled by looking the post up (Facebook).
    kind: type[PublishError] = (
        TransientPublishError if response.status_code >= 500 else PermanentPublishError)
    return kind, f"{name} menolak unggahan: {error.message}", None


def _needs_reauthorization(error: GraphError) -> bool:
    if error.code in REAUTH_CODES or error.subcode in REAUTH_SUBCODES:
        return True
    # Meta: an OAuthException without a subcode means the token is invalid. Code 100
    # (bad parameter) is also typed OAuthException, and is a problem with the post.
    return error.type == "OAuthException" and error.subcode is None and error.code != 100


def meta_token_call(auth: PlatformAuth, method: str, url: str, params: Mapping[str, str],
                    hide: tuple[str, ...] = (), doing: str = "memperbarui token"
                    ) -> dict[str, Any]:
    """One call of a Meta token flow (Threads, Facebook Login). A refusal of the token or
    the code is RefreshRefused (a person must reconnect); every error is scrubbed of the
    app secret, the stored tokens and `hide` (the code or the token sent)."""
    where = "data" if method == "POST" else "params"
    try:
        response = send(auth.adapter, method, url, **{where: dict(params)})
    except AmbiguousPublishError as exc:
        raise auth.scrub(TransientPublishError(str(exc)), *hide) from None
    except PublishError as exc:
        raise auth.scrub(exc, *hide) from None
    if response.ok:
        return json_object(response)
    failure = graph_failure(auth.adapter, response)
    if isinstance(failure, (ReauthorizationRequired, PermanentPublishError)):
        failure = RefreshRefused(f"{auth.adapter.label} menolak {doing}: "
                                 f"{failure.platform_message or failure}",
                                 platform_message=failure.platform_message,
                                 status=failure.status, code=failure.code)
    raise auth.scrub(failure, *hide)


def _int(value: object) -> int | None:
    try:
        return int(value)  # type: ignore[call-overload, no-any-return]
    except (TypeError, ValueError):
        return None


class GraphAdapter(Adapter):
    """An adapter speaking the Graph API: versioned URLs, token as `access_token`."""

    api_version: ClassVar[str] = "v21.0"

    def graph(self, method: str, path: str, params: Mapping[str, str] | None = None,
              **kwargs: Any) -> dict[str, Any]:
        """One Graph call; the token goes in the form body for POST, the query for GET."""
        fields = {**(params or {}), "access_token": self.credential("access_token")}
        where = "data" if method == "POST" else "params"
        response = send(self, method, f"{self.base_url}/{self.api_version}/{path}",
                        **{where: fields}, **kwargs)
        if response.ok:
            return json_object(response)
        raise graph_failure(self, response)

    def graph_publish(self, path: str, params: Mapping[str, str],
                      **kwargs: Any) -> dict[str, Any]:
        """The POST that makes a post public where Meta has no duplicate guard: a 5xx
        answer may come after Meta acted on the request, so it is ambiguous."""
        try:
            return self.graph("POST", path, params, **kwargs)
        except TransientPublishError as exc:
            if exc.status is None or exc.status < 500:
                raise  # refused before acting (throttled, never connected)
            raise make_error(self, AmbiguousPublishError,
                             f"Server {self.label} bermasalah (HTTP {exc.status}) saat "
                             "menerbitkan; unggahan mungkin sudah terbit, cek dulu sebelum "
                             "mengulang",
                             platform_message=exc.platform_message, status=exc.status,
                             code=exc.code) from None
