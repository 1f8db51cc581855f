"""The worker's view of connected accounts' credentials (scheduler.account_tokens): read
from the database in one query, opened with SIAR_SECRET_KEY only when a post needs them,
and read again after a short while, so a refresh by another worker is picked up."""

import threading
import time
from collections.abc import Mapping

from sqlalchemy import Engine
from sqlmodel import col, select

from scheduler.config import Settings
from scheduler.db import session_scope
from scheduler.models import AccountToken
from scheduler.secretbox import SealedTokenUnreadable, SecretBox

TTL_SECONDS = 30.0


def secret_box(settings: Settings) -> SecretBox | None:
    """The box for stored tokens, or None when SIAR_SECRET_KEY is not set."""
    if not settings.secret_key:
        return None
    return SecretBox(settings.secret_key, settings.secret_keys_old)


def required_box(settings: Settings) -> SecretBox:
    """The box for stored tokens; SecretKeyMissing (a clear settings error) without a key."""
    return SecretBox(settings.secret_key, settings.secret_keys_old)


class StoredCredentials:
    """`fields(account_id)` and `values(account_id)` of connected accounts."""

    def __init__(self, engine: Engine, settings: Settings, ttl: float = TTL_SECONDS) -> None:
        self.engine = engine
        self.settings = settings
        self.ttl = ttl
        self._box: SecretBox | None = None
        self._lock = threading.Lock()
        self._read_at = float("-inf")
        # account id -> (version, sealed text, field names)
        self._rows: dict[int, tuple[int, str, tuple[str, ...]]] = {}
        # account id -> (version, opened fields): only the current version is kept
        self._opened: dict[int, tuple[int, dict[str, str]]] = {}

    def invalidate(self) -> None:
        with self._lock:
            self._read_at = float("-inf")

    def _current(self) -> dict[int, tuple[int, str, tuple[str, ...]]]:
        with self._lock:
            if time.monotonic() - self._read_at > self.ttl:
                with session_scope(self.engine, write=False) as session:
                    self._rows = {
                        row.account_id: (row.version, row.sealed, tuple(row.fields or ()))
                        for row in session.exec(select(AccountToken).order_by(
                            col(AccountToken.account_id)))}
                self._read_at = time.monotonic()
            return self._rows

    def fields(self, account_id: int) -> tuple[str, ...]:
        """The names of the fields stored for the account (no key needed)."""
        row = self._current().get(account_id)
        return row[2] if row is not None else ()

    def values(self, account_id: int) -> Mapping[str, str]:
        """The stored fields, opened. SealedTokenUnreadable (or SecretKeyMissing, as a
        ConfigError) when they cannot be: the account is then held, and says why."""
        row = self._current().get(account_id)
        if row is None:
            return {}
        version, sealed, _ = row
        with self._lock:
            kept = self._opened.get(account_id)
        opened = kept[1] if kept is not None and kept[0] == version else None
        if opened is None:
            if self._box is None:  # built on first use: a bad key holds only these accounts
                self._box = secret_box(self.settings)
            if self._box is None:
                raise SealedTokenUnreadable(
                    "token tersimpan tidak dapat dibuka: SIAR_SECRET_KEY belum disetel")
            opened = self._box.open(sealed)
            with self._lock:
                self._opened[account_id] = (version, opened)
        return opened
