"""Choosing what a Facebook or Instagram account publishes to, after Facebook Login
(scheduler.adapters.meta_auth): the consent gave a long-lived user token, kept sealed in
the browser's short-lived note (scheduler.connecting.finish); the admin sees the Pages
that user manages and picks one. For a Facebook account Siar stores the Page's id and
token; for an Instagram account the Page's Instagram business account id with the Page
token (Instagram's Graph API is called with it, platform-apis.md §2). The user token is
stored beside them for revoking on disconnect, never used to publish.

The choice is checked again when it arrives: the Page must still be among the user's
(read from Graph again, the Page tokens never travel through the browser), and for
Instagram it must have an Instagram business account.
"""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine

from scheduler.account_tokens import TokenInfo, connect, connectable
from scheduler.adapters.base import PublishError
from scheduler.adapters.meta_auth import ManagedPage, MetaAuth
from scheduler.connecting import pending_note
from scheduler.db import session_scope
from scheduler.errors import InputError
from scheduler.publishing.factory import AdapterFactory
from scheduler.secretbox import SecretBox
from scheduler.users import Actor


@dataclass(frozen=True)
class PageOption:
    """A Page as the choosing page shows it: no token."""

    id: str
    name: str
    ig_username: str | None
    has_instagram: bool


@dataclass(frozen=True)
class Choosing:
    account: str  # region/platform
    platform: str
    options: list[PageOption]
    through_instagram: bool  # the account is the chosen Page's Instagram account


@dataclass(frozen=True)
class _Consented:
    key: str  # the account being connected, region/platform
    pending: dict[str, str] = field(repr=False)  # the sealed note, opened
    auth: MetaAuth
    pages: list[ManagedPage]


def _consented(engine: Engine, actor: Actor, platform: str, note: str,
               factory: AdapterFactory, box: SecretBox, now: datetime,
               fingerprint: str) -> _Consented:
    """This session's consent (scheduler.connecting.pending_note), the actor still an
    admin of its account, and the Pages its user manages, read from Graph now."""
    pending = pending_note(note, box, platform=platform, now=now, fingerprint=fingerprint)
    key = pending["account"]
    with session_scope(engine, write=False) as session:
        connectable(session, actor=actor, key=key)
    auth = factory.auth(platform, {})
    if not isinstance(auth, MetaAuth):
        raise InputError(f"akun {platform} tidak memilih Halaman Facebook")
    try:
        pages = auth.pages(pending["user_token"])
    except PublishError as exc:
        raise InputError(f"akun {key} tidak dihubungkan: {exc}") from None
    if not pages:
        raise InputError(f"akun {key} tidak dihubungkan: akun Facebook yang login tidak "
                         "mengelola Halaman apa pun (atau izin daftar Halaman tidak "
                         "diberikan). Login dengan akun Facebook admin Halaman kantor, lalu "
                         "setujui semua izin")
    return _Consented(key, pending, auth, pages)


def page_options(engine: Engine, *, actor: Actor, platform: str, note: str,
                 factory: AdapterFactory, box: SecretBox, now: datetime,
                 fingerprint: str) -> Choosing:
    """The Pages the consenting user manages, for the admin to choose from."""
    found = _consented(engine, actor, platform, note, factory, box, now, fingerprint)
    return Choosing(found.key, platform, [PageOption(p.id, p.name, p.ig_username,
                                                     p.ig_user_id is not None)
                                          for p in found.pages],
                    found.auth.through_instagram)


def choose_page(engine: Engine, *, actor: Actor, platform: str, note: str, page_id: str,
                factory: AdapterFactory, box: SecretBox,
                now: datetime, fingerprint: str) -> tuple[TokenInfo, str]:
    """Connect the account to the chosen Page (Instagram: the Page's Instagram business
    account); returns what it now reaches, by name."""
    found = _consented(engine, actor, platform, note, factory, box, now, fingerprint)
    key, pending, auth = found.key, found.pending, found.auth
    chosen = next((p for p in found.pages if p.id == page_id), None)
    if chosen is None:
        raise InputError(f"akun {key} tidak dihubungkan: Halaman yang dipilih tidak ada di "
                         "antara Halaman yang dikelola akun Facebook yang login")
    values = {"page_id": chosen.id, "access_token": chosen.token,
              "user_token": pending["user_token"], "fb_user_id": pending["fb_user_id"]}
    reached = chosen.name
    if auth.through_instagram:
        if chosen.ig_user_id is None:
            raise InputError(
                f"akun {key} tidak dihubungkan: Halaman Facebook “{chosen.name}” tidak "
                "terhubung ke akun Instagram bisnis. Hubungkan akun Instagram bisnis kantor "
                "ke Halaman itu (pengaturan Halaman, bagian Akun tertaut), atau pilih "
                "Halaman lain")
        values["ig_user_id"] = chosen.ig_user_id
        reached = f"@{chosen.ig_username} ({chosen.name})" if chosen.ig_username else \
            chosen.name
    try:
        ends = auth.page_token_end(chosen.token)
    except PublishError as exc:
        raise InputError(f"akun {key} tidak dihubungkan: {exc}") from None
    with session_scope(engine, write=True) as session:
        info = connect(session, actor=actor, account_key=key, values=values, box=box,
                       now=now, expires_at=ends)
    return info, reached
