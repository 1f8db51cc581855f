"""The fake Papan server the example plugin's test publishes to, over real HTTP."""

from typing import Any

from tests.fakes.base import FakePlatform, RecordedRequest, Reply


class FakePapan(FakePlatform):
    """Accepts notes for its `tokens`; `published` items: {"id", "text", "handle"}."""

    def authorized(self, request: RecordedRequest) -> bool:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        return scheme == "Bearer" and self.accepts(token)

    def auth_error(self, request: RecordedRequest) -> Reply:
        return Reply(401, {"error": "invalid token"})

    def handle(self, request: RecordedRequest) -> Reply:
        if (request.method, request.path) != ("POST", "/v1/notes"):
            return Reply(404, {"error": "not found"})
        body: Any = request.json
        note = {"id": f"note-{len(self.published) + 1}", "text": body["text"],
                "handle": body["handle"]}
        self.record_published(note)
        return Reply(200, {"id": note["id"]})
