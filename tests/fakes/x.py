"""Fake X API v2: /2/tweets and /2/media/upload with problem+json errors (platform-apis.md §3)."""

import itertools
from typing import Any

from tests.fakes.base import FakePlatform, RecordedRequest, Reply

DUPLICATE = "You are not allowed to create a Tweet with duplicate content."


def problem(status: int, title: str, detail: str, kind: str = "about:blank",
            headers: dict[str, str] | None = None, **extra: Any) -> Reply:
    body = {"title": title, "detail": detail, "type": kind, "status": status, **extra}
    return Reply(status, body, {"Content-Type": "application/problem+json", **(headers or {})})


class FakeX(FakePlatform):
    """Posts and image uploads, with X's duplicate-content guard per user.

    Constructor arguments: FakePlatform's (clock, latency, tokens, accept_any_token);
    `tokens` are OAuth 2.0 bearer tokens, each one a separate user.

    `published` items: {"id", "text", "media_ids", "user_id"}; `user_id` is made up per
    token ("user-1", "user-2", …) so the token itself is not kept in the results.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.media: dict[str, bytes] = {}
        self._users: dict[str, str] = {}  # token -> made-up user id
        self._ids = itertools.count(1_757_000_000_000_000_001)

    def authorized(self, request: RecordedRequest) -> bool:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        return scheme == "Bearer" and self.accepts(token)

    def user_of(self, request: RecordedRequest) -> str:
        token = request.headers["authorization"].partition(" ")[2]
        return self._users.setdefault(token, f"user-{len(self._users) + 1}")

    def auth_error(self, request: RecordedRequest) -> Reply:
        return problem(401, "Unauthorized", "Unauthorized")

    def handle(self, request: RecordedRequest) -> Reply:
        if (request.method, request.path) == ("POST", "/2/tweets"):
            return self._tweet(request)
        if (request.method, request.path) == ("POST", "/2/media/upload"):
            return self._upload(request)
        return problem(404, "Not Found Error", f"Could not find {request.path}",
                       "https://api.x.com/2/problems/resource-not-found")

    def _tweet(self, request: RecordedRequest) -> Reply:
        body = request.json if isinstance(request.json, dict) else {}
        text = body.get("text")
        media_ids = (body.get("media") or {}).get("media_ids") or []
        if not text or any(m not in self.media for m in media_ids):
            return self.reply_invalid(request)
        user = self.user_of(request)
        if any(t["text"] == text and t["user_id"] == user for t in self._published):
            return self.reply_duplicate(request)
        tweet_id = str(next(self._ids))
        self.record_published({"id": tweet_id, "text": text, "media_ids": media_ids,
                               "user_id": user})
        return Reply(201, {"data": {"id": tweet_id, "text": text,
                                    "edit_history_tweet_ids": [tweet_id]}})

    def _upload(self, request: RecordedRequest) -> Reply:
        image = request.files.get("media")
        if not image or request.param("media_category") != "tweet_image":
            return self.reply_invalid(request)
        media_id = str(next(self._ids))
        self.media[media_id] = image
        return Reply(200, {"data": {"id": media_id, "media_key": f"3_{media_id}",
                                    "size": len(image), "expires_after_secs": 86400}})

    # -- failures ------------------------------------------------------------------

    def reply_rate_limit(self, request: RecordedRequest, retry_after: int = 5) -> Reply:
        reset = int(self.clock.now().timestamp()) + retry_after
        headers = {"x-rate-limit-limit": "100", "x-rate-limit-remaining": "0",
                   "x-rate-limit-reset": str(reset)}
        return problem(429, "Too Many Requests", "Too Many Requests", headers=headers)

    def reply_usage_capped(self, request: RecordedRequest) -> Reply:
        return problem(429, "UsageCapExceeded", "Usage cap exceeded: Monthly product cap",
                       "https://api.x.com/2/problems/usage-capped", period="Monthly",
                       scope="Product")

    def reply_server_error(self, request: RecordedRequest) -> Reply:
        return problem(503, "Service Unavailable", "Service Unavailable")

    def reply_expired_token(self, request: RecordedRequest) -> Reply:
        return self.auth_error(request)

    def reply_duplicate(self, request: RecordedRequest) -> Reply:
        return problem(403, "Forbidden", DUPLICATE)

    def reply_forbidden(self, request: RecordedRequest) -> Reply:
        return problem(403, "Forbidden", "You are not permitted to perform this action.")

    def reply_invalid(self, request: RecordedRequest) -> Reply:
        return problem(400, "Invalid Request", "One or more parameters to your request was "
                       "invalid.", "https://api.x.com/2/problems/invalid-request")

    def reply_echo(self, request: RecordedRequest) -> Reply:
        return problem(400, "Invalid Request", f"Invalid request: {request.echo()}",
                       "https://api.x.com/2/problems/invalid-request")
