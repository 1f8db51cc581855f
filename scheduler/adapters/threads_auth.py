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
    AmbiguousPublishError,
    Grant,
    PermanentPublishError,
    PlatformAuth,
    ReauthorizationRequired,
    RefreshRefused,
    TransientPublishError,
)
from scheduler.adapters.http import json_object, send
from scheduler.adapters.meta import graph_failure
from scheduler.config import OAuthApp
from scheduler.errors import ConfigError

SCOPES = "threads_basic,threads_content_publish"
AUTHORIZE_PAGE = "https://threads.net/oauth/authorize"


class ThreadsAuth(PlatformAuth):
    refresh_needs = ("access_token",)
    refresh_min_age = timedelta(hours=24)
    authorize_page = AUTHORIZE_PAGE

    def authorize_url(self, *, redirect_uri: str, state: str, challenge: str) -> str:
        # Threads' consent page takes no PKCE challenge; the state binds the session.
        app = self._app()
        query = urlencode({"client_id": app.client_id, "redirect_uri": redirect_uri,
                           "scope": SCOPES, "response_type": "code", "state": state})
        return f"{app.authorize_url or AUTHORIZE_PAGE}?{query}"

    def exchange(self, *, code: str, verifier: str, redirect_uri: str) -> Grant:
        app = self._app()
        short = self._call("POST", "/oauth/access_token", {
            "client_id": app.client_id, "client_secret": app.client_secret,
            "grant_type": "authorization_code", "redirect_uri": redirect_uri, "code": code})
        user_id, token = short.get("user_id"), short.get("access_token")
        if not token or not user_id:
            raise RefreshRefused("Threads tidak memberi token atau id pengguna")
        grant = self._long_lived(self._call("GET", "/access_token", {
            "grant_type": "th_exchange_token", "client_secret": app.client_secret,
            "access_token": str(token)}))
        return Grant({**grant.values, "threads_user_id": str(user_id)},
                     expires_at=grant.expires_at)

    def refresh(self) -> Grant:
        return self._long_lived(self._call("GET", "/refresh_access_token", {
            "grant_type": "th_refresh_token",
            "access_token": self.adapter.credential("access_token")}))

    def _long_lived(self, body: dict[str, Any]) -> Grant:
        token, expires_in = body.get("access_token"), body.get("expires_in")
        if not isinstance(token, str) or not token:
            raise TransientPublishError("Threads menjawab tanpa access_token; dicoba lagi nanti")
        ends = (self.adapter.context.clock.now() + timedelta(seconds=int(expires_in))
                if isinstance(expires_in, int) and expires_in > 0 else None)
        return Grant({"access_token": token}, expires_at=ends)

    def _call(self, method: str, path: str, params: dict[str, str]) -> dict[str, Any]:
        where = "data" if method == "POST" else "params"
        try:
            response = send(self.adapter, method, f"{self.adapter.base_url}{path}",
                            **{where: params})
        except AmbiguousPublishError as exc:
            raise TransientPublishError(str(exc)) from None
        if response.ok:
            return json_object(response)
        failure = graph_failure(self.adapter, response)
        if isinstance(failure, (ReauthorizationRequired, PermanentPublishError)):
            raise RefreshRefused(f"Threads menolak memperbarui token: "
                                 f"{failure.platform_message or failure}",
                                 platform_message=failure.platform_message,
                                 status=failure.status, code=failure.code)
        raise failure

    def _app(self) -> OAuthApp:
        if self.app is None:
            raise ConfigError("aplikasi Threads Siar belum disetel: isi SIAR_THREADS_APP_ID "
                              "dan SIAR_THREADS_APP_SECRET")
        return self.app
