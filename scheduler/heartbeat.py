"""Workers' heartbeats: each worker writes its latest sign of life (at start and at every
maintenance tick) so that operators can tell a running worker from a stopped one."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, delete, select

from scheduler.db import session_scope
from scheduler.models import WorkerBeat

STALE_AFTER = timedelta(minutes=2)  # two maintenance ticks (a minute apart) missed
SHOWN_FOR = timedelta(hours=24)  # a worker that stopped longer ago is no longer listed
KEPT_FOR = timedelta(days=7)  # rows of workers silent longer are deleted at a start


@dataclass(frozen=True)
class WorkerState:
    name: str  # host:pid:start
    started_at: datetime
    last_beat: datetime
    stale: bool  # no beat for STALE_AFTER: stopped, or stuck


def beat(engine: Engine, *, name: str, started_at: datetime, now: datetime,
         prune: bool = False) -> None:
    """Upsert this worker's row in one short transaction (one writer per name, so no
    race). Not durable: a beat lost in a power cut is simply written again."""
    with session_scope(engine, write=True, durable=False) as session:
        row = session.get(WorkerBeat, name)
        if row is None:
            session.add(WorkerBeat(name=name, started_at=started_at, last_beat=now))
        else:
            row.last_beat = now
            session.add(row)
        if prune:
            session.exec(delete(WorkerBeat).where(col(WorkerBeat.last_beat) < now - KEPT_FOR))


def worker_states(session: Session, *, now: datetime) -> list[WorkerState]:
    """The workers seen in the last SHOWN_FOR, latest beat first; if none, the last
    worker ever seen (so a long-stopped worker still shows, as stopped)."""
    rows = list(session.exec(select(WorkerBeat).where(
        col(WorkerBeat.last_beat) >= now - SHOWN_FOR).order_by(col(WorkerBeat.last_beat).desc())))
    if not rows:
        rows = list(session.exec(select(WorkerBeat)
                                 .order_by(col(WorkerBeat.last_beat).desc()).limit(1)))
    return [WorkerState(name=r.name, started_at=r.started_at, last_beat=r.last_beat,
                        stale=now - r.last_beat > STALE_AFTER) for r in rows]
