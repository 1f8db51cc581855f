"""Fake Facebook Pages API: /{page}/feed and /{page}/photos (platform-apis.md §1)."""

from collections.abc import Iterable
from typing import Any

from tests.fakes.base import RecordedRequest, Reply
from tests.fakes.meta import FakeGraph, graph_error


class FakeFacebook(FakeGraph):
    """Page posts, with the 506 guard against an identical consecutive post.

    Constructor arguments, besides FakePlatform's (clock, latency, tokens,
    accept_any_token, accept_any_account):

    - page_id / page_ids: the Pages it knows; give one, many, or neither with
      accept_any_account=True.

    `published` items: {"id", "page_id", "message"} for feed posts and {"id", "page_id",
    "photo_id", "caption", "image"} for photos.
    """

    rate_limit_code = 32
    usage_type = "pages"

    def __init__(self, *, page_id: str | None = None, page_ids: Iterable[str] = (),
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.page_ids = {*page_ids, *([page_id] if page_id else [])}

    def route(self, request: RecordedRequest, parts: list[str]) -> Reply | None:
        if request.method != "POST" or len(parts) != 2:
            return None
        if not self.knows(parts[0], self.page_ids):
            return graph_error(400, f"Unsupported post request. Object with ID '{parts[0]}' "
                               "does not exist", 100, 33)
        if parts[1] == "feed":
            return self._feed(request, parts[0])
        if parts[1] == "photos":
            return self._photo(request, parts[0])
        return None

    def _feed(self, request: RecordedRequest, page: str) -> Reply:
        message = request.param("message")
        if not message:
            return graph_error(400, "(#100) Missing message or attachment", 100)
        on_page = [post for post in self._published if post["page_id"] == page]
        if on_page and on_page[-1].get("message") == message:
            return self.reply_duplicate(request)
        post_id = f"{page}_{self.next_id()}"
        self.record_published({"id": post_id, "page_id": page, "message": message})
        body = {"id": post_id}
        if "permalink_url" in (request.param("fields") or ""):
            body["permalink_url"] = f"https://www.facebook.com/{page}/posts/{post_id}"
        return Reply(200, body)

    def _photo(self, request: RecordedRequest, page: str) -> Reply:
        if "source" not in request.files and not request.param("url"):
            return graph_error(400, "(#324) Requires upload file", 324)
        photo_id, post_id = str(self.next_id()), f"{page}_{self.next_id()}"
        self.record_published({"id": post_id, "page_id": page, "photo_id": photo_id,
                               "caption": request.param("caption"),
                               "image": request.files.get("source")})
        return Reply(200, {"id": photo_id, "post_id": post_id})

    def reply_duplicate(self, request: RecordedRequest) -> Reply:
        return graph_error(400, "(#506) Duplicate status message", 506)
