"""Threads tokens (platform-apis.md §5): the consent page's code is exchanged for a
short-lived token (1 hour, `POST /oauth/access_token`), that one for a long-lived token
(60 days, `GET /access_token?grant_type=th_exchange_token`), and the long-lived token is
renewed with `GET /refresh_access_token?grant_type=th_refresh_token` once it is at least
24 hours old and before it expires; it then lasts 60 days from the refresh. Threads
documents no revocation endpoint: disconnecting forgets the token in Siar only.

Errors come in the Graph envelope (scheduler.adapters.meta)."""

from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from scheduler.adapters.base import (
    Grant,
    PlatformAuth,
    RefreshRefused,
    TransientPublishError,
    expiry_after,
)
from scheduler.adapters.meta import meta_token_call

SCOPES = "threads_basic,threads_content_publish"
AUTHORIZE_PAGE = "https://threads.net/oauth/authorize"
EXCHANGING = "menukar kode persetujuan"


class ThreadsAuth(PlatformAuth):
    refresh_needs = ("access_token",)
    refresh_min_age = timedelta(hours=24)
    authorize_page = AUTHORIZE_PAGE
    app_settings = "SIAR_THREADS_APP_ID dan SIAR_THREADS_APP_SECRET"

    def authorize_url(self, *, redirect_uri: str, state: str, challenge: str) -> str:
        # Threads' consent page takes no PKCE challenge; the state binds the session.
        app = self.required_app()
        query = urlencode({"client_id": app.client_id, "redirect_uri": redirect_uri,
                           "scope": SCOPES, "response_type": "code", "state": state})
        return f"{app.authorize_url or AUTHORIZE_PAGE}?{query}"

    def exchange(self, *, code: str, verifier: str, redirect_uri: str) -> Grant:
        app = self.required_app()
        short = self._call("POST", "/oauth/access_token", {
            "client_id": app.client_id, "client_secret": app.client_secret,
            "grant_type": "authorization_code", "redirect_uri": redirect_uri, "code": code},
            hide=(code,), doing=EXCHANGING)
        user_id, token = short.get("user_id"), short.get("access_token")
        if not token or not user_id:
            raise RefreshRefused("Threads tidak memberi token atau id pengguna")
        grant = self._long_lived(self._call("GET", "/access_token", {
            "grant_type": "th_exchange_token", "client_secret": app.client_secret,
            "access_token": str(token)}, hide=(code, str(token)), doing=EXCHANGING))
        return Grant({**grant.values, "threads_user_id": str(user_id)},
                     expires_at=grant.expires_at)

    def refresh(self) -> Grant:
        return self._long_lived(self._call("GET", "/refresh_access_token", {
            "grant_type": "th_refresh_token",
            "access_token": self.adapter.credential("access_token")}))

    def _long_lived(self, body: dict[str, Any]) -> Grant:
        token = body.get("access_token")
        if not isinstance(token, str) or not token:
            raise TransientPublishError("Threads menjawab tanpa access_token; dicoba lagi nanti")
        return Grant({"access_token": token},
                     expires_at=expiry_after(self.adapter.context.clock, body.get("expires_in")))

    def _call(self, method: str, path: str, params: dict[str, str],
              hide: tuple[str, ...] = (), doing: str = "memperbarui token") -> dict[str, Any]:
        """One token call; its errors carry neither the app secret, nor the code or the
        token it sent (`hide`), nor the stored token."""
        return meta_token_call(self, method, f"{self.adapter.base_url}{path}", params, hide, doing)
