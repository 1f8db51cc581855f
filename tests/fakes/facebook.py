"""Fake Facebook Pages API: POST /{page}/feed and /{page}/photos, GET /{page}/posts
(platform-apis.md §1; Graph's cursor paging and its since/until/limit filters)."""

import base64
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from tests.fakes.base import RecordedRequest, Reply
from tests.fakes.meta import FakeGraph, graph_error

CREATED_TIME = "%Y-%m-%dT%H:%M:%S%z"  # Graph writes "2024-02-10T02:00:05+0000"
LISTING_FIELDS = frozenset({"id", "message", "created_time", "permalink_url"})
DEFAULT_FIELDS = ("created_time", "message", "id")  # what Graph answers without `fields`
DEFAULT_LIMIT, MAX_LIMIT = 25, 100


class FakeFacebook(FakeGraph):
    """Page posts, with the 506 guard against an identical consecutive post.

    Constructor arguments, besides FakePlatform's (clock, latency, tokens,
    accept_any_token, accept_any_account):

    - page_id / page_ids: the Pages it knows; give one, many, or neither with
      accept_any_account=True.

    `published` items: {"id", "page_id", "message", "created_time"} for feed posts and
    {"id", "page_id", "photo_id", "caption", "alt_text_custom", "image", "created_time"}
    for photos (`alt_text_custom`: the photo's alt text as sent, None when not sent);
    `created_time` is the fake clock's time in Graph's format. GET /{page}/posts lists
    them newest first, a photo post with its caption as `message`, like Graph does.
    Only an identical post right after the same one on the same Page meets the 506
    guard: with another post in between, Facebook takes it.
    """

    rate_limit_code = 32
    usage_type = "pages"

    def __init__(self, *, page_id: str | None = None, page_ids: Iterable[str] = (),
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.page_ids = {*page_ids, *([page_id] if page_id else [])}

    def route(self, request: RecordedRequest, parts: list[str]) -> Reply | None:
        if len(parts) != 2:
            return None
        if not self.knows(parts[0], self.page_ids):
            return graph_error(400, f"Unsupported {request.method.lower()} request. Object "
                               f"with ID '{parts[0]}' does not exist", 100, 33)
        action = {("POST", "feed"): self._feed, ("POST", "photos"): self._photo,
                  ("GET", "posts"): self._posts}.get((request.method, parts[1]))
        return action(request, parts[0]) if action else None

    def permalink(self, post: dict[str, Any]) -> str:
        return f"https://www.facebook.com/{post['page_id']}/posts/{post['id']}"

    # -- publishing ------------------------------------------------------------------

    def _feed(self, request: RecordedRequest, page: str) -> Reply:
        message = request.param("message")
        if not message:
            return graph_error(400, "(#100) Missing message or attachment", 100)
        on_page = self._on(page)
        if on_page and on_page[-1].get("message") == message:
            return self.reply_duplicate(request)
        post = {"id": f"{page}_{self.next_id()}", "page_id": page, "message": message,
                "created_time": self._now()}
        self.record_published(post)
        body = {"id": post["id"]}
        if "permalink_url" in (request.param("fields") or ""):
            body["permalink_url"] = self.permalink(post)
        return Reply(200, body)

    def _photo(self, request: RecordedRequest, page: str) -> Reply:
        if "source" not in request.files and not request.param("url"):
            return graph_error(400, "(#324) Requires upload file", 324)
        photo_id, post_id = str(self.next_id()), f"{page}_{self.next_id()}"
        self.record_published({"id": post_id, "page_id": page, "photo_id": photo_id,
                               "caption": request.param("caption"),
                               "alt_text_custom": request.param("alt_text_custom"),
                               "image": request.files.get("source"),
                               "created_time": self._now()})
        return Reply(200, {"id": photo_id, "post_id": post_id})

    # -- listing -----------------------------------------------------------------------

    def _posts(self, request: RecordedRequest, page: str) -> Reply:
        try:
            fields = _fields(request.query.get("fields"))
            limit = _limit(request.query.get("limit"))
            since, until = (_instant(request.query.get(n)) for n in ("since", "until"))
            posts = self._after(self._listing(page, since, until), request.query.get("after"))
        except ValueError as exc:
            return graph_error(400, f"(#100) {exc}", 100)
        chunk, more = posts[:limit], len(posts) > limit
        body: dict[str, Any] = {"data": [self._shown(post, fields) for post in chunk]}
        if chunk:
            body["paging"] = {"cursors": {"before": _cursor(chunk[0]),
                                          "after": _cursor(chunk[-1])}}
            if more:  # like Graph: the next URL repeats the query, token included
                query = {**request.query, "after": _cursor(chunk[-1])}
                body["paging"]["next"] = f"{self.url}{request.path}?{urlencode(query)}"
        return Reply(200, body)

    def _listing(self, page: str, since: datetime | None,
                 until: datetime | None) -> list[dict[str, Any]]:
        """The Page's posts newest first (the later one first within a second)."""
        newest_first = sorted(enumerate(self._on(page)), reverse=True,
                              key=lambda pair: (_created(pair[1]), pair[0]))
        return [post for _, post in newest_first
                if (since is None or _created(post) >= since)
                and (until is None or _created(post) <= until)]

    def _after(self, posts: list[dict[str, Any]], cursor: str | None) -> list[dict[str, Any]]:
        if cursor is None:
            return posts
        try:
            post_id = base64.urlsafe_b64decode(cursor.encode()).decode()
        except ValueError:
            raise ValueError(f"Invalid cursor: {cursor}") from None
        ids = [post["id"] for post in posts]
        if post_id not in ids:
            raise ValueError(f"Invalid cursor: {cursor}")
        return posts[ids.index(post_id) + 1:]

    def _shown(self, post: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
        message = post.get("message") or post.get("caption")
        values = {"id": post["id"], "message": message, "created_time": post["created_time"],
                  "permalink_url": self.permalink(post)}
        # Graph leaves a field out when it has no value (a photo without caption).
        return {name: values[name] for name in fields if values[name] is not None}

    def _on(self, page: str) -> list[dict[str, Any]]:
        return [post for post in self._published if post["page_id"] == page]

    def _now(self) -> str:
        return self.clock.now().astimezone(UTC).strftime(CREATED_TIME)

    # -- failures ------------------------------------------------------------------

    def reply_duplicate(self, request: RecordedRequest) -> Reply:
        return graph_error(400, "(#506) Duplicate status message", 506)


def _fields(value: str | None) -> tuple[str, ...]:
    if not value:
        return DEFAULT_FIELDS
    names = tuple(name.strip() for name in value.split(","))
    unknown = [name for name in names if name not in LISTING_FIELDS]
    if unknown:
        raise ValueError(f"Tried accessing nonexisting field ({unknown[0]}) on node type "
                         "(Post)")
    return ("id", *[name for name in names if name != "id"])


def _limit(value: str | None) -> int:
    if value is None:
        return DEFAULT_LIMIT
    if not value.isdigit() or int(value) < 1:
        raise ValueError(f"Invalid limit: {value}")
    return min(int(value), MAX_LIMIT)


def _instant(value: str | None) -> datetime | None:
    """`since`/`until`: a Unix timestamp, or a date Graph's strtotime reads (ISO here)."""
    if value is None:
        return None
    if value.isdigit():
        return datetime.fromtimestamp(int(value), UTC)
    try:
        instant = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"Invalid time value: {value}") from None
    return instant if instant.tzinfo else instant.replace(tzinfo=UTC)


def _created(post: dict[str, Any]) -> datetime:
    return datetime.strptime(post["created_time"], CREATED_TIME)


def _cursor(post: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(str(post["id"]).encode()).decode()
