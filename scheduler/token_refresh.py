"""Renewing connected accounts' tokens before they expire, for every platform whose
adapter declares how (`Adapter.auth`, a scheduler.adapters.base.PlatformAuth).

The rule: a stored token is due for renewal once less than a quarter of its lifetime
remains, and at least ten minutes before it expires. Its lifetime runs from its last
renewal (or from when it was connected) to its expiry. An X token (two hours) is renewed
30 minutes ahead, about every 90 minutes; a Threads token (60 days) 15 days ahead. A
platform may also need a token to be of some age first (Threads: 24 hours).

Several workers may renew the same token at once, and X's refresh tokens work only once.
A renewal is stored only over the version it read (compare-and-set); the loser uses the
winner's. A refusal (revoked, already used) is checked against the database first: if
the stored version moved, another worker renewed it and there is nothing wrong. Only a
refusal of the current token pauses the account, with a reason that says to reconnect.
Transient failures are retried a few times, then left for the next round.
"""

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import col, select

from scheduler.account_tokens import replace_after_refresh
from scheduler.accounts import pause_account
from scheduler.adapters.base import (
    AmbiguousPublishError,
    Grant,
    PlatformAuth,
    RefreshRefused,
    TransientPublishError,
)
from scheduler.clock import Clock
from scheduler.db import session_scope
from scheduler.errors import SiarError
from scheduler.models import Account, AccountToken, Role
from scheduler.publishing.factory import AdapterFactory
from scheduler.publishing.stored import secret_box
from scheduler.secretbox import SecretBox
from scheduler.users import Actor

log = logging.getLogger(__name__)

REFRESH_SHARE = 4  # renew when less than 1/REFRESH_SHARE of the lifetime remains
MIN_LEAD = timedelta(minutes=10)
ATTEMPTS = 3  # per round, for transient failures
FIRST_WAIT = 2.0  # seconds before the second attempt; doubled for the third
MAX_WAIT = 30.0  # a platform asking for longer is tried again at the next round
# Who pauses an account whose renewal was refused (shown in the pause reason).
REFRESHER = Actor("penyegar-token", Role.ADMIN, "", province_wide=False, everywhere=True)


def renewal_lead(expires_at: datetime, since: datetime) -> timedelta:
    """How long before its expiry a token is renewed."""
    return max((expires_at - since) / REFRESH_SHARE, MIN_LEAD)


def renewal_due(expires_at: datetime, since: datetime, now: datetime,
                min_age: timedelta = timedelta(0)) -> bool:
    return now >= expires_at - renewal_lead(expires_at, since) and now - since >= min_age


@dataclass(frozen=True)
class Candidate:
    account_id: int
    key: str  # region/platform
    platform: str
    version: int


@dataclass
class RefreshReport:
    refreshed: list[str] = field(default_factory=list)
    adopted: list[str] = field(default_factory=list)  # another worker renewed it first
    paused: list[str] = field(default_factory=list)  # refused: someone must reconnect
    postponed: list[str] = field(default_factory=list)  # tried again at the next round


class TokenRefresher:
    """One worker's renewals; `run()` once per maintenance round."""

    def __init__(self, engine: Engine, factory: AdapterFactory, clock: Clock, *,
                 sleep: Callable[[float], object] = time.sleep) -> None:
        self.engine = engine
        self.factory = factory
        self.clock = clock
        self.sleep = sleep

    def run(self) -> RefreshReport:
        report = RefreshReport()
        due = self.due()
        if not due:
            return report
        try:
            box = secret_box(self.factory.settings)
        except SiarError as exc:  # a key too short: said, and no account renewed
            log.warning("%s token perlu diperbarui, tetapi kuncinya tidak dapat dipakai: %s",
                        len(due), exc)
            box = None
        if box is None:
            log.warning("%s token perlu diperbarui, tetapi SIAR_SECRET_KEY belum disetel",
                        len(due))
            report.postponed += [c.key for c in due]
            return report
        for candidate in due:
            self.refresh_one(candidate, box, report)
        return report

    def due(self) -> list[Candidate]:
        """Stored tokens of active accounts that are due for renewal now."""
        now = self.clock.now()
        found = []
        with session_scope(self.engine, write=False) as session:
            rows = session.exec(
                select(Account, AccountToken)
                .join(AccountToken, col(AccountToken.account_id) == col(Account.id))
                .where(col(AccountToken.expires_at).is_not(None),
                       col(Account.paused_at).is_(None), col(Account.enabled).is_(True))
                .order_by(col(AccountToken.expires_at)))
            for account, row in rows:
                auth = self._auth_class(account.platform)
                if (auth is None or row.expires_at is None
                        or not auth.renews(row.fields or ())):
                    continue
                since = row.refreshed_at or row.connected_at
                if renewal_due(row.expires_at, since, now, auth.refresh_min_age):
                    found.append(Candidate(row.account_id, f"{account.region_key}/"
                                           f"{account.platform}", account.platform,
                                           row.version))
        return found

    def refresh_one(self, candidate: Candidate, box: SecretBox, report: RefreshReport) -> None:
        """Renew one token read at `candidate.version` (see the module's rules)."""
        with session_scope(self.engine, write=False) as session:
            row = session.get(AccountToken, candidate.account_id)
            if row is None or row.version != candidate.version:
                report.adopted.append(candidate.key)
                return
            try:
                credentials = box.open(row.sealed)
            except SiarError as exc:  # sealed with another key: this account only
                log.warning("token %s tidak diperbarui: %s", candidate.key, exc)
                report.postponed.append(candidate.key)
                return
        try:
            grant = self._with_retries(self.factory.auth(candidate.platform, credentials))
        except RefreshRefused as refused:
            self._refused(candidate, refused, report)
            return
        except SiarError as exc:  # transient after every attempt, no app, no adapter
            log.warning("token %s belum diperbarui, dicoba lagi nanti: %s", candidate.key, exc)
            report.postponed.append(candidate.key)
            return
        with session_scope(self.engine, write=True) as session:
            stored = replace_after_refresh(
                session, account_id=candidate.account_id, read_version=candidate.version,
                values=grant.values, box=box, now=self.clock.now(),
                expires_at=grant.expires_at, refresh_expires_at=grant.refresh_expires_at)
        self._forget_cached()
        if stored:
            log.info("token %s diperbarui", candidate.key)
            report.refreshed.append(candidate.key)
        else:  # another worker stored its renewal first: that one is used
            report.adopted.append(candidate.key)

    def _with_retries(self, auth: PlatformAuth) -> Grant:
        for attempt in range(1, ATTEMPTS + 1):
            try:
                return auth.refresh()
            except (TransientPublishError, AmbiguousPublishError) as exc:
                asked = getattr(exc, "retry_after", None)
                wait = float(asked) if asked else FIRST_WAIT * 2 ** (attempt - 1)
                if attempt == ATTEMPTS or wait > MAX_WAIT:
                    raise
                self.sleep(wait)
        raise AssertionError("unreachable")  # pragma: no cover

    def _refused(self, candidate: Candidate, refused: RefreshRefused,
                 report: RefreshReport) -> None:
        with session_scope(self.engine, write=True) as session:
            row = session.get(AccountToken, candidate.account_id)
            if row is None or row.version != candidate.version:
                # Another worker renewed (or an admin reconnected) meanwhile: the refusal
                # was of the token it had already used up.
                report.adopted.append(candidate.key)
                self._forget_cached()
                return
            account = session.get(Account, candidate.account_id)
            if account is not None and account.paused_at is None:
                pause_account(session, actor=REFRESHER, key=candidate.key,
                              now=self.clock.now(), reason=(
                                  f"token akun {candidate.key} tidak dapat diperbarui "
                                  f"({refused}); hubungkan ulang akun di halaman Akun Siar "
                                  "atau dengan `siar account connect`, lalu lanjutkan akun"))
        log.warning("token %s ditolak saat diperbarui; akun dijeda: %s", candidate.key, refused)
        report.paused.append(candidate.key)

    def _auth_class(self, platform: str) -> type[PlatformAuth] | None:
        adapter = self.factory.adapters.get(platform)
        return adapter.auth if adapter is not None else None

    def _forget_cached(self) -> None:
        if self.factory.stored is not None:
            self.factory.stored.invalidate()
