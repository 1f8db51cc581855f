"""Connecting an account from the web app: through the platform's own consent page (X,
Threads, Facebook and Instagram: OAuth 2.0, see `Adapter.auth`; for the last two the
admin then chooses a Page, scheduler.page_choice), or by pasting credentials the
platform checks (a Telegram bot token and channel, verified with getChat); and
disconnecting, which revokes the token where the platform allows it (not a consent
another connected account still rests on: `PlatformAuth.grant_field`).

The consent flow spans two requests. `begin` returns the consent page's address and a
sealed note (SIAR_SECRET_KEY) for the browser to keep in a short-lived cookie: which
account, the `state` sent to the platform, the PKCE verifier, and a fingerprint of the
admin's web session. `finish` accepts the platform's answer only when its state matches
the note, the note belongs to the same session and is at most ten minutes old: a link
planted by someone else, or replayed later, connects nothing (CSRF).
"""

import hashlib
import hmac
import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from scheduler.account_tokens import (
    TokenInfo,
    connect,
    connectable,
    disconnect,
    stored_credentials,
)
from scheduler.adapters.base import PublishError, pkce_pair
from scheduler.config import Settings
from scheduler.db import session_scope
from scheduler.errors import ConfigError, InputError
from scheduler.models import Account, AccountToken
from scheduler.publishing.factory import AdapterFactory
from scheduler.secretbox import SealedTokenUnreadable, SecretBox
from scheduler.users import Actor

log = logging.getLogger(__name__)

CALLBACK_PATH = "/akun/sambung/{platform}/kembali"
PENDING_FOR = timedelta(minutes=10)


def callback_url(settings: Settings, platform: str) -> str:
    """Where the platform sends the admin back: under SIAR_PUBLIC_URL (registered as the
    app's callback address on the platform)."""
    if not settings.public_url:
        raise ConfigError("SIAR_PUBLIC_URL belum disetel: alamat kembali dari halaman "
                          "persetujuan platform tidak dapat dibuat (isi dengan alamat "
                          "`siar web`, mis. https://siar.kpu-jatim.example)")
    return settings.public_url + CALLBACK_PATH.format(platform=platform)


def session_fingerprint(session_secret: str) -> str:
    return hashlib.sha256(b"siar connect:" + session_secret.encode()).hexdigest()


@dataclass(frozen=True)
class Started:
    authorize_url: str
    note: str = ""  # sealed; the browser keeps it until it comes back


def begin(engine: Engine, *, actor: Actor, account_key: str, factory: AdapterFactory,
          box: SecretBox, now: datetime, fingerprint: str) -> Started:
    """The consent page to send an admin to, for connecting `account_key`."""
    with session_scope(engine, write=False) as session:
        account = connectable(session, actor=actor, key=account_key)
    redirect_uri = callback_url(factory.settings, account.platform)
    auth = factory.auth(account.platform, {})
    verifier, challenge = pkce_pair()
    state = secrets.token_urlsafe(24)
    url = auth.authorize_url(redirect_uri=redirect_uri, state=state, challenge=challenge)
    note = box.seal({"account": account_key, "platform": account.platform, "state": state,
                     "verifier": verifier, "session": fingerprint,
                     "started": now.isoformat()})
    return Started(url, note)


@dataclass(frozen=True)
class Finished:
    """The end of a consent: the account connected (`info`), or, where the admin still
    chooses what it publishes to (a Facebook Page), a sealed note for that step."""

    info: TokenInfo | None = None
    choose_note: str = ""


def finish(engine: Engine, *, actor: Actor, platform: str, note: str, state: str,
           code: str, factory: AdapterFactory, box: SecretBox, now: datetime,
           fingerprint: str) -> Finished:
    """Exchange the code the consent page sent back and store the account's tokens (or
    keep them sealed for the choosing step, scheduler.page_choice)."""
    pending = pending_note(note, box, platform=platform, now=now, fingerprint=fingerprint,
                           state=state)
    if not code:
        raise InputError("platform tidak mengirim kode persetujuan; akun tidak dihubungkan")
    key = pending["account"]
    with session_scope(engine, write=False) as session:  # still an admin of it?
        connectable(session, actor=actor, key=key)
    auth = factory.auth(platform, {})
    try:
        grant = auth.exchange(code=code, verifier=pending["verifier"],
                              redirect_uri=callback_url(factory.settings, platform))
    except PublishError as exc:
        raise InputError(f"akun {key} tidak dihubungkan: {exc}") from None
    if auth.chooses_target:
        return Finished(choose_note=box.seal({
            **grant.values, "account": key, "platform": platform, "session": fingerprint,
            "started": now.isoformat()}))
    with session_scope(engine, write=True) as session:
        return Finished(connect(session, actor=actor, account_key=key, values=grant.values,
                                box=box, now=now, expires_at=grant.expires_at,
                                refresh_expires_at=grant.refresh_expires_at))


def pending_note(note: str, box: SecretBox, *, platform: str, now: datetime,
                 fingerprint: str, state: str | None = None) -> dict[str, str]:
    """A connection's sealed note, when it belongs to this web session and platform (and
    to `state`, when given) and is at most ten minutes old; InputError otherwise."""
    pending = _pending(note, box)
    matches = pending.get("platform") == platform and hmac.compare_digest(
        fingerprint.encode(), str(pending.get("session", "")).encode())
    if state is not None:
        matches = matches and bool(state) and hmac.compare_digest(
            state.encode(), str(pending.get("state", "")).encode())
    if not matches:
        raise InputError("jawaban halaman persetujuan tidak cocok dengan permintaan dari "
                         "sesi ini (state berbeda); akun tidak dihubungkan. Mulai lagi dari "
                         "halaman Akun")
    if now - datetime.fromisoformat(pending["started"]) > PENDING_FOR:
        raise InputError("persetujuan terlalu lama (lebih dari 10 menit); mulai lagi dari "
                         "halaman Akun")
    return pending


def _pending(note: str, box: SecretBox) -> dict[str, str]:
    try:
        return box.open(note) if note else {}
    except SealedTokenUnreadable:
        return {}


def connect_pasted(engine: Engine, *, actor: Actor, account_key: str,
                   values: Mapping[str, str], factory: AdapterFactory, box: SecretBox,
                   now: datetime, expires_at: datetime | None = None
                   ) -> tuple[TokenInfo, str | None]:
    """Store pasted credentials once the platform confirms they reach the account
    (Adapter.verify); returns what they reach (a channel's name). A field the account's
    environment variables already fill is refused: the environment would win, so what
    was checked would not be what is used."""
    with session_scope(engine, write=False) as session:
        account = connectable(session, actor=actor, key=account_key)
    given = {name: value.strip() for name, value in values.items() if value.strip()}
    overridden = sorted(set(given) & set(factory.env_credentials(account)))
    if overridden:
        raise InputError(f"akun {account_key}: {', '.join(overridden)} sudah diisi variabel "
                         "lingkungan, yang selalu menang; kosongkan di sana atau jangan "
                         "diisi di sini")
    try:
        reached = factory.probe(account, given).verify()
    except PublishError as exc:
        raise InputError(f"akun {account_key} tidak dihubungkan: {exc}") from None
    with session_scope(engine, write=True) as session:
        info = connect(session, actor=actor, account_key=account_key, values=given, box=box,
                       now=now, expires_at=expires_at)
    return info, reached


@dataclass(frozen=True)
class Disconnected:
    removed: bool  # False: nothing was stored
    problem: str | None = None  # why the platform could not revoke it (forgotten anyway)


def disconnect_account(engine: Engine, *, actor: Actor, account_key: str,
                       factory: AdapterFactory, box: SecretBox | None) -> Disconnected:
    """Revoke the stored token where the platform allows, then forget it."""
    with session_scope(engine, write=False) as session:
        account = connectable(session, actor=actor, key=account_key)
        assert account.id is not None
        cls = factory.adapters.get(account.platform)
        revocable = box is not None and cls is not None and cls.auth is not None
        problem: str | None = None
        if box is None and cls is not None and cls.auth is not None:
            problem = "SIAR_SECRET_KEY belum disetel: token tidak dapat dicabut di platform"
        try:
            stored = (stored_credentials(session, account_id=account.id, box=box)
                      if revocable and box is not None else {})
        except SealedTokenUnreadable as exc:
            stored, problem = {}, str(exc)
        grant = cls.auth.grant_field if cls is not None and cls.auth is not None else ""
        sharing = (_sharing_consent(session, box, account.id, grant, stored[grant])
                   if box is not None and grant and stored.get(grant) else None)
        if sharing:
            stored, problem = {}, (f"akun {sharing} tersambung lewat login yang sama; "
                                   "mencabut izin aplikasi akan memutusnya juga")
    if stored:
        try:
            factory.auth(account.platform, stored).revoke()
        except PublishError as exc:
            problem = str(exc)
            log.warning("token %s tidak dapat dicabut di platform: %s", account_key, exc)
    with session_scope(engine, write=True) as session:
        removed = disconnect(session, actor=actor, account_key=account_key)
    return Disconnected(removed, problem)


def _sharing_consent(session: Session, box: SecretBox, account_id: int, field: str,
                     value: str) -> str | None:
    """Another connected account whose token rests on the same consent (`field` equal
    to `value`), as region/platform; None when there is none."""
    rows = session.exec(select(Account, AccountToken).join(
        AccountToken, col(AccountToken.account_id) == col(Account.id))
        .where(col(Account.id) != account_id).order_by(col(Account.id)))
    for account, row in rows:
        if field not in (row.fields or ()):
            continue
        try:
            theirs = box.open(row.sealed).get(field, "")
        except SealedTokenUnreadable:
            continue
        if hmac.compare_digest(theirs.encode(), value.encode()):
            return f"{account.region_key}/{account.platform}"
    return None
