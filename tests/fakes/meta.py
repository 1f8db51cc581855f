"""Graph API fakes shared by Facebook, Instagram and Threads: the error envelope,
the usage headers, and the media-container platforms (create, status, publish)."""

import itertools
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from tests.fakes.base import FakePlatform, RecordedRequest, Reply

_VERSION = re.compile(r"^/v\d+\.\d+")


def graph_error(status: int, message: str, code: int, subcode: int | None = None,
                kind: str = "OAuthException", headers: dict[str, str] | None = None) -> Reply:
    error: dict[str, Any] = {"message": message, "type": kind, "code": code,
                             "fbtrace_id": "AbCdEfGhIjK"}
    if subcode is not None:
        error["error_subcode"] = subcode
    return Reply(status, {"error": error}, headers or {})


class FakeGraph(FakePlatform):
    """Versioned paths, `access_token` anywhere, errors in the Graph envelope.

    Takes FakePlatform's arguments (clock, latency, tokens, accept_any_token,
    accept_any_account); `tokens` are access tokens.
    """

    rate_limit_code = 4
    usage_type = "pages"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._ids = itertools.count(1)

    def authorized(self, request: RecordedRequest) -> bool:
        return self.accepts(request.param("access_token"))

    def flight_key(self, request: RecordedRequest) -> str | None:
        # Each Page or user has its own token: requests in flight are counted per token.
        token = request.param("access_token")
        return f"token:{token}" if token else None

    def auth_error(self, request: RecordedRequest) -> Reply:
        return graph_error(400, "Error validating access token: The session has been "
                           "invalidated because the user changed their password.", 190, 460)

    def handle(self, request: RecordedRequest) -> Reply:
        parts = _VERSION.sub("", request.path).strip("/").split("/")
        return self.route(request, parts) or graph_error(
            400, f"Unknown path components: /{'/'.join(parts)}", 2500)

    def route(self, request: RecordedRequest, parts: list[str]) -> Reply | None:
        raise NotImplementedError

    def next_id(self) -> int:
        return next(self._ids)

    # -- failures ------------------------------------------------------------------

    def reply_rate_limit(self, request: RecordedRequest, retry_after: int = 5) -> Reply:
        """Throttled: the wait is only in the usage headers, in minutes."""
        usage = {"type": self.usage_type, "call_count": 100, "total_cputime": 30,
                 "total_time": 40, "estimated_time_to_regain_access": retry_after}
        headers = {"X-Business-Use-Case-Usage": json.dumps({"1029384756": [usage]}),
                   "X-App-Usage": json.dumps({"call_count": 100, "total_cputime": 30,
                                              "total_time": 40})}
        return graph_error(400, "(#4) Application request limit reached",
                           self.rate_limit_code, headers=headers)

    def reply_server_error(self, request: RecordedRequest) -> Reply:
        return graph_error(503, "(#2) Service temporarily unavailable", 2)

    def reply_unknown_error(self, request: RecordedRequest) -> Reply:
        return Reply(502, "<html><body>502 Bad Gateway</body></html>")

    def reply_expired_token(self, request: RecordedRequest) -> Reply:
        return graph_error(400, "Error validating access token: Session has expired on "
                           "Saturday, 10-Feb-24 01:00:00 PST.", 190, 463)

    def reply_permission(self, request: RecordedRequest) -> Reply:
        return graph_error(403, "(#200) The user hasn't authorized the application to "
                           "perform this action", 200)

    def reply_invalid(self, request: RecordedRequest) -> Reply:
        return graph_error(400, "(#100) Invalid parameter", 100)

    def reply_echo(self, request: RecordedRequest) -> Reply:
        return graph_error(400, f"(#100) Invalid parameter: {request.echo()}", 100)


@dataclass
class Container:
    id: str
    user: str
    text: str | None
    image_url: str | None
    status: str
    polls_left: int
    media_id: str | None = None
    alt_text: str | None = None


class FakeContainerPlatform(FakeGraph):
    """Instagram and Threads: containers go IN_PROGRESS → FINISHED → PUBLISHED.

    Constructor arguments, besides FakePlatform's (clock, latency, tokens,
    accept_any_token, accept_any_account):

    - user_id / user_ids: the account ids (ig-user-id, threads-user-id) it knows;
      give one, many, or neither with accept_any_account=True.
    - polls_before_finished: status lookups a new container answers IN_PROGRESS first.

    `published` items: {"id", <text field>, "alt_text", "permalink", "container_id",
    "user_id"} (`alt_text` as sent with the container, None when not sent);
    listing and the publishing quota are per account, like Meta's.
    """

    create_edge: str
    publish_edge: str
    quota_edge: str
    status_field: str
    text_field: str
    quota_total: int

    def __init__(self, *, user_id: str | None = None, user_ids: Iterable[str] = (),
                 polls_before_finished: int = 0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.user_ids = {*user_ids, *([user_id] if user_id else [])}
        self.polls_before_finished = polls_before_finished
        self.containers: dict[str, Container] = {}

    def container_requests(self) -> list[RecordedRequest]:
        """The container-creating calls (a path substring would also match publishing)."""
        return [r for r in self.calls(method="POST") if r.path.endswith(f"/{self.create_edge}")]

    def set_status(self, container_id: str, status: str) -> None:
        with self._lock:
            self.containers[container_id].status = status

    def permalink(self, media_id: str) -> str:
        raise NotImplementedError

    def validate(self, request: RecordedRequest) -> Reply | None:
        """A Graph error when the container request lacks what the platform needs."""
        raise NotImplementedError

    def route(self, request: RecordedRequest, parts: list[str]) -> Reply | None:
        if len(parts) == 2 and not self.knows(parts[0], self.user_ids):
            return graph_error(400, f"Unsupported request. Object with ID '{parts[0]}' does "
                               "not exist", 100, 33)
        edge = tuple(parts[1:])
        routes: dict[tuple[str, tuple[str, ...]], Callable[[RecordedRequest], Reply]] = {
            ("POST", (self.create_edge,)): lambda r: self._create(r, parts[0]),
            ("POST", (self.publish_edge,)): lambda r: self._publish(r, parts[0]),
            ("GET", (self.create_edge,)): lambda r: self._list(parts[0]),
            ("GET", (self.quota_edge,)): lambda r: self._quota(parts[0]),
            ("GET", ()): lambda r: self._lookup(parts[0])}
        action = routes.get((request.method, edge))
        return action(request) if action else None

    def _create(self, request: RecordedRequest, user: str) -> Reply:
        problem = self.validate(request)
        if problem:
            return problem
        cid = str(17_890_000_000_000_000 + self.next_id())
        polls = self.polls_before_finished
        self.containers[cid] = Container(
            cid, user, request.param(self.text_field), request.param("image_url"),
            "IN_PROGRESS" if polls else "FINISHED", polls, alt_text=request.param("alt_text"))
        return Reply(200, {"id": cid})

    def _publish(self, request: RecordedRequest, user: str) -> Reply:
        container = self.containers.get(str(request.param("creation_id")))
        if container is None or container.user != user:
            return graph_error(400, "(#100) Invalid creation_id", 100)
        if container.status != "FINISHED":  # Meta never publishes a container twice
            return graph_error(400, "Media ID is not available", 9007, 2207027)
        if len(self._of(user)) >= self.quota_total:
            return self.reply_quota(request)
        media_id = str(18_000_000_000_000_000 + self.next_id())
        container.status, container.media_id = "PUBLISHED", media_id
        self.record_published({"id": media_id, self.text_field: container.text,
                               "alt_text": container.alt_text,
                               "permalink": self.permalink(media_id),
                               "container_id": container.id, "user_id": user})
        return Reply(200, {"id": media_id})

    def _lookup(self, object_id: str) -> Reply:
        container = self.containers.get(object_id)
        if container is not None:
            if container.status == "IN_PROGRESS":
                container.polls_left -= 1
                if container.polls_left <= 0:
                    container.status = "FINISHED"
                    return Reply(200, {"id": object_id, self.status_field: "IN_PROGRESS"})
            body = {"id": object_id, self.status_field: container.status}
            if container.status == "ERROR":
                body["error_message"] = "Media download failed: image could not be fetched"
            return Reply(200, body)
        for item in self._published:
            if item["id"] == object_id:
                return Reply(200, {"id": object_id, "permalink": item["permalink"]})
        return graph_error(400, f"Unsupported get request. Object with ID '{object_id}' "
                           "does not exist", 100, 33)

    def _list(self, user: str) -> Reply:
        hidden = ("container_id", "user_id")
        # Graph leaves out a field without a value (a post without alt text).
        items = [{k: v for k, v in item.items() if k not in hidden and v is not None}
                 for item in reversed(self._of(user))]
        return Reply(200, {"data": items, "paging": {}})

    def _quota(self, user: str) -> Reply:
        return Reply(200, {"data": [{"quota_usage": len(self._of(user)), "config": {
            "quota_total": self.quota_total, "quota_duration": 86400}}]})

    def _of(self, user: str) -> list[dict[str, Any]]:
        return [item for item in self._published if item["user_id"] == user]

    def reply_quota(self, request: RecordedRequest) -> Reply:
        return graph_error(400, "Application request limit reached: you reached the "
                           "maximum number of posts allowed by the API", 9, 2207042)
