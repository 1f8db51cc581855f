"""Fake Threads token endpoints beside the fake Threads API (platform-apis.md §5):

- GET /refresh_access_token?grant_type=th_refresh_token&access_token=T: a new
  long-lived token for an unexpired one, lasting 60 days (`expires_in` 5184000) from now
  on the fake's clock. An expired or unknown token is refused with the Graph error for an
  invalid token (OAuthException, code 190). Whether the earlier token keeps working
  until its own end is not documented; here it does.
- GET /oauth/authorize: the consent page; the fake's user (`user_id`) consents at once
  and is sent back (302) to the registered redirect_uri with `code` and `state`.
- POST /oauth/access_token (code -> short-lived token, 1 hour, with `user_id`) and
  GET /access_token?grant_type=th_exchange_token (short -> long-lived, 60 days).

Every token this fake issued stops working at its expiry: the API then answers the
Graph error for an expired session (190/463), as `reply_expired_token` does.
"""

import itertools
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from tests.fakes.base import RecordedRequest, Reply
from tests.fakes.meta import graph_error
from tests.fakes.threads import FakeThreads

LONG_SECONDS = 60 * 24 * 3600
SHORT_SECONDS = 3600
AUTH_PATHS = ("/refresh_access_token", "/oauth/access_token", "/access_token",
              "/oauth/authorize")


class FakeThreadsAuth(FakeThreads):
    """FakeThreadsAuth(app_id=..., app_secret=..., user_id=...): `issue_long_lived()`
    gives a test a long-lived token as if an account had been connected now."""

    def __init__(self, *, app_id: str = "", app_secret: str = "",
                 redirect_uris: frozenset[str] = frozenset(), **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.app_id, self.app_secret = app_id, app_secret
        self.redirect_uris = redirect_uris
        self._redirects: dict[str, str] = {}  # code -> the redirect_uri it was issued for
        self._issued: dict[str, tuple[datetime, bool]] = {}  # token -> (expires, long)
        self._codes: dict[str, str] = {}  # code -> user id
        self._serial = itertools.count(1)
        self.refreshes = 0

    def issue_long_lived(self) -> str:
        with self._lock:
            return self._new(LONG_SECONDS, long=True)

    def add_code(self, code: str, user_id: str) -> None:
        with self._lock:
            self._codes[code] = user_id

    def _new(self, seconds: int, *, long: bool) -> str:
        token = f"THQ-{next(self._serial)}-{'long' if long else 'short'}-secret"
        self._issued[token] = (self.clock.now() + timedelta(seconds=seconds), long)
        return token

    def authorized(self, request: RecordedRequest) -> bool:
        return request.path in AUTH_PATHS or super().authorized(request)

    def accepts(self, token: object) -> bool:
        issued = self._issued.get(token) if isinstance(token, str) else None
        if issued is not None:
            return self.clock.now() < issued[0]
        return super().accepts(token)

    def handle(self, request: RecordedRequest) -> Reply:
        if request.path == "/oauth/authorize" and request.method == "GET":
            return self._authorize(request)
        if request.path == "/refresh_access_token" and request.method == "GET":
            return self._refresh(request)
        if request.path == "/oauth/access_token" and request.method == "POST":
            return self._code(request)
        if request.path == "/access_token" and request.method == "GET":
            return self._exchange(request)
        return super().handle(request)

    def _invalid(self) -> Reply:
        return graph_error(400, "Error validating access token: Session has expired or the "
                           "token is invalid.", 190)

    def _refresh(self, request: RecordedRequest) -> Reply:
        token = request.query.get("access_token", "")
        issued = self._issued.get(token)
        if (request.query.get("grant_type") != "th_refresh_token" or issued is None
                or not issued[1] or self.clock.now() >= issued[0]):
            return self._invalid()
        self.refreshes += 1
        return Reply(200, {"access_token": self._new(LONG_SECONDS, long=True),
                           "token_type": "bearer", "expires_in": LONG_SECONDS})

    def _authorize(self, request: RecordedRequest) -> Reply:
        query = request.query
        redirect_uri = query.get("redirect_uri", "")
        if query.get("client_id") != self.app_id or redirect_uri not in self.redirect_uris:
            return Reply(400, "Invalid redirect_uri or client_id")
        scopes = set(query.get("scope", "").split(","))
        if query.get("response_type") != "code" or "threads_basic" not in scopes:
            refused = urlencode({"error": "invalid_request", "state": query.get("state", "")})
            return Reply(302, "", {"Location": f"{redirect_uri}?{refused}"})
        code = f"threads-code-{next(self._serial)}"
        self._codes[code] = sorted(self.user_ids)[0]
        self._redirects[code] = redirect_uri
        back = urlencode({"code": code, "state": query.get("state", "")})
        return Reply(302, "", {"Location": f"{redirect_uri}?{back}"})

    def _code(self, request: RecordedRequest) -> Reply:
        form = request.form
        if self._redirects.pop(form.get("code", ""), form.get("redirect_uri")) != \
                form.get("redirect_uri"):
            return graph_error(400, "Error validating verification code. Please make sure "
                               "your redirect_uri is identical to the one you used in the "
                               "OAuth dialog request", 100)
        user = self._codes.pop(form.get("code", ""), None)
        if form.get("client_id") != self.app_id or form.get("client_secret") != self.app_secret:
            return graph_error(400, "Error validating client secret.", 1, kind="OAuthException")
        if user is None or form.get("grant_type") != "authorization_code":
            return graph_error(400, "Invalid verification code format.", 100)
        return Reply(200, {"access_token": self._new(SHORT_SECONDS, long=False),
                           "user_id": int(user)})

    def _exchange(self, request: RecordedRequest) -> Reply:
        query = request.query
        issued = self._issued.get(query.get("access_token", ""))
        if query.get("client_secret") != self.app_secret:
            return graph_error(400, "Error validating client secret.", 1)
        if (query.get("grant_type") != "th_exchange_token" or issued is None or issued[1]
                or self.clock.now() >= issued[0]):
            return self._invalid()
        return Reply(200, {"access_token": self._new(LONG_SECONDS, long=True),
                           "token_type": "bearer", "expires_in": LONG_SECONDS})
