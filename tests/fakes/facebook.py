"""Fake Facebook Pages API: /{page}/feed and /{page}/photos (platform-apis.md §1)."""

from typing import Any

from tests.fakes.base import RecordedRequest, Reply
from tests.fakes.meta import FakeGraph, graph_error


class FakeFacebook(FakeGraph):
    rate_limit_code = 32
    usage_type = "pages"

    def __init__(self, *, page_id: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.page_id = page_id
        self.posts: list[dict[str, Any]] = []

    def route(self, request: RecordedRequest, parts: list[str]) -> Reply | None:
        if request.method != "POST" or len(parts) != 2:
            return None
        if parts[0] != self.page_id:
            return graph_error(400, f"Unsupported post request. Object with ID '{parts[0]}' "
                               "does not exist", 100, 33)
        if parts[1] == "feed":
            return self._feed(request)
        if parts[1] == "photos":
            return self._photo(request)
        return None

    def _feed(self, request: RecordedRequest) -> Reply:
        message = request.param("message")
        if not message:
            return graph_error(400, "(#100) Missing message or attachment", 100)
        if self.posts and self.posts[-1].get("message") == message:
            return self.reply_duplicate(request)
        post_id = f"{self.page_id}_{self.next_id()}"
        self.posts.append({"id": post_id, "message": message})
        body = {"id": post_id}
        if "permalink_url" in (request.param("fields") or ""):
            body["permalink_url"] = f"https://www.facebook.com/{self.page_id}/posts/{post_id}"
        return Reply(200, body)

    def _photo(self, request: RecordedRequest) -> Reply:
        if "source" not in request.files and not request.param("url"):
            return graph_error(400, "(#324) Requires upload file", 324)
        photo_id, post_id = str(self.next_id()), f"{self.page_id}_{self.next_id()}"
        self.posts.append({"id": post_id, "photo_id": photo_id,
                           "caption": request.param("caption"),
                           "image": request.files.get("source")})
        return Reply(200, {"id": photo_id, "post_id": post_id})

    def reply_duplicate(self, request: RecordedRequest) -> Reply:
        return graph_error(400, "(#506) Duplicate status message", 506)
