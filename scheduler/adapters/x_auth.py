"""X OAuth 2.0: authorization code with PKCE (S256) to connect an account, refresh tokens
(which X rotates: every refresh answers a new refresh token and the old one stops
working, so the newest is always stored), revocation on disconnect
(platform-apis.md §3; docs.x.com "OAuth 2.0 Authorization Code Flow with PKCE").

Siar's X app is a confidential client: the token and revoke endpoints take its client id
and secret as HTTP Basic authentication. An access token lasts two hours (`expires_in`
7200); `offline.access` is what makes X issue a refresh token at all.
"""

from typing import TYPE_CHECKING
from urllib.parse import urlencode

from scheduler.adapters.base import (
    AmbiguousPublishError,
    Grant,
    PlatformAuth,
    RefreshRefused,
    TransientPublishError,
    expiry_after,
)
from scheduler.adapters.http import body_excerpt, json_object, retry_after_seconds, send

if TYPE_CHECKING:
    import requests

SCOPES = "tweet.read tweet.write users.read offline.access media.write"
AUTHORIZE_PAGE = "https://x.com/i/oauth2/authorize"


class XAuth(PlatformAuth):
    refresh_needs = ("refresh_token",)
    authorize_page = AUTHORIZE_PAGE
    app_settings = "SIAR_X_CLIENT_ID dan SIAR_X_CLIENT_SECRET"

    def authorize_url(self, *, redirect_uri: str, state: str, challenge: str) -> str:
        app = self.required_app()
        query = urlencode({"response_type": "code", "client_id": app.client_id,
                           "redirect_uri": redirect_uri, "scope": SCOPES, "state": state,
                           "code_challenge": challenge, "code_challenge_method": "S256"})
        return f"{app.authorize_url or AUTHORIZE_PAGE}?{query}"

    def exchange(self, *, code: str, verifier: str, redirect_uri: str) -> Grant:
        grant = self._token({"grant_type": "authorization_code", "code": code,
                             "redirect_uri": redirect_uri, "code_verifier": verifier},
                            hide=(code, verifier))
        if "refresh_token" not in grant.values:
            raise RefreshRefused("X tidak memberi refresh token (izin offline.access tidak "
                                 "diberikan?); hubungkan ulang dan setujui semua izin")
        return grant

    def refresh(self) -> Grant:
        token = self.adapter.credential("refresh_token")
        return self._token({"grant_type": "refresh_token", "refresh_token": token},
                           hide=(token,))

    def revoke(self) -> None:
        """Revoke the refresh token and the access token (either may already be gone)."""
        for hint in ("refresh_token", "access_token"):
            token = self.adapter.context.credentials.get(hint)
            if token:
                response = self._post("/2/oauth2/revoke", {"token": token,
                                                           "token_type_hint": hint}, (token,))
                if not response.ok:
                    raise self._refusal(response, (token,), "mencabut token")

    def _token(self, form: dict[str, str], hide: tuple[str, ...]) -> Grant:
        response = self._post("/2/oauth2/token", form, hide)
        if not response.ok:
            raise self._refusal(response, hide, "memperbarui token")
        body = json_object(response)
        access, refresh = body.get("access_token"), body.get("refresh_token")
        if not isinstance(access, str) or not access:
            raise TransientPublishError("X menjawab tanpa access_token; dicoba lagi nanti")
        values = {"access_token": access}
        if isinstance(refresh, str) and refresh:
            values["refresh_token"] = refresh
        return Grant(values, expires_at=expiry_after(self.adapter.context.clock,
                                                     body.get("expires_in")))

    def _post(self, path: str, form: dict[str, str],
              hide: tuple[str, ...]) -> "requests.Response":
        app = self.required_app()
        try:
            return send(self.adapter, "POST", f"{self.adapter.base_url}{path}",
                        data={**form, "client_id": app.client_id},
                        auth=(app.client_id, app.client_secret))
        except AmbiguousPublishError as exc:
            # The answer was lost: X may have rotated the token meanwhile; if so, the next
            # try is refused and the account must be reconnected. Nothing else to do.
            raise self.scrub(TransientPublishError(str(exc)), *hide) from None

    def _refusal(self, response: "requests.Response", hide: tuple[str, ...],
                 doing: str) -> TransientPublishError | RefreshRefused:
        status, body = response.status_code, json_object(response)
        error = str(body.get("error") or "")
        detail = str(body.get("error_description") or body_excerpt(response))
        if status == 429 or status >= 500:
            wait = retry_after_seconds(response.headers.get("Retry-After"),
                                       self.adapter.context.clock)
            return TransientPublishError(f"X sedang tidak dapat {doing} (HTTP {status})",
                                         retry_after=wait, status=status)
        where = " (periksa SIAR_X_CLIENT_ID dan SIAR_X_CLIENT_SECRET)" if status == 401 else ""
        return self.scrub(RefreshRefused(f"X menolak {doing}: {error or status}: {detail}{where}",
                                         platform_message=detail, status=status,
                                         code=error or None), *hide)
