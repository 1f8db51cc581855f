"""Fake Facebook Login beside the fake Facebook Pages API (platform-apis.md §1, §2;
developers.facebook.com/docs/facebook-login/guides/advanced/manual-flow and
.../access-tokens/debugging), speaking Graph's error envelope:

- GET /vX/dialog/oauth: the login dialog; the fake's user consents at once (or, with
  `declines=True`, refuses) and is sent back (302) to the registered redirect_uri with
  `code` and `state` (or `error=access_denied`).
- GET /vX/oauth/access_token?code=..: a short-lived user token (1 hour); a code works
  once, for the redirect_uri it was issued to, and with the app's own secret.
- GET /vX/oauth/access_token?grant_type=fb_exchange_token: a long-lived user token
  (`expires_in` 5183944, the figure of §1).
- GET /vX/me?fields=id: the user; GET /vX/me/accounts: the Pages the user manages, each
  with a Page token (issued from the long-lived user token: it does not expire, §1) and
  its `instagram_business_account` where it has one.
- GET /vX/debug_token: what Graph reports of a token (`expires_at` 0: never), asked with
  the app token `app_id|app_secret`.
- DELETE /vX/me/permissions: the app loses the user's consent: every token of it stops
  working.

Page tokens it issued publish to their own Page through FakeFacebook's routes.
"""

import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from tests.fakes.base import RecordedRequest, Reply
from tests.fakes.facebook import FakeFacebook
from tests.fakes.meta import graph_error

LONG_SECONDS = 5183944
SHORT_SECONDS = 3600


@dataclass(frozen=True)
class FakePage:
    id: str
    name: str
    ig_user_id: str | None = None
    ig_username: str | None = None


@dataclass
class _Token:
    kind: str  # "short", "long" (user tokens) or "page"
    user: str
    page: str | None
    expires: datetime | None


class FakeMetaAuth(FakeFacebook):
    """FakeMetaAuth(app_id=..., app_secret=..., redirect_uris=..., user_id=...,
    pages=[FakePage(...)]); `page_token_expires_at` is what debug_token reports for Page
    tokens (0: never)."""

    def __init__(self, *, app_id: str, app_secret: str, redirect_uris: Iterable[str],
                 user_id: str = "10215241773831025", pages: Iterable[FakePage] = (),
                 page_token_expires_at: int = 0, declines: bool = False,
                 **kwargs: Any) -> None:
        self.pages = list(pages)
        super().__init__(page_ids=[p.id for p in self.pages], **kwargs)
        self.app_id, self.app_secret = app_id, app_secret
        self.redirect_uris = frozenset(redirect_uris)
        self.user_id = user_id
        self.page_token_expires_at = page_token_expires_at
        self.declines = declines
        self._codes: dict[str, str] = {}  # code -> redirect_uri
        self._issued: dict[str, _Token] = {}
        self._serial = itertools.count(1)
        self.revoked_users: list[str] = []

    def page_tokens(self) -> list[str]:
        with self._lock:
            return [t for t, info in self._issued.items() if info.kind == "page"]

    # -- tokens ----------------------------------------------------------------------

    def _new(self, kind: str, page: str | None = None, seconds: int | None = None) -> str:
        token = f"EAAG{kind}{next(self._serial)}PLANTEDmeta"
        ends = self.clock.now() + timedelta(seconds=seconds) if seconds else None
        self._issued[token] = _Token(kind, self.user_id, page, ends)
        return token

    def _live(self, token: object, *kinds: str) -> _Token | None:
        info = self._issued.get(token) if isinstance(token, str) else None
        if info is None or info.kind not in kinds or info.user in self.revoked_users:
            return None
        if info.expires is not None and self.clock.now() >= info.expires:
            return None
        return info

    def accepts(self, token: object) -> bool:
        return self._live(token, "page") is not None or super().accepts(token)

    def authorized(self, request: RecordedRequest) -> bool:
        return True  # every route checks its own token

    def _invalid_token(self) -> Reply:
        return graph_error(400, "Invalid OAuth access token - Cannot parse access token", 190)

    # -- routes ----------------------------------------------------------------------

    def route(self, request: RecordedRequest, parts: list[str]) -> Reply | None:
        routes = {("GET", "dialog/oauth"): self._dialog,
                  ("GET", "oauth/access_token"): self._access_token,
                  ("GET", "me"): self._me, ("GET", "me/accounts"): self._accounts,
                  ("GET", "debug_token"): self._debug,
                  ("DELETE", "me/permissions"): self._revoke}
        action = routes.get((request.method, "/".join(parts)))
        if action is not None:
            return action(request)
        if not self.accepts(request.param("access_token")):
            return self.auth_error(request)
        return super().route(request, parts)

    def _dialog(self, request: RecordedRequest) -> Reply:
        query = request.query
        redirect_uri = query.get("redirect_uri", "")
        if query.get("client_id") != self.app_id or redirect_uri not in self.redirect_uris:
            return Reply(400, "<html>URL Blocked: this redirect failed because the redirect "
                         "URI is not whitelisted in the app's Client OAuth Settings.</html>")
        state = query.get("state", "")
        if self.declines:
            refused = urlencode({"error": "access_denied", "error_reason": "user_denied",
                                 "error_description": "Permissions error", "state": state})
            return Reply(302, "", {"Location": f"{redirect_uri}?{refused}"})
        code = f"AQfbcode{next(self._serial)}"
        self._codes[code] = redirect_uri
        back = urlencode({"code": code, "state": state})
        return Reply(302, "", {"Location": f"{redirect_uri}?{back}"})

    def _access_token(self, request: RecordedRequest) -> Reply:
        query = request.query
        if query.get("client_id") != self.app_id or query.get("client_secret") != \
                self.app_secret:
            return graph_error(400, "Error validating client secret.", 1)
        if query.get("grant_type") == "fb_exchange_token":
            if self._live(query.get("fb_exchange_token"), "short", "long") is None:
                return self._invalid_token()
            return Reply(200, {"access_token": self._new("long", seconds=LONG_SECONDS),
                               "token_type": "bearer", "expires_in": LONG_SECONDS})
        code = query.get("code", "")
        issued_for = self._codes.pop(code, None)
        if issued_for is None:
            return graph_error(400, "This authorization code has been used.", 100, 36009)
        if issued_for != query.get("redirect_uri"):
            return graph_error(400, "Error validating verification code. Please make sure "
                               "your redirect_uri is identical to the one you used in the "
                               "OAuth dialog request", 100, 36008)
        return Reply(200, {"access_token": self._new("short", seconds=SHORT_SECONDS),
                           "token_type": "bearer", "expires_in": SHORT_SECONDS})

    def _me(self, request: RecordedRequest) -> Reply:
        if self._live(request.param("access_token"), "short", "long") is None:
            return self._invalid_token()
        return Reply(200, {"id": self.user_id})

    def _accounts(self, request: RecordedRequest) -> Reply:
        user = self._live(request.param("access_token"), "short", "long")
        if user is None:
            return self._invalid_token()
        data = []
        for page in self.pages:
            # From a long-lived user token the Page token does not expire (§1).
            item: dict[str, Any] = {
                "id": page.id, "name": page.name, "category": "Government Organization",
                "access_token": self._new("page", page.id,
                                          None if user.kind == "long" else SHORT_SECONDS)}
            if page.ig_user_id:
                item["instagram_business_account"] = {"id": page.ig_user_id,
                                                      "username": page.ig_username}
            data.append(item)
        cursors = {"before": "QVFIUmJ", "after": "QVFIUmx"} if data else {}
        return Reply(200, {"data": data, "paging": {"cursors": cursors}} if data
                     else {"data": []})

    def _debug(self, request: RecordedRequest) -> Reply:
        query = request.query
        if query.get("access_token") != f"{self.app_id}|{self.app_secret}":
            return graph_error(400, "(#100) You must provide an app access token, or a user "
                               "access token that is an owner or developer of the app", 100)
        token = self._live(query.get("input_token"), "page", "short", "long")
        if token is None:
            return Reply(200, {"data": {"error": {"code": 190, "message":
                                                  "Invalid OAuth access token."},
                                        "is_valid": False, "scopes": []}})
        ends = (self.page_token_expires_at if token.kind == "page" else
                int(token.expires.timestamp()) if token.expires else 0)
        return Reply(200, {"data": {
            "app_id": self.app_id, "type": "PAGE" if token.kind == "page" else "USER",
            "application": "Siar", "expires_at": ends, "is_valid": True,
            "scopes": ["pages_show_list", "pages_manage_posts"], "user_id": token.user,
            **({"profile_id": token.page} if token.page else {})}})

    def _revoke(self, request: RecordedRequest) -> Reply:
        user = self._live(request.param("access_token"), "short", "long")
        if user is None:
            return self._invalid_token()
        self.revoked_users.append(user.user)
        return Reply(200, {"success": True})

    def reply_echo_token(self, request: RecordedRequest) -> Reply:
        """A careless server quoting the token it was sent, bare (no `access_token=`
        before it for a pattern to catch)."""
        return graph_error(400, f"(#100) Invalid parameter for token "
                           f"{request.param('access_token')}", 100)
