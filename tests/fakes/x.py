"""Fake X API v2: POST /2/tweets, /2/media/upload and /2/media/metadata (alt text), GET
/2/users/me and the user's timeline /2/users/{id}/tweets, with problem+json errors
(platform-apis.md §3; docs.x.com "Create Media metadata")."""

import base64
import hashlib
import itertools
import re
from datetime import UTC, datetime
from typing import Any

from tests.fakes.base import FakePlatform, RecordedRequest, Reply

DUPLICATE = "You are not allowed to create a Tweet with duplicate content."
INVALID = "https://api.x.com/2/problems/invalid-request"
DEFAULT_RESULTS, MIN_RESULTS, MAX_RESULTS = 10, 5, 100
TIMELINE_FIELDS = frozenset({"created_at", "entities"})  # the ones modelled here
# What X links in a post: URLs with a scheme, and bare domains under a known TLD
# (a small list here; X uses the full one). Closing punctuation is not part of a link.
TLDS = ("com", "org", "net", "id", "io", "co", "info", "me", "gov", "edu")
LINK = re.compile(r"(?<![\w@/.-])(?:https?://)?(?:[a-z0-9-]+\.)+(?:" + "|".join(TLDS)
                  + r")(?![a-z0-9-])(?::\d+)?(?:/\S*)?", re.IGNORECASE)
CLOSING = ".,:;!?)'\""
DISPLAY_CHARS = 23
ALT_TEXT_MAX = 1000  # media metadata: "Must be <= 1000 chars"


def problem(status: int, title: str, detail: str, kind: str = "about:blank",
            headers: dict[str, str] | None = None, **extra: Any) -> Reply:
    body = {"title": title, "detail": detail, "type": kind, "status": status, **extra}
    return Reply(status, body, {"Content-Type": "application/problem+json", **(headers or {})})


def created_at(instant: datetime) -> str:
    """X's timestamps: RFC 3339 in UTC with milliseconds, "2024-02-10T02:00:05.000Z"."""
    utc = instant.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


class FakeX(FakePlatform):
    """Posts and image uploads, with X's duplicate-content guard per user, and the
    user's timeline as X lists it.

    Constructor arguments: FakePlatform's (clock, latency, tokens, accept_any_token);
    `tokens` are OAuth 2.0 bearer tokens, each one a separate user.

    `published` items: {"id", "text", "media_ids", "alt_texts", "user_id", "created_at"}:
    `text` as sent, `alt_texts` the alt text of each attached media (None where none was
    set through /2/media/metadata), `created_at` from the fake clock; `user_id` is made
    up per token (numeric, as on X) so the token itself is not kept in the results. The
    timeline shows each post as X does: URLs (bare domains too) replaced by t.co links,
    `&`, `<`, `>` escaped, a trailing t.co link for attached media, and `entities.urls`
    to map them back.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.media: dict[str, bytes] = {}
        self.alt_texts: dict[str, str] = {}  # media id -> alt text set by /2/media/metadata
        self._users: dict[str, str] = {}  # token -> made-up user id
        self._ids = itertools.count(1_757_000_000_000_000_001)

    def authorized(self, request: RecordedRequest) -> bool:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        return scheme == "Bearer" and self.accepts(token)

    def flight_key(self, request: RecordedRequest) -> str | None:
        # One user token per account: requests in flight are counted per token.
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        return f"token:{token}" if scheme == "Bearer" and token else None

    def user_of(self, request: RecordedRequest) -> str:
        token = request.headers["authorization"].partition(" ")[2]
        return self._users.setdefault(token, str(1_400_000_000_000_000_001 + len(self._users)))

    def username(self, user: str) -> str:
        return f"akun_{int(user) - 1_400_000_000_000_000_000}"

    def auth_error(self, request: RecordedRequest) -> Reply:
        return problem(401, "Unauthorized", "Unauthorized")

    def handle(self, request: RecordedRequest) -> Reply:
        route = (request.method, request.path)
        if route == ("POST", "/2/tweets"):
            return self._tweet(request)
        if route == ("POST", "/2/media/upload"):
            return self._upload(request)
        if route == ("POST", "/2/media/metadata"):
            return self._metadata(request)
        if route == ("GET", "/2/users/me"):
            return self._me(request)
        parts = request.path.strip("/").split("/")
        if request.method == "GET" and parts[:2] == ["2", "users"] and parts[3:] == ["tweets"]:
            return self._timeline(request, parts[2])
        return problem(404, "Not Found Error", f"Could not find {request.path}",
                       "https://api.x.com/2/problems/resource-not-found")

    # -- publishing ------------------------------------------------------------------

    def _tweet(self, request: RecordedRequest) -> Reply:
        body = request.json if isinstance(request.json, dict) else {}
        text = body.get("text")
        media_ids = (body.get("media") or {}).get("media_ids") or []
        if not text or any(m not in self.media for m in media_ids):
            return self.reply_invalid(request)
        user = self.user_of(request)
        if any(t["text"] == text and t["user_id"] == user for t in self._published):
            return self.reply_duplicate(request)
        tweet = {"id": str(next(self._ids)), "text": text, "media_ids": media_ids,
                 "alt_texts": [self.alt_texts.get(m) for m in media_ids],
                 "user_id": user, "created_at": created_at(self.clock.now())}
        self.record_published(tweet)
        shown = self._shown(tweet, frozenset())
        return Reply(201, {"data": {**shown, "edit_history_tweet_ids": [tweet["id"]]}})

    def _upload(self, request: RecordedRequest) -> Reply:
        image = request.files.get("media")
        if not image or request.param("media_category") != "tweet_image":
            return self.reply_invalid(request)
        media_id = str(next(self._ids))
        self.media[media_id] = image
        return Reply(200, {"data": {"id": media_id, "media_key": f"3_{media_id}",
                                    "size": len(image), "expires_after_secs": 86400}})

    def _metadata(self, request: RecordedRequest) -> Reply:
        """`{"id": MEDIA_ID, "metadata": {"alt_text": {"text": ...}}}` for an uploaded
        image; the text at most 1000 characters. Anything else is an invalid request."""
        body = request.json if isinstance(request.json, dict) else {}
        media_id, metadata = body.get("id"), body.get("metadata")
        alt = metadata.get("alt_text") if isinstance(metadata, dict) else None
        text = alt.get("text") if isinstance(alt, dict) else None
        if (not isinstance(media_id, str) or media_id not in self.media
                or not isinstance(text, str) or not 0 < len(text) <= ALT_TEXT_MAX):
            return self.reply_invalid(request)
        self.alt_texts[media_id] = text
        return Reply(200, {"data": {"id": media_id,
                                    "associated_metadata": {"alt_text": {"text": text}}}})

    # -- reading -----------------------------------------------------------------------

    def _me(self, request: RecordedRequest) -> Reply:
        user = self.user_of(request)
        name = self.username(user)
        return Reply(200, {"data": {"id": user, "name": name, "username": name}})

    def _timeline(self, request: RecordedRequest, user: str) -> Reply:
        if not user.isdigit():
            return problem(400, "Invalid Request", "One or more parameters to your request "
                           "was invalid.", INVALID, errors=[{"parameters": {"id": [user]},
                           "message": f"The `id` query parameter value [{user}] does not "
                           "match ^[0-9]{1,19}$"}])
        if user not in self._users.values():
            # X answers 200 with only an `errors` list for a user it cannot find.
            return Reply(200, {"errors": [{"value": user, "detail": "Could not find user "
                               f"with id: [{user}].", "title": "Not Found Error",
                               "resource_type": "user", "parameter": "id",
                               "type": "https://api.x.com/2/problems/resource-not-found"}]})
        try:
            query = _TimelineQuery.parse(request.query)
        except ValueError as exc:
            return problem(400, "Invalid Request", str(exc), INVALID)
        tweets = query.after(self._timeline_of(user, query))
        chunk = tweets[:query.max_results]
        if not chunk:
            return Reply(200, {"meta": {"result_count": 0}})
        meta = {"result_count": len(chunk), "newest_id": chunk[0]["id"],
                "oldest_id": chunk[-1]["id"]}
        if len(tweets) > len(chunk):
            meta["next_token"] = _token(chunk[-1]["id"])
        return Reply(200, {"data": [self._shown(t, query.fields) for t in chunk],
                           "meta": meta})

    def _timeline_of(self, user: str, query: "_TimelineQuery") -> list[dict[str, Any]]:
        """The user's posts newest first (the later one first within a millisecond)."""
        own = [(i, t) for i, t in enumerate(self._published) if t["user_id"] == user]
        newest_first = sorted(own, reverse=True, key=lambda p: (_instant(p[1]), p[0]))
        return [t for _, t in newest_first if query.covers(_instant(t))]

    def _shown(self, tweet: dict[str, Any], fields: frozenset[str]) -> dict[str, Any]:
        media_url = None
        if tweet["media_ids"]:
            media_url = (f"https://x.com/{self.username(tweet['user_id'])}/status/"
                         f"{tweet['id']}/photo/1")
        text, urls = render(tweet["text"], tweet["id"], media_url, tweet["media_ids"])
        shown: dict[str, Any] = {"id": tweet["id"], "text": text,
                                 "edit_history_tweet_ids": [tweet["id"]]}
        if "created_at" in fields:
            shown["created_at"] = tweet["created_at"]
        if "entities" in fields and urls:
            shown["entities"] = {"urls": urls}
        return shown

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
                       "invalid.", INVALID)

    def reply_echo(self, request: RecordedRequest) -> Reply:
        return problem(400, "Invalid Request", f"Invalid request: {request.echo()}", INVALID)


class _TimelineQuery:
    """The timeline's query parameters, checked as X checks them."""

    def __init__(self, max_results: int, start: datetime | None, end: datetime | None,
                 after_id: str | None, fields: frozenset[str]) -> None:
        self.max_results, self.start, self.end = max_results, start, end
        self.after_id, self.fields = after_id, fields

    @classmethod
    def parse(cls, query: dict[str, str]) -> "_TimelineQuery":
        raw = query.get("max_results", str(DEFAULT_RESULTS))
        if not raw.isdigit() or not MIN_RESULTS <= int(raw) <= MAX_RESULTS:
            raise ValueError(f"The `max_results` query parameter value [{raw}] is not between "
                             f"{MIN_RESULTS} and {MAX_RESULTS}")
        fields = frozenset(f for f in query.get("tweet.fields", "").split(",") if f)
        return cls(int(raw), _rfc3339(query, "start_time"), _rfc3339(query, "end_time"),
                   _untoken(query.get("pagination_token")), fields & TIMELINE_FIELDS)

    def covers(self, instant: datetime) -> bool:
        return ((self.start is None or instant >= self.start)
                and (self.end is None or instant < self.end))

    def after(self, tweets: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if self.after_id is None:
            return tweets
        ids = [t["id"] for t in tweets]
        if self.after_id not in ids:
            raise ValueError("The `pagination_token` query parameter value is not valid")
        return tweets[ids.index(self.after_id) + 1:]


def _rfc3339(query: dict[str, str], name: str) -> datetime | None:
    value = query.get(name)
    if value is None:
        return None
    try:
        instant = datetime.fromisoformat(value)
    except ValueError:
        instant = None
    if instant is None or instant.tzinfo is None:
        raise ValueError(f"Invalid '{name}':'{value}'. '{name}' must be a valid RFC 3339 "
                         "date-time, e.g. 2024-02-10T02:00:00Z")
    return instant


def _instant(tweet: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(tweet["created_at"])


def _token(tweet_id: str) -> str:
    return base64.b32encode(tweet_id.encode()).decode().lower().rstrip("=")


def _untoken(token: str | None) -> str | None:
    if token is None:
        return None
    try:
        padded = token.upper() + "=" * (-len(token) % 8)
        return base64.b32decode(padded).decode()
    except ValueError:
        raise ValueError("The `pagination_token` query parameter value is not valid") from None


def render(text: str, tweet_id: str, media_url: str | None,
           media_ids: list[str]) -> tuple[str, list[dict[str, Any]]]:
    """A post's text as X shows it, with its `entities.urls`: every link replaced by a
    t.co link, `&`, `<`, `>` escaped, and a t.co link to the attached image at the end."""
    shown, urls, position = "", [], 0
    for number, found in enumerate(LINK.finditer(text)):
        written = found.group().rstrip(CLOSING)
        shown += _escaped(text[position:found.start()])
        position = found.start() + len(written)
        expanded = written if re.match(r"https?://", written, re.I) else f"http://{written}"
        urls.append(_link(shown, _tco(tweet_id, number), expanded, _display(expanded)))
        shown += urls[-1]["url"]
    shown += _escaped(text[position:])
    if media_ids and media_url:
        shown += " "
        tco = _tco(tweet_id, len(urls))
        urls.append({**_link(shown, tco, media_url, f"pic.x.com/{tco.rsplit('/', 1)[1]}"),
                     "media_key": f"3_{media_ids[0]}"})
        shown += tco
    return shown, urls


def _link(before: str, tco: str, expanded: str, display: str) -> dict[str, Any]:
    return {"start": len(before), "end": len(before) + len(tco), "url": tco,
            "expanded_url": expanded, "display_url": display}


def _escaped(segment: str) -> str:
    return segment.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _tco(tweet_id: str, number: int) -> str:
    return "https://t.co/" + hashlib.sha256(f"{tweet_id}:{number}".encode()).hexdigest()[:10]


def _display(expanded: str) -> str:
    bare = re.sub(r"^https?://(www\.)?", "", expanded, flags=re.I)
    return bare if len(bare) <= DISPLAY_CHARS else bare[:DISPLAY_CHARS] + "…"
