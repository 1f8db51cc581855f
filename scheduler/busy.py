"""A busy database, retried a few times and then reported, never a traceback.

SQLite answers "database is locked" when another process held the write lock longer than
the busy timeout; PostgreSQL refuses a transaction with a serialization failure, a
deadlock or a lock timeout. The unit of work is run again from its start (it was rolled
back), a bounded number of times with growing pauses, then DatabaseBusyError tells the
user in Indonesian to try again (exit code 7).
"""

import logging
import sqlite3
import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import DBAPIError

from scheduler.errors import DatabaseBusyError

log = logging.getLogger(__name__)

T = TypeVar("T")

ATTEMPTS = 4  # tries of one unit of work (each SQLite try already waits its busy timeout)
PAUSE = 0.5  # seconds before the second try; doubled before each next one
# serialization_failure, deadlock_detected, lock_not_available (lock_timeout)
_POSTGRES_BUSY = frozenset({"40001", "40P01", "55P03"})
_SQLITE_BUSY = ("database is locked", "database is busy", "database table is locked")


def is_busy(exc: BaseException) -> bool:
    """Whether `exc` says the database was busy with other work (worth trying again).
    SQLite's error may come bare (from the BEGIN IMMEDIATE that scheduler.db sends
    itself) or wrapped by SQLAlchemy."""
    original = exc.orig if isinstance(exc, DBAPIError) else exc
    if isinstance(original, sqlite3.OperationalError):
        return any(text in str(original) for text in _SQLITE_BUSY)
    return isinstance(exc, DBAPIError) and getattr(original, "sqlstate", None) in _POSTGRES_BUSY


def retry_busy(work: Callable[[], T], *, what: str) -> T:
    """work(), tried again while the database is busy; DatabaseBusyError after ATTEMPTS.
    `work` must be one whole unit of work (its own transaction), safe to run again."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return work()
        except (DBAPIError, sqlite3.OperationalError) as exc:
            if not is_busy(exc):
                raise
            if attempt == ATTEMPTS:
                raise DatabaseBusyError(
                    f"basis data sedang sibuk (dikunci pekerjaan lain) saat {what}; sudah "
                    f"dicoba {ATTEMPTS} kali. Jalankan lagi perintahnya sebentar lagi.") from None
            log.warning("basis data sibuk saat %s (percobaan %d dari %d): dicoba lagi",
                        what, attempt, ATTEMPTS)
            time.sleep(PAUSE * 2 ** (attempt - 1))
    raise AssertionError("not reached")  # pragma: no cover
