"""Facebook Login for Facebook Pages and Instagram business accounts (platform-apis.md
§1 and §2; the login dialog and the code exchange: developers.facebook.com/docs/
facebook-login/guides/advanced/manual-flow; `debug_token`: developers.facebook.com/docs/
facebook-login/guides/access-tokens/debugging).

Connecting: the admin consents in Facebook's login dialog; its code is exchanged for a
user token (`GET /oauth/access_token`), that one for a long-lived user token
(`grant_type=fb_exchange_token`, about 60 days, §1); with the long-lived token
`/me/accounts` lists the Pages the user manages, each with its Page token and its
connected Instagram business account (`instagram_business_account`), and the admin
chooses one (scheduler.page_choice). A Page token fetched with a long-lived user token
does not expire (§1); Siar records the end `debug_token` reports for it (`expires_at`,
0 meaning never), so a token that does end is warned about like any other.

Renewal: none. Meta has no refresh flow here (§1: "the user logs in again"), and the
Page token needs none; `refresh_needs` is empty, so scheduler.token_refresh leaves these
tokens alone and scheduler.token_warnings warns seven days before a reported end.

Disconnecting: `DELETE /me/permissions` with the stored long-lived user token withdraws
the app's access for that whole login, every Page token from it included; so it is only
sent when no other connected account came through the same Facebook user
(`grant_field`, checked in scheduler.connecting).
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime
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

AUTHORIZE_PAGE = "https://www.facebook.com/v21.0/dialog/oauth"
# Permissions (platform-apis.md §1 for Pages; §2 for Instagram through Facebook Login,
# plus pages_show_list, without which /me/accounts lists nothing).
SCOPES = {
    "facebook": "pages_show_list,pages_manage_posts,pages_read_engagement",
    "instagram": "pages_show_list,pages_read_engagement,instagram_basic,"
                 "instagram_content_publish",
}
PAGE_FIELDS = "id,name,access_token,instagram_business_account{id,username}"
MAX_LISTING_PAGES = 20  # of 100 Pages each


@dataclass(frozen=True)
class ManagedPage:
    """A Page the consenting user manages, with its connected Instagram business account
    (None: the Page has none)."""

    id: str
    name: str
    token: str = field(repr=False)
    ig_user_id: str | None = None
    ig_username: str | None = None


class MetaAuth(PlatformAuth):
    authorize_page = AUTHORIZE_PAGE
    consent_site = "Facebook"
    app_key = "meta"
    app_settings = "SIAR_FACEBOOK_APP_ID dan SIAR_FACEBOOK_APP_SECRET"
    chooses_target = True
    grant_field = "fb_user_id"

    def authorize_url(self, *, redirect_uri: str, state: str, challenge: str) -> str:
        # The manual login flow takes no PKCE challenge; the state binds the session.
        app = self.required_app()
        query = urlencode({"client_id": app.client_id, "redirect_uri": redirect_uri,
                           "state": state, "response_type": "code",
                           "scope": SCOPES.get(self.adapter.name, SCOPES["facebook"])})
        return f"{app.authorize_url or AUTHORIZE_PAGE}?{query}"

    def exchange(self, *, code: str, verifier: str, redirect_uri: str) -> Grant:
        """The long-lived user token (and who it is) for the dialog's code; the Page
        token comes once the admin has chosen a Page (`pages`)."""
        app = self.required_app()
        short = self._call("GET", "oauth/access_token", {
            "client_id": app.client_id, "client_secret": app.client_secret,
            "redirect_uri": redirect_uri, "code": code}, hide=(code,))
        short_token = _text(short, "access_token")
        long = self._call("GET", "oauth/access_token", {
            "grant_type": "fb_exchange_token", "client_id": app.client_id,
            "client_secret": app.client_secret, "fb_exchange_token": short_token},
            hide=(code, short_token))
        user_token = _text(long, "access_token")
        me = self._call("GET", "me", {"fields": "id", "access_token": user_token},
                        hide=(user_token,))
        return Grant({"user_token": user_token, "fb_user_id": _text(me, "id")},
                     expires_at=expiry_after(self.adapter.context.clock,
                                             long.get("expires_in")))

    @property
    def through_instagram(self) -> bool:
        """Whether the account publishes to the chosen Page's Instagram business account
        (its adapter needs an `ig_user_id`) rather than to the Page."""
        return "ig_user_id" in self.adapter.credential_fields

    def pages(self, user_token: str) -> list[ManagedPage]:
        """The Pages the user manages (`/me/accounts`), with their Page tokens."""
        found: list[ManagedPage] = []
        params = {"fields": PAGE_FIELDS, "limit": "100", "access_token": user_token}
        for _ in range(MAX_LISTING_PAGES):
            body = self._call("GET", "me/accounts", params, hide=(user_token,),
                              doing="membaca daftar Halaman")
            data = body.get("data")
            for item in data if isinstance(data, list) else []:
                if isinstance(item, dict) and item.get("id") and item.get("access_token"):
                    found.append(_page(item))
            paging = _object(body, "paging")
            after = _object(paging, "cursors").get("after")
            if not paging.get("next") or not after:
                break
            params = {**params, "after": str(after)}
        return found

    def page_token_end(self, page_token: str) -> datetime | None:
        """When the Page token stops working, as `debug_token` reports (None: never);
        RefreshRefused when Graph calls it invalid."""
        app = self.required_app()
        body = self._call("GET", "debug_token", {
            "input_token": page_token,
            "access_token": f"{app.client_id}|{app.client_secret}"},
            hide=(page_token,), doing="memeriksa token Halaman")
        data = _object(body, "data")
        if data.get("is_valid") is not True:
            raise RefreshRefused(f"{self.adapter.label} menyatakan token Halaman tidak sah; "
                                 "hubungkan ulang")
        ends = data.get("expires_at")
        return (datetime.fromtimestamp(ends, UTC)
                if isinstance(ends, int) and not isinstance(ends, bool) and ends > 0
                else None)

    def revoke(self) -> None:
        """Withdraw the app's permissions from the user who connected the account."""
        token = self.adapter.context.credentials.get("user_token")
        if token:
            self._call("DELETE", "me/permissions", {"access_token": token}, hide=(token,),
                       doing="mencabut izin aplikasi")

    def _call(self, method: str, path: str, params: dict[str, str],
              hide: tuple[str, ...] = (), doing: str = "menukar kode persetujuan"
              ) -> dict[str, Any]:
        version = getattr(self.adapter, "api_version", "v21.0")
        return meta_token_call(self, method, f"{self.adapter.base_url}/{version}/{path}",
                               params, hide, doing)


def _object(body: dict[str, Any], name: str) -> dict[str, Any]:
    value = body.get(name)
    return value if isinstance(value, dict) else {}


def _text(body: dict[str, Any], name: str) -> str:
    value = body.get(name)
    if not isinstance(value, (str, int)) or isinstance(value, bool) or not str(value):
        raise TransientPublishError(f"Facebook menjawab tanpa {name}; coba lagi")
    return str(value)


def _page(item: dict[str, Any]) -> ManagedPage:
    instagram = item.get("instagram_business_account")
    ig = instagram if isinstance(instagram, dict) and instagram.get("id") else {}
    return ManagedPage(str(item["id"]), str(item.get("name") or item["id"]),
                       str(item["access_token"]),
                       str(ig["id"]) if ig else None,
                       str(ig["username"]) if ig.get("username") else None)
