"""What Facebook, Instagram and Threads share: the Graph API error envelope with its
usage headers, and the container flow (create → checkpoint → wait → publish).

See platform-apis.md §1, §2 and §5 for the codes mapped here.
"""

import json
import time
from abc import abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import requests

from scheduler.adapters.base import (
    Adapter,
    AmbiguousPublishError,
    PermanentPublishError,
    PostPayload,
    PublishError,
    ReauthorizationRequired,
    Receipt,
    TransientPublishError,
)
from scheduler.adapters.http import (
    body_excerpt,
    json_object,
    label,
    make_error,
    retry_after_seconds,
    send,
)

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


def parse_graph_error(response: requests.Response) -> GraphError | None:
    error = json_object(response).get("error")
    if not isinstance(error, dict):
        return None
    message = error.get("error_user_msg") or error.get("message") or ""
    return GraphError(str(message), error.get("type"), _int(error.get("code")),
                      _int(error.get("error_subcode")))


def usage_wait(response: requests.Response) -> float | None:
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


def graph_failure(adapter: Adapter, response: requests.Response) -> PublishError:
    """Map a non-2xx Graph answer to the typed error the publishing service acts on."""
    status = response.status_code
    error = parse_graph_error(response)
    if error is None:
        kind: type[PublishError] = (
            TransientPublishError if status >= 500 or status == 429 else PermanentPublishError)
        wait = retry_after_seconds(response.headers.get("Retry-After"), adapter.context.clock)
        return make_error(adapter, kind, f"{label(adapter)} menjawab HTTP {status}",
                          platform_message=body_excerpt(response), status=status,
                          retry_after=wait)
    kind, message, wait = _classify(label(adapter), response, error)
    return make_error(adapter, kind, message, platform_message=error.message, status=status,
                      code=error.code_text, retry_after=wait)


Classified = tuple[type[PublishError], str, float | None]


def _classify(name: str, response: requests.Response, error: GraphError) -> Classified:
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
    kind: type[PublishError] = (
        TransientPublishError if response.status_code >= 500 else PermanentPublishError)
    return kind, f"{name} menolak unggahan: {error.message}", None


def _needs_reauthorization(error: GraphError) -> bool:
    if error.code in REAUTH_CODES or error.subcode in REAUTH_SUBCODES:
        return True
    # Meta: an OAuthException without a subcode means the token is invalid. Code 100
    # (bad parameter) is also typed OAuthException, and is a problem with the post.
    return error.type == "OAuthException" and error.subcode is None and error.code != 100


def _int(value: object) -> int | None:
    try:
        return int(value)  # type: ignore[call-overload, no-any-return]
    except (TypeError, ValueError):
        return None


class GraphAdapter(Adapter):
    """An adapter speaking the Graph API: versioned URLs, token as `access_token`."""

    label: ClassVar[str]
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


class MetaContainerAdapter(GraphAdapter):
    """Instagram and Threads: a post is a media container that is published by id."""

    can_reconcile = True
    user_field: ClassVar[str]  # credential naming the account id
    create_edge: ClassVar[str]
    publish_edge: ClassVar[str]
    quota_edge: ClassVar[str]
    status_field: ClassVar[str]
    text_field: ClassVar[str]
    poll_attempts: ClassVar[int] = 5
    poll_interval: ClassVar[float] = 2.0
    not_ready_retry_after: ClassVar[float] = 60.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sleep: Callable[[float], None] = time.sleep  # tests replace it

    @abstractmethod
    def container_params(self, post: PostPayload) -> dict[str, str]:
        """The fields of the container-creating request (media, text)."""

    def publish(self, post: PostPayload) -> Receipt:
        container_id = self._create_container(post)
        # Saved before the publishing call leaves: after a crash, reconcile reads it.
        self.context.checkpoint({"container_id": container_id})
        self._wait_until_finished(container_id)
        media_id = self._publish_container(container_id)
        return Receipt(media_id, self._permalink(media_id))

    def reconcile(self, post: PostPayload, ref: Mapping[str, str]) -> Receipt | None:
        container_id = ref.get("container_id")
        if not container_id:
            # No saved container: we cannot tell which container, if any, was published.
            raise AmbiguousPublishError(
                f"{self.label}: tidak ada container_id tersimpan, status unggahan tidak dapat "
                "dicek; perlu keputusan operator")
        try:
            status = self._container_status(container_id)[0]
        except PublishError as exc:
            # Even "not published" errors say nothing about the earlier attempt here.
            raise make_error(self, AmbiguousPublishError,
                             f"{self.label}: status container belum dapat dicek ({exc}); "
                             "cek ulang nanti") from None
        if status != "PUBLISHED":
            return None  # never published; EXPIRED ones are replaced by the next attempt
        return self._find_published(post, container_id)

    def publishing_quota(self) -> tuple[int, int] | None:
        """(used, total) API-published posts in the rolling 24 hours, if Meta says."""
        user = self.credential(self.user_field)
        body = self.graph("GET", f"{user}/{self.quota_edge}",
                          {"fields": "quota_usage,config"})
        data = body.get("data") or [{}]
        usage, total = data[0].get("quota_usage"), (data[0].get("config") or {}).get("quota_total")
        return (int(usage), int(total)) if usage is not None and total is not None else None

    def _create_container(self, post: PostPayload) -> str:
        user = self.credential(self.user_field)
        body = self._harmless("POST", f"{user}/{self.create_edge}", self.container_params(post))
        container_id = body.get("id")
        if not container_id:
            raise make_error(self, TransientPublishError,
                             f"{self.label} tidak memberi id container; dicoba lagi nanti")
        return str(container_id)

    def _wait_until_finished(self, container_id: str) -> None:
        for attempt in range(self.poll_attempts):
            status, error_message = self._container_status(container_id, harmless=True)
            if status == "FINISHED":
                return
            if status == "ERROR":
                raise make_error(self, PermanentPublishError,
                                 f"{self.label} gagal memproses media: {error_message or status}")
            if status == "EXPIRED":
                raise make_error(self, TransientPublishError,
                                 f"{self.label}: container kedaluwarsa; dibuat ulang nanti")
            if status != "IN_PROGRESS":  # PUBLISHED or unknown: do not publish blindly
                raise make_error(self, AmbiguousPublishError,
                                 f"{self.label}: status container tak terduga: {status}")
            if attempt + 1 < self.poll_attempts:
                self.sleep(self.poll_interval)
        raise make_error(self, TransientPublishError,
                         f"{self.label} masih memproses media; dicoba lagi nanti",
                         retry_after=self.not_ready_retry_after)

    def _publish_container(self, container_id: str) -> str:
        user = self.credential(self.user_field)
        try:
            body = self.graph("POST", f"{user}/{self.publish_edge}",
                              {"creation_id": container_id})
        except TransientPublishError as exc:
            if exc.status is None or exc.status < 500:
                raise  # refused before acting (throttled, never connected)
            raise make_error(self, AmbiguousPublishError,
                             f"{self.label} error server saat menerbitkan; cek status container",
                             platform_message=exc.platform_message, status=exc.status,
                             code=exc.code) from None
        if not body.get("id"):
            raise make_error(self, AmbiguousPublishError,
                             f"{self.label} menerima permintaan terbit tanpa memberi id media")
        return str(body["id"])

    def _container_status(self, container_id: str,
                          harmless: bool = False) -> tuple[str, str | None]:
        params = {"fields": f"{self.status_field},error_message"}
        body = (self._harmless("GET", container_id, params) if harmless
                else self.graph("GET", container_id, params))
        return str(body.get(self.status_field) or "UNKNOWN"), body.get("error_message")

    def _permalink(self, media_id: str) -> str | None:
        """Best effort: the post is already live, so a failed lookup must not fail it."""
        try:
            link = self.graph("GET", media_id, {"fields": "permalink"}).get("permalink")
        except PublishError:
            return None
        return str(link) if link else None

    def _find_published(self, post: PostPayload, container_id: str) -> Receipt:
        """The live post of a PUBLISHED container, found among the account's recent posts
        by its exact text; containers do not expose the media id they became."""
        user = self.credential(self.user_field)
        wanted = self.container_params(post).get(self.text_field)
        try:
            recent = self.graph("GET", f"{user}/{self.create_edge}",
                                {"fields": f"id,{self.text_field},permalink", "limit": "25"})
        except PublishError:
            recent = {}
        for item in recent.get("data") or []:
            if item.get(self.text_field) == wanted and item.get("id"):
                return Receipt(str(item["id"]), item.get("permalink"))
        return Receipt(f"container:{container_id}")  # published, exact post unknown

    def _harmless(self, method: str, path: str, params: Mapping[str, str]) -> dict[str, Any]:
        """A call that cannot publish anything: if its answer is lost, just try later."""
        try:
            return self.graph(method, path, params)
        except AmbiguousPublishError as exc:
            raise make_error(self, TransientPublishError,
                             f"{self.label}: belum ada yang terbit ({exc})") from None
