"""One leader for the periodic jobs: of several workers on one database, one at a time
plans ahead and runs maintenance (recovering abandoned claims, marking missed posts,
looking uncertain posts up); every worker publishes.

- PostgreSQL: a session-level advisory lock, held on a connection of its own for as long
  as the worker leads. The server releases it the moment that session ends, a worker
  killed included, and the next worker to ask takes it.
- SQLite: a row in `leaderlease` with the leader's name and a lease, renewed by its
  heartbeat. Another worker takes it once the lease has run out, or at once when the
  holder is a process of this machine that no longer exists.
"""

import logging
import threading
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Engine

from scheduler.db import write_connection
from scheduler.models import LeaderLease
from scheduler.processes import dead_local_process

log = logging.getLogger(__name__)
LEASES = LeaderLease.__table__  # type: ignore[attr-defined]
LEADER_LEASE = timedelta(seconds=60)  # renewed every heartbeat (scheduler.worker)
PERIODIC = "periodic"  # the name of the jobs' lock
ADVISORY_KEY = 0x5_1A_2024  # pg_try_advisory_lock(bigint): Siar's periodic jobs
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class Leadership(Protocol):
    def lead(self, now: datetime) -> bool:
        """Whether this worker leads now: keeps (and renews) the lead it holds, or takes
        it if nobody holds it."""

    def release(self) -> None:
        """Give the lead up (a worker stopping), so another takes it at once."""


def leadership_for(engine: Engine, holder: str) -> Leadership:
    if engine.dialect.name == "postgresql":
        return AdvisoryLeadership(engine, holder)
    return LeaseLeadership(engine, holder)


class LeaseLeadership:
    """A lock row with a lease (SQLite; it would work on any database)."""

    def __init__(self, engine: Engine, holder: str, lease: timedelta = LEADER_LEASE,
                 name: str = PERIODIC) -> None:
        self.engine, self.holder, self.lease, self.name = engine, holder, lease, name

    def lead(self, now: datetime) -> bool:
        with write_connection(self.engine, durable=False) as connection:
            row = connection.execute(select(LEASES.c.holder, LEASES.c.lease_until).where(
                LEASES.c.name == self.name)).first()
            if row is None:
                connection.execute(insert(LEASES).values(
                    name=self.name, holder=self.holder, lease_until=now + self.lease))
                return self._took(None)
            holder, until = row
            free = holder == self.holder or until < now or dead_local_process(holder)
            if not free:
                return False
            # Guarded on what was read: of two workers taking a free lead, one wins.
            changed = connection.execute(update(LEASES).where(
                LEASES.c.name == self.name, LEASES.c.holder == holder,
                LEASES.c.lease_until == until).values(
                holder=self.holder, lease_until=now + self.lease)).rowcount == 1
        return self._took(holder) if changed and holder != self.holder else changed

    def release(self) -> None:
        with write_connection(self.engine, durable=False) as connection:
            connection.execute(update(LEASES).where(
                LEASES.c.name == self.name, LEASES.c.holder == self.holder).values(
                lease_until=EPOCH))

    def _took(self, previous: str | None) -> bool:
        log.info("pekerja %s kini menjalankan tugas berkala%s", self.holder,
                 f" (menggantikan {previous})" if previous else "")
        return True


class AdvisoryLeadership:
    """A PostgreSQL session-level advisory lock on a dedicated connection."""

    def __init__(self, engine: Engine, holder: str, key: int = ADVISORY_KEY) -> None:
        self.engine, self.holder, self.key = engine, holder, key
        self._connection: Any = None  # the driver's connection, outside the pool
        # The heartbeat and the periodic jobs may ask at the same instant: one at a time,
        # or two sessions could race and one lock be left held by a forgotten session.
        self._guard = threading.Lock()

    def lead(self, now: datetime) -> bool:
        with self._guard:
            return self._lead()

    def _lead(self) -> bool:
        if self._connection is not None:
            try:  # still our session, so still our lock
                self._execute("SELECT 1")
                return True
            except Exception:
                log.warning("sambungan kunci pemimpin terputus; kunci dilepas")
                self._close()
        pooled = self.engine.raw_connection()
        self._connection = pooled.driver_connection
        pooled.detach()  # ours alone, never back in the pool
        self._connection.autocommit = True
        try:
            took = bool(self._execute("SELECT pg_try_advisory_lock(%s)", (self.key,)))
        except Exception:
            self._close()
            raise
        if not took:
            self._close()
            return False
        log.info("pekerja %s kini menjalankan tugas berkala", self.holder)
        return True

    def release(self) -> None:
        with self._guard:
            self._close()  # ending the session releases its advisory locks

    def _execute(self, sql: str, params: tuple[Any, ...] = ()) -> Any:
        cursor = self._connection.execute(sql, params)
        row = cursor.fetchone()
        return row[0] if row else None

    def _close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            try:
                connection.close()
            except Exception:
                log.debug("sambungan kunci pemimpin sudah tertutup", exc_info=True)
