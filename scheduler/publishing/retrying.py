"""Writing an outcome until it is stored: a busy database ("database is locked" on SQLite,
a serialization failure, deadlock or dropped connection on PostgreSQL) is waited out and
tried again, within a bound, so that a post whose request has left is never left in
`publishing` because the database was busy for a moment."""

import logging
import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import DBAPIError

from scheduler.busy import is_busy

log = logging.getLogger(__name__)
T = TypeVar("T")
RETRY_FOR = 120.0  # seconds an outcome is tried again, at most
FIRST_WAIT, LONGEST_WAIT = 0.05, 5.0


def busy(exc: BaseException) -> bool:
    """Whether trying the same transaction again may succeed: the database was busy
    (scheduler.busy: a lock, a serialization failure, a deadlock), or the connection
    dropped (wrapped by SQLAlchemy, or the driver's own, raised from a BEGIN hook). Other
    errors ("no such table", a read-only file) are faults and raised at once."""
    if is_busy(exc):
        return True
    if isinstance(exc, DBAPIError):
        return bool(exc.connection_invalidated)
    return any(kind.__name__ == "OperationalError" and kind.__module__.startswith("psycopg")
               for kind in type(exc).__mro__)


def until_stored(what: str, work: Callable[[], T], *, limit: float = RETRY_FOR,
                 sleep: Callable[[float], object] = time.sleep) -> T:
    """Run `work` (one whole transaction) until it succeeds; a busy database is retried
    with a growing wait for up to `limit` seconds, then its error is raised."""
    deadline = time.monotonic() + limit
    wait = FIRST_WAIT
    tries = 1
    while True:
        try:
            return work()
        except Exception as exc:
            if not busy(exc) or time.monotonic() + wait > deadline:
                raise
            log.warning("%s: basis data sibuk (%s), percobaan %s; dicoba lagi dalam %.2f "
                        "detik", what, reason(exc), tries, wait)
        sleep(wait)
        tries += 1
        wait = min(wait * 2, LONGEST_WAIT)


_REASONS = (  # the driver's words (lower case) -> what an operator reads
    (("database is locked", "database table is locked", "busy"),
     "dikunci penulis lain"),
    (("could not serialize", "deadlock"), "transaksi bentrok dengan pekerja lain"),
    (("lock timeout", "lock_timeout"), "menunggu kunci terlalu lama"),
    (("connection", "server closed", "terminating"), "sambungan terputus"),
)


def reason(exc: BaseException) -> str:
    """Why the database was busy, in Indonesian: the driver's own text (English, and
    possibly with SQL) stays out of the worker's log lines."""
    original = getattr(exc, "orig", None) or exc
    text = str(original).lower()
    for needles, said in _REASONS:
        if any(needle in text for needle in needles):
            return said
    return type(original).__name__
