"""Instagram and Threads: a post is a media container that is created, checkpointed,
processed by Meta, then published by id (platform-apis.md §2 and §5).

Meta publishes a container at most once, which makes the container our guard against
double posts: a retry that carries the saved container_id (`post.ref`) resumes with
that container instead of creating another, and only a container that can no longer
be published (EXPIRED, ERROR) is replaced by a new one.
"""

import time
from abc import abstractmethod
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from scheduler.adapters.base import (
    AmbiguousPublishError,
    PermanentPublishError,
    PostPayload,
    PublishError,
    ReauthorizationRequired,
    Receipt,
    TransientPublishError,
)
from scheduler.adapters.http import make_error
from scheduler.adapters.meta import GraphAdapter

PUBLISHED, FINISHED, IN_PROGRESS = "PUBLISHED", "FINISHED", "IN_PROGRESS"
# Containers Meta will never publish: a retry replaces them.
DEAD_STATUSES = frozenset({"EXPIRED", "ERROR"})
NOT_PUBLISHED_STATUSES = frozenset({FINISHED, IN_PROGRESS, *DEAD_STATUSES})


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
        saved = post.ref.get("container_id")
        if saved:
            resumed = self._resume(post, saved)
            if resumed is not None:
                return resumed
        container_id = self._create_container(post)
        # Saved before the publishing call leaves: a retry or reconcile starts from it.
        self.context.checkpoint({"container_id": container_id})
        return self._publish_when_finished(container_id)

    def reconcile(self, post: PostPayload, ref: Mapping[str, str]) -> Receipt | None:
        container_id = ref.get("container_id")
        if not container_id:
            # A container is saved (committed, with the claim still held) before the call
            # that publishes it: without one, that call never left, so nothing went live.
            return None
        try:
            status = self._saved_status(container_id)
        except ReauthorizationRequired as exc:
            # Meta answers 100/33 both for "unknown container" and "no access": checking
            # again without a person looking would loop forever.
            raise make_error(self, AmbiguousPublishError,
                             f"{self.label}: status container ditolak untuk dicek ({exc}); "
                             "hubungkan ulang akun atau putuskan manual",
                             platform_message=exc.platform_message, status=exc.status,
                             code=exc.code) from None
        if status == PUBLISHED:
            return self._find_published(post, container_id)
        if status in NOT_PUBLISHED_STATUSES:
            return None  # the retry resumes this container or replaces a dead one
        raise self._unexpected(status)

    def publishing_quota(self) -> tuple[int, int] | None:
        """(used, total) API-published posts in the rolling 24 hours, if Meta says."""
        user = self.credential(self.user_field)
        body = self.graph("GET", f"{user}/{self.quota_edge}",
                          {"fields": "quota_usage,config"})
        data = body.get("data") or [{}]
        usage, total = data[0].get("quota_usage"), (data[0].get("config") or {}).get("quota_total")
        return (int(usage), int(total)) if usage is not None and total is not None else None

    def _resume(self, post: PostPayload, container_id: str) -> Receipt | None:
        """Carry on with the container an earlier attempt saved; None when it is dead
        and a new one must be made."""
        status = self._saved_status(container_id)
        if status == PUBLISHED:
            # The earlier attempt went through: publishing again would duplicate it.
            return self._find_published(post, container_id)
        if status in (FINISHED, IN_PROGRESS):
            # Meta never publishes a container twice, so reusing it cannot duplicate.
            return self._publish_when_finished(container_id, ready=status == FINISHED)
        if status in DEAD_STATUSES:
            return None
        raise self._unexpected(status)

    def _saved_status(self, container_id: str) -> str:
        """The status of a container saved by an earlier attempt.

        Raises TransientPublishError when Meta cannot be asked right now, lets
        ReauthorizationRequired through, and raises AmbiguousPublishError when Meta
        refuses the lookup itself: then nobody can tell what the earlier attempt did.
        """
        try:
            return self._container_status(container_id)[0]
        except (TransientPublishError, AmbiguousPublishError) as exc:
            # Lost answer, 5xx or throttling: a lookup changes nothing, so just ask again.
            wait = exc.retry_after if isinstance(exc, TransientPublishError) else None
            raise make_error(self, TransientPublishError,
                             f"{self.label}: status container belum dapat dicek ({exc}); "
                             "dicek ulang nanti", platform_message=exc.platform_message,
                             status=exc.status, code=exc.code, retry_after=wait) from None
        except ReauthorizationRequired:
            raise
        except PublishError as exc:
            raise make_error(self, AmbiguousPublishError,
                             f"{self.label}: status container tidak dapat dicek ({exc}); "
                             "perlu keputusan operator", platform_message=exc.platform_message,
                             status=exc.status, code=exc.code) from None

    def _unexpected(self, status: str) -> AmbiguousPublishError:
        return make_error(self, AmbiguousPublishError,
                          f"{self.label}: status container tak terduga ({status}); perlu "
                          "keputusan operator")

    def _create_container(self, post: PostPayload) -> str:
        user = self.credential(self.user_field)
        body = self._harmless("POST", f"{user}/{self.create_edge}", self.container_params(post))
        container_id = body.get("id")
        if not container_id:
            raise make_error(self, TransientPublishError,
                             f"{self.label} tidak memberi id container; dicoba lagi nanti")
        return str(container_id)

    def _publish_when_finished(self, container_id: str, *, ready: bool = False) -> Receipt:
        if not ready:
            self._wait_until_finished(container_id)
        media_id = self._publish_container(container_id)
        return Receipt(media_id, self._permalink(media_id))

    def _wait_until_finished(self, container_id: str) -> None:
        for attempt in range(self.poll_attempts):
            status, error_message = self._container_status(container_id, harmless=True)
            if status == FINISHED:
                return
            if status == "ERROR":
                raise make_error(self, PermanentPublishError,
                                 f"{self.label} gagal memproses media: {error_message or status}")
            if status == "EXPIRED":
                raise make_error(self, TransientPublishError,
                                 f"{self.label}: container kedaluwarsa; dibuat ulang nanti")
            if status != IN_PROGRESS:  # PUBLISHED or unknown: do not publish blindly
                raise make_error(self, AmbiguousPublishError,
                                 f"{self.label}: status container tak terduga: {status}")
            if attempt + 1 < self.poll_attempts:
                self.sleep(self.poll_interval)
        raise make_error(self, TransientPublishError,
                         f"{self.label} masih memproses media; dicoba lagi nanti",
                         retry_after=self.not_ready_retry_after)

    def _publish_container(self, container_id: str) -> str:
        user = self.credential(self.user_field)
        body = self.graph_publish(f"{user}/{self.publish_edge}", {"creation_id": container_id})
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
