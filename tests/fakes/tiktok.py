"""Fake TikTok Content Posting API: creator_info/query, content/init (photos) and
status/fetch (platform-apis.md §6), with TikTok's `{data, error: {code, message, log_id}}`
envelope on every answer.

    with FakeTikTok(tokens={"act.tok"}, verified_domains={"kpu-blitarkota.go.id"}) as fake:
        ...
        fake.calls("/content/init/")

What it checks, as TikTok does: the bearer token (401 access_token_invalid); the
creator's privacy options (400 privacy_level_option_mismatch); photo URLs on a verified
domain (403 url_ownership_unverified); an unaudited client posting anything but
SELF_ONLY (403 unaudited_client_can_only_post_to_private_accounts); the title (90) and
description (4,000) lengths (400 invalid_params); the per-token rate limits on a
one-minute sliding window of the fake's clock (init 6, creator_info 20, status/fetch 30:
TikTok's API reference pages; 429 rate_limit_exceeded, no wait header: TikTok documents
none). A PNG photo is accepted at init and then FAILS with `file_format_check_failed`
when "pulled" (TikTok rejects PNG per community sources; at which step is unconfirmed).

A publish stays PROCESSING_DOWNLOAD for `polls_before_complete` status lookups, then is
PUBLISH_COMPLETE (and in `published`), with `publicaly_available_post_id` unless
`withhold_post_id` (moderation not finished); `fail_next_publish(reason)` makes the next
publish FAIL with that fail_reason instead.
"""

import itertools
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from tests.fakes.base import FakePlatform, RecordedRequest, Reply

PREFIX = "/v2/post/publish/"
RATE_LIMITS = {"content/init/": 6, "creator_info/query/": 20, "status/fetch/": 30}
WINDOW = timedelta(minutes=1)
ALL_LEVELS = ("PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "SELF_ONLY")


@dataclass
class Creator:
    username: str = "akun_uji"
    privacy_level_options: tuple[str, ...] = ALL_LEVELS
    comment_disabled: bool = False


@dataclass
class Publish:
    publish_id: str
    token: str
    body: dict[str, Any]
    polls_left: int
    status: str = "PROCESSING_DOWNLOAD"
    fail_reason: str | None = None
    post_id: int | None = None


def tiktok_error(status: int, code: str, message: str, log_id: str,
                 data: Mapping[str, Any] | None = None) -> Reply:
    return Reply(status, {"data": dict(data or {}),
                          "error": {"code": code, "message": message, "log_id": log_id}})


class FakeTikTok(FakePlatform):
    """Constructor arguments, besides FakePlatform's (clock, latency, tokens,
    accept_any_token, accept_any_account):

    - creators: token -> Creator (username, privacy options, comment setting); a token
      without an entry is a public creator named "akun_uji".
    - verified_domains: hosts (and their subdomains) photo URLs may come from; with
      accept_any_account=True every host passes.
    - audited: False makes it an unaudited client (SELF_ONLY posts only).
    - polls_before_complete, withhold_post_id: see the module's docstring.

    `published` items: {"id", "publish_id", "username", "title", "description",
    "privacy_level", "disable_comment", "photo_images"}.
    """

    def __init__(self, *, creators: Mapping[str, Creator] | None = None,
                 verified_domains: Iterable[str] = (), audited: bool = True,
                 polls_before_complete: int = 0, withhold_post_id: bool = False,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.creators = dict(creators or {})
        self.tokens |= set(self.creators)
        self.verified_domains = {d.lower() for d in verified_domains}
        self.audited = audited
        self.polls_before_complete = polls_before_complete
        self.withhold_post_id = withhold_post_id
        self.publishes: dict[str, Publish] = {}
        self._next_fail: str | None = None
        self._windows: dict[tuple[str, str], deque[datetime]] = {}
        self._ids = itertools.count(1)

    # -- test API ------------------------------------------------------------------

    def fail_next_publish(self, reason: str) -> None:
        with self._lock:
            self._next_fail = reason

    def set_status(self, publish_id: str, status: str, fail_reason: str | None = None) -> None:
        with self._lock:
            job = self.publishes[publish_id]
            job.status, job.fail_reason = status, fail_reason

    def init_requests(self) -> list[RecordedRequest]:
        return self.calls(f"{PREFIX}content/init/", method="POST")

    # -- FakePlatform hooks --------------------------------------------------------

    def authorized(self, request: RecordedRequest) -> bool:
        return self.accepts(_bearer(request))

    def auth_error(self, request: RecordedRequest) -> Reply:
        return self.reply_expired_token(request)

    def flight_key(self, request: RecordedRequest) -> str | None:
        return _bearer(request) or None

    def handle(self, request: RecordedRequest) -> Reply:
        path = request.path.removeprefix(PREFIX)
        routes = {"creator_info/query/": self._creator_info, "content/init/": self._init,
                  "status/fetch/": self._status}
        action = routes.get(path) if request.method == "POST" else None
        if action is None or not request.path.startswith(PREFIX):
            return tiktok_error(404, "invalid_params", "Unknown endpoint", self._log_id())
        if self._throttled(_bearer(request), path):
            return self.reply_rate_limit(request)
        return action(request)

    # -- endpoints -----------------------------------------------------------------

    def _creator_info(self, request: RecordedRequest) -> Reply:
        creator = self._creator(request)
        levels = creator.privacy_level_options if self.audited else ("SELF_ONLY",)
        return self._ok({
            "creator_avatar_url": "https://p16-sign.tiktokcdn.example/avatar.jpeg",
            "creator_username": creator.username, "creator_nickname": creator.username,
            "privacy_level_options": list(levels), "comment_disabled": creator.comment_disabled,
            "duet_disabled": False, "stitch_disabled": False,
            "max_video_post_duration_sec": 300})

    def _init(self, request: RecordedRequest) -> Reply:
        body = request.json if isinstance(request.json, dict) else {}
        problem = self._refusal(request, body)
        if problem is not None:
            return problem
        publish_id = f"p_pub_url~v2.{7_300_000_000_000_000_000 + next(self._ids)}"
        job = Publish(publish_id, _bearer(request), body, self.polls_before_complete)
        self.publishes[publish_id] = job
        photos = body["source_info"]["photo_images"]
        if self._next_fail or any(urlsplit(u).path.lower().endswith(".png") for u in photos):
            job.status = "FAILED"
            job.fail_reason = self._next_fail or "file_format_check_failed"
            self._next_fail = None
        elif job.polls_left <= 0:
            self._complete(job)
        return self._ok({"publish_id": publish_id})

    def _status(self, request: RecordedRequest) -> Reply:
        publish_id = request.param("publish_id")
        job = self.publishes.get(str(publish_id))
        if job is None:
            return tiktok_error(400, "invalid_publish_id", "The publish_id does not exist.",
                                self._log_id())
        if job.token != _bearer(request):
            return tiktok_error(400, "token_not_authorized_for_specified_publish_id",
                                "The access_token does not have authorization for this "
                                "publish_id.", self._log_id())
        if job.status == "PROCESSING_DOWNLOAD":
            job.polls_left -= 1
            if job.polls_left <= 0:
                self._complete(job)
                return self._ok({"status": "PROCESSING_DOWNLOAD", "downloaded_bytes": 1024})
        data: dict[str, Any] = {"status": job.status, "publicaly_available_post_id": []}
        if job.status == "FAILED":
            data["fail_reason"] = job.fail_reason
        if job.status == "PUBLISH_COMPLETE" and job.post_id and not self.withhold_post_id:
            data["publicaly_available_post_id"] = [job.post_id]
        return self._ok(data)

    def _refusal(self, request: RecordedRequest, body: dict[str, Any]) -> Reply | None:
        info, source = body.get("post_info") or {}, body.get("source_info") or {}
        photos = source.get("photo_images")
        log_id = self._log_id()
        if (body.get("media_type") != "PHOTO"
                or body.get("post_mode") not in ("DIRECT_POST", "MEDIA_UPLOAD")
                or source.get("source") != "PULL_FROM_URL"
                or not isinstance(photos, list) or not 1 <= len(photos) <= 35
                or not 0 <= int(source.get("photo_cover_index") or 0) < len(photos)):
            return tiktok_error(400, "invalid_params", "Invalid media_type, post_mode or "
                                "source_info", log_id)
        if len(str(info.get("title") or "")) > 90 or len(str(info.get("description") or "")) > 4000:
            return tiktok_error(400, "invalid_params", "title or description is too long", log_id)
        level = info.get("privacy_level")
        if not self.audited and level != "SELF_ONLY":
            return tiktok_error(403, "unaudited_client_can_only_post_to_private_accounts",
                                "Unaudited clients can only post to private accounts", log_id)
        if level not in self._creator(request).privacy_level_options:
            return tiktok_error(400, "privacy_level_option_mismatch", "privacy_level is not "
                                "one of the creator's privacy_level_options", log_id)
        if not all(self._verified(str(url)) for url in photos):
            return tiktok_error(403, "url_ownership_unverified", "The domain or URL prefix of "
                                "the media URL is not verified", log_id)
        return None

    # -- helpers -------------------------------------------------------------------

    def _complete(self, job: Publish) -> None:
        job.status = "PUBLISH_COMPLETE"
        job.post_id = 7_400_000_000_000_000_000 + next(self._ids)
        info = job.body.get("post_info") or {}
        self.record_published({
            "id": str(job.post_id), "publish_id": job.publish_id,
            "username": self._creator_of(job.token).username, "title": info.get("title"),
            "description": info.get("description"), "privacy_level": info.get("privacy_level"),
            "disable_comment": info.get("disable_comment"),
            "photo_images": list(job.body["source_info"]["photo_images"])})

    def _verified(self, url: str) -> bool:
        host = (urlsplit(url).hostname or "").lower()
        return self.accept_any_account or any(
            host == domain or host.endswith(f".{domain}") for domain in self.verified_domains)

    def _throttled(self, token: str, path: str) -> bool:
        now = self.clock.now()
        times = self._windows.setdefault((token, path), deque())
        while times and now - times[0] >= WINDOW:
            times.popleft()
        if len(times) >= RATE_LIMITS[path]:
            return True
        times.append(now)
        return False

    def _creator(self, request: RecordedRequest) -> Creator:
        return self._creator_of(_bearer(request))

    def _creator_of(self, token: str) -> Creator:
        return self.creators.get(token) or Creator()

    def _ok(self, data: dict[str, Any]) -> Reply:
        return Reply(200, {"data": data, "error": {"code": "ok", "message": "",
                                                   "log_id": self._log_id()}})

    def _log_id(self) -> str:
        return f"{self.clock.now():%Y%m%d%H%M%S}{next(self._ids):018X}"

    # -- failures (fail_next kinds) ------------------------------------------------

    def reply_rate_limit(self, request: RecordedRequest, retry_after: int | None = None) -> Reply:
        """429 without a wait header (TikTok documents none); `retry_after` is ignored."""
        return tiktok_error(429, "rate_limit_exceeded", "Your request is blocked due to "
                            "exceeding the API rate limit.", self._log_id())

    def reply_server_error(self, request: RecordedRequest) -> Reply:
        return tiktok_error(500, "internal_error", "Something went wrong. Please try again "
                            "later.", self._log_id())

    def reply_expired_token(self, request: RecordedRequest) -> Reply:
        return tiktok_error(401, "access_token_invalid", "The access token is invalid or not "
                            "found in the request.", self._log_id())

    def reply_refuse(self, request: RecordedRequest, status: int = 400,
                     code: str = "invalid_params", message: str = "Refused") -> Reply:
        """Any documented refusal: fail_next("refuse", status=403, code="spam_risk_text").
        (reached_active_user_cap's HTTP status is unconfirmed; the adapter reads the code.)"""
        return tiktok_error(status, code, message, self._log_id())

    def reply_echo(self, request: RecordedRequest) -> Reply:
        return tiktok_error(400, "invalid_params", f"Invalid request: {request.echo()}",
                            self._log_id())

    def reply_unknown_error(self, request: RecordedRequest) -> Reply:
        return Reply(502, "<html><body>502 Bad Gateway</body></html>")


def _bearer(request: RecordedRequest) -> str:
    auth = request.headers.get("authorization", "")
    return auth[7:].strip() if auth[:7].lower() == "bearer " else ""
