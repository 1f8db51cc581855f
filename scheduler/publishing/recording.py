"""Recording a publishing outcome: only if this worker still holds the claim (a post
recovered as uncertain by someone else in the meantime keeps that verdict).

Not a durable commit: lost in a power cut, the post is left claimed, recovered as
uncertain and looked up, never sent blindly; the next claim's commit makes it durable
anyway. The claim and a saved container must be durable, and are.

A busy database is tried again (scheduler.publishing.retrying); should it stay busy past
that bound, the post stays claimed, its lease is no longer renewed, and it is recovered
as uncertain: never sent again blindly.

A worker publishing to many accounts at once records through an `OutcomeRecorder`: the
outcomes waiting while one transaction commits are written together in the next one
(scheduler.publishing.batcher), each still guarded by its own claim."""

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.engine import Connection, Engine

from scheduler.db import write_connection
from scheduler.models import PostStatus
from scheduler.publishing.batcher import GroupWriter
from scheduler.publishing.retrying import busy, reason, until_stored
from scheduler.publishing.statements import ACCOUNTS, statements_for

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Finish:
    """One outcome: the post's new values, and the event that says so."""

    post_id: int
    worker: str
    now: datetime
    values: dict[str, Any]
    kind: str
    note: str | None = None
    details: dict[str, Any] | None = None
    pause: tuple[int, str] | None = None  # (account id, reason): the account is paused


Record = Callable[[Finish], None]


def record_outcome(engine: Engine, finish: Finish) -> None:
    """Store one outcome in its own transaction (retried while the database is busy)."""
    _stored_or_logged(finish, lambda: _write(engine, [finish]))


class OutcomeRecorder(GroupWriter[Finish]):
    """`record()` from any thread; one thread writes the waiting outcomes together. The
    database busy past the bound: each outcome logged and its post left claimed, for
    recovery; one outcome the database refuses does not take the others with it."""

    def __init__(self, engine: Engine) -> None:
        super().__init__("siar-outcomes")
        self.engine = engine

    def record(self, finish: Finish) -> None:
        """Returns once the outcome is written (or logged, see above)."""
        self.write(finish)

    def write_together(self, batch: Sequence[Finish]) -> None:
        until_stored(f"{len(batch)} hasil unggahan", lambda: _write(self.engine, batch))

    def write_alone(self, finish: Finish) -> None:
        record_outcome(self.engine, finish)

    def settled(self, batch: Sequence[Finish], exc: Exception) -> bool:
        if not busy(exc):
            return False
        for finish in batch:
            _busy_logged(finish, exc)
        return True


def _stored_or_logged(finish: Finish, work: Callable[[], None]) -> None:
    try:
        until_stored(f"hasil unggahan #{finish.post_id}", work)
    except Exception as exc:
        if not busy(exc):
            raise
        _busy_logged(finish, exc)


def _busy_logged(finish: Finish, exc: BaseException) -> None:
    log.error("hasil unggahan #%s tidak tersimpan: basis data sibuk (%s); unggahan ini "
              "akan dipulihkan sebagai uncertain", finish.post_id, reason(exc))


def _write(engine: Engine, batch: Sequence[Finish]) -> None:
    """Each outcome a guarded update on its post's status and owner (written together
    where the database can: scheduler.publishing.statements); the events of those
    written, together in one statement."""
    with write_connection(engine, durable=False) as connection:
        ops = statements_for(connection)
        written = ops.update_claimed_many(connection, [
            (f.post_id, f.worker, {**f.values, "lease_until": None, "updated_at": f.now})
            for f in batch])
        events = []
        for finish in batch:
            if finish.post_id not in written:
                log.warning("unggahan #%s tidak lagi diklaim oleh pekerja ini; hasil "
                            "diabaikan", finish.post_id)
                continue
            _pause(connection, finish)
            events.append({
                "post_id": finish.post_id, "kind": finish.kind, "actor": finish.worker,
                "now": finish.now, "from_status": PostStatus.PUBLISHING.value,
                "to_status": str(finish.values.get("status", PostStatus.PUBLISHING.value)),
                "note": finish.note, "details": finish.details})
        if events:
            ops.add_events(connection, events)


def _pause(connection: Connection, finish: Finish) -> None:
    """The account is paused (it needs its credentials again), if not paused already."""
    if finish.pause is not None:
        account_id, why = finish.pause
        connection.execute(update(ACCOUNTS).where(
            ACCOUNTS.c.id == account_id, ACCOUNTS.c.paused_at.is_(None)).values(
            paused_at=finish.now, paused_reason=why))
