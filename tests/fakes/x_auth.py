"""Fake X OAuth 2.0 authorisation server beside the fake X API (docs.x.com, "OAuth 2.0
Authorization Code Flow with PKCE"; platform-apis.md §3):

- GET /i/oauth2/authorize: the consent page. The fake's user consents at once, and the
  page redirects (302) to the registered redirect_uri with `code` and `state`, as X does
  after the user clicks "Authorize app"; `error=access_denied` when the user declines.
- POST /2/oauth2/token: `authorization_code` (the code once, within 30 seconds, with the
  redirect_uri it was issued for and the PKCE verifier whose S256 matches the challenge)
  and `refresh_token` (rotation: the old refresh token stops working the moment it is
  used, and a second use answers 400 invalid_request, as X does). The confidential client
  authenticates with HTTP Basic; a wrong one is 401 unauthorized_client.
- POST /2/oauth2/revoke: the token stops working.

Access tokens expire `expires_in` (7200) seconds after they were issued, on the fake's
clock; the API then answers 401 as for any bad token.
"""

import base64
import hashlib
import itertools
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from tests.fakes.base import RecordedRequest, Reply
from tests.fakes.x import FakeX

ACCESS_SECONDS = 7200
CODE_SECONDS = 30
AUTH_PATHS = ("/i/oauth2/authorize", "/2/oauth2/token", "/2/oauth2/revoke")


@dataclass
class _Code:
    user: str
    challenge: str
    redirect_uri: str
    scope: str
    issued: datetime
    used: bool = False


def _error(status: int, error: str, description: str) -> Reply:
    return Reply(status, {"error": error, "error_description": description})


class FakeXOAuth(FakeX):
    """FakeXOAuth(client_id="cid", client_secret="sec", redirect_uris={"https://..."}):
    FakeX's API, with tokens that this fake issued (plus FakeX's `tokens`, which never
    expire). `consenting_user` is the X account that consents on the authorize page;
    `declines` makes the user refuse."""

    def __init__(self, *, client_id: str, client_secret: str, redirect_uris: set[str],
                 consenting_user: str = "kpu_kab_a", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.client_id, self.client_secret = client_id, client_secret
        self.redirect_uris = redirect_uris
        self.consenting_user = consenting_user
        self.declines = False
        self._codes: dict[str, _Code] = {}
        self._access: dict[str, tuple[str, datetime]] = {}  # token -> (user, expires)
        self._refresh: dict[str, str] = {}  # live refresh token -> user
        self._serial = itertools.count(1)
        self.refreshes = 0  # successful refresh_token grants

    # -- API side ---------------------------------------------------------------------

    def authorized(self, request: RecordedRequest) -> bool:
        return request.path in AUTH_PATHS or super().authorized(request)

    def accepts(self, token: object) -> bool:
        issued = self._access.get(token) if isinstance(token, str) else None
        if issued is not None:
            return self.clock.now() < issued[1]
        return super().accepts(token)

    def user_of(self, request: RecordedRequest) -> str:
        token = request.headers["authorization"].partition(" ")[2]
        issued = self._access.get(token)
        return self._user_id(issued[0]) if issued else super().user_of(request)

    def handle(self, request: RecordedRequest) -> Reply:
        if request.path == "/i/oauth2/authorize" and request.method == "GET":
            return self._authorize(request)
        if request.path == "/2/oauth2/token" and request.method == "POST":
            return self._client(request) or self._token(request)
        if request.path == "/2/oauth2/revoke" and request.method == "POST":
            return self._client(request) or self._revoke(request)
        return super().handle(request)

    def _user_id(self, username: str) -> str:
        return self._users.setdefault(f"user:{username}",
                                      str(1_400_000_000_000_000_001 + len(self._users)))

    # -- authorisation server ---------------------------------------------------------

    def _authorize(self, request: RecordedRequest) -> Reply:
        query = request.query
        redirect_uri = query.get("redirect_uri", "")
        if query.get("client_id") != self.client_id or redirect_uri not in self.redirect_uris:
            # X shows an error page and never redirects to an unregistered address.
            return Reply(400, "Something went wrong: You weren't able to give access to "
                         "the App.")
        state = query.get("state", "")
        if self.declines:
            return self._back(redirect_uri, error="access_denied", state=state)
        scopes = set(query.get("scope", "").split())
        if (query.get("response_type") != "code" or query.get("code_challenge_method")
                != "S256" or not query.get("code_challenge") or not state
                or not scopes >= {"tweet.read", "users.read"}):
            return self._back(redirect_uri, error="invalid_request", state=state)
        code = f"code-{next(self._serial)}-{self.consenting_user}"
        self._codes[code] = _Code(self.consenting_user, query["code_challenge"],
                                  redirect_uri, query["scope"], self.clock.now())
        return self._back(redirect_uri, state=state, code=code)

    @staticmethod
    def _back(redirect_uri: str, **params: str) -> Reply:
        return Reply(302, "", {"Location": f"{redirect_uri}?{urlencode(params)}"})

    def _client(self, request: RecordedRequest) -> Reply | None:
        scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
        try:
            pair = base64.b64decode(encoded).decode() if scheme == "Basic" else ""
        except ValueError:
            pair = ""
        if pair != f"{self.client_id}:{self.client_secret}":
            return _error(401, "unauthorized_client", "Missing valid authorization header")
        return None

    def _token(self, request: RecordedRequest) -> Reply:
        grant = request.form.get("grant_type")
        if grant == "authorization_code":
            return self._from_code(request.form)
        if grant == "refresh_token":
            user = self._refresh.pop(request.form.get("refresh_token", ""), None)
            if user is None:
                return _error(400, "invalid_request", "Value passed for the token was invalid.")
            self.refreshes += 1
            return self._issue(user, "tweet.read tweet.write users.read offline.access "
                               "media.write")
        return _error(400, "unsupported_grant_type", "Grant type is not supported.")

    def _from_code(self, form: dict[str, str]) -> Reply:
        code = self._codes.get(form.get("code", ""))
        if (code is None or code.used
                or self.clock.now() - code.issued > timedelta(seconds=CODE_SECONDS)
                or form.get("redirect_uri") != code.redirect_uri):
            return _error(400, "invalid_request", "Value passed for the authorization code "
                          "was invalid.")
        verifier = form.get("code_verifier", "")
        digest = hashlib.sha256(verifier.encode()).digest()
        if base64.urlsafe_b64encode(digest).decode().rstrip("=") != code.challenge:
            return _error(400, "invalid_request", "Value passed for the code verifier did "
                          "not match the code challenge.")
        code.used = True
        return self._issue(code.user, code.scope)

    def _issue(self, user: str, scope: str) -> Reply:
        serial = next(self._serial)
        access, refresh = f"xat-{serial}-{user}-secret", f"xrt-{serial}-{user}-secret"
        self._access[access] = (user, self.clock.now() + timedelta(seconds=ACCESS_SECONDS))
        body: dict[str, Any] = {"token_type": "bearer", "expires_in": ACCESS_SECONDS,
                                "access_token": access, "scope": scope}
        if "offline.access" in scope.split():
            self._refresh[refresh] = user
            body["refresh_token"] = refresh
        return Reply(200, body)

    def _revoke(self, request: RecordedRequest) -> Reply:
        token = request.form.get("token", "")
        self._access.pop(token, None)
        self._refresh.pop(token, None)
        return Reply(200, {"revoked": True})

    # -- test API ---------------------------------------------------------------------

    def live_refresh_tokens(self) -> int:
        with self._lock:
            return len(self._refresh)

    def revoke_all(self) -> None:
        """The user withdrew Siar's access in their X settings."""
        with self._lock:
            self._access.clear()
            self._refresh.clear()
