"""Planning's storage: which natural keys exist, a batch of new posts with their events in
one short transaction, the run's record, and the removal of what a failed run stored.

Each function is one unit of work (its own transaction), safe to run again, so planning
wraps each in scheduler.busy.retry_busy.
"""

import json
import logging
from collections import Counter
from datetime import datetime
from functools import lru_cache, partial
from typing import Any

from sqlalchemy import (
    JSON,
    Table,
    delete,
    exists,
    func,
    insert,
    literal,
    select,
    update,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from scheduler.busy import retry_busy
from scheduler.clock import real_now
from scheduler.coltypes import UTCDateTime, utc_text
from scheduler.db import write_connection
from scheduler.errors import SiarError
from scheduler.models import PlanRun, Post, PostEvent, PostStatus

POSTS: Table = Post.__table__  # type: ignore[attr-defined]
EVENTS: Table = PostEvent.__table__  # type: ignore[attr-defined]
RUNS: Table = PlanRun.__table__  # type: ignore[attr-defined]
log = logging.getLogger(__name__)


def existing_keys(engine: Engine, keys: list[str]) -> set[str]:
    """Which of `keys` are planned already (a read: never waits for the write lock).

    Counted first: when every key exists (re-planning a planned range) or none does (a
    new one), that is the answer and no key travels back. Only a batch that is partly
    planned reads its keys. Straight to the driver with the keys as they are: compiling
    a thousand bound parameters per batch cost more than the lookups themselves."""
    if not keys:
        return set()
    with engine.connect() as connection:
        params: tuple[Any, ...]
        if connection.dialect.name == "sqlite":
            where, params = _sqlite_in(len(keys)), tuple(keys)
        else:  # PostgreSQL: one text array, sent in binary (psycopg's %b: nothing to quote)
            where, params = "= ANY(%b)", (keys,)
        # Only placeholders are formatted in; the keys are bound parameters.
        found = connection.exec_driver_sql(
            f"SELECT count(*) FROM post WHERE plan_key {where}",  # noqa: S608
            params).scalar_one()
        if found == len(keys):
            return set(keys)
        if not found:
            return set()
        return set(connection.exec_driver_sql(
            f"SELECT plan_key FROM post WHERE plan_key {where}", params).scalars())  # noqa: S608


@lru_cache(maxsize=8)
def _sqlite_in(size: int) -> str:
    """`IN (?, ?, ...)` for `size` keys (a run's batches all have one size but the last)."""
    return f"IN ({', '.join('?' * size)})"


def insert_batch(engine: Engine, rows: list[dict[str, Any]], run_id: int, actor: str,
                  now: datetime) -> Counter[tuple[str | None, str]]:
    """One short transaction: the rows whose plan_key is new, one `planned` event for each
    post this batch created, and how many it created (by stage and platform)."""
    # Not durable: a plan lost in a power cut is simply planned again (idempotent).
    with write_connection(engine, durable=False) as connection:
        before = connection.scalar(select(func.max(POSTS.c.id))) or 0
        _insert_chunk(connection, rows)
        # Ids only grow: this batch's posts are this run's posts above `before`.
        mine = (POSTS.c.id > before) & (POSTS.c.plan_run_id == run_id)
        connection.execute(
            insert(EVENTS).from_select(
                ["post_id", "at", "actor", "kind", "to_status", "details", "recorded_at"],
                select(POSTS.c.id, literal(now, UTCDateTime), literal(actor),
                       literal("planned"), literal(PostStatus.PENDING.value),
                       literal({"run": run_id}, JSON), literal(real_now(), UTCDateTime))
                .where(mine)))
        created = connection.execute(
            select(POSTS.c.stage_key, POSTS.c.platform, func.count()).where(mine)
            .group_by(POSTS.c.stage_key, POSTS.c.platform)).all()
    return Counter({(stage, platform): n for stage, platform, n in created})


def finish_run(engine: Engine, run_id: int, created: int, existing: int, now: datetime) -> None:
    """Record the run's counts and its end."""
    with write_connection(engine, durable=False) as connection:
        connection.execute(update(RUNS).where(RUNS.c.id == run_id).values(
            created=created, existing=existing, finished_at=now))


def undo_run(engine: Engine, run_id: int) -> None:
    """Remove what a failed run created: its posts nobody has touched yet (still pending)
    with their events, and the run itself once no post refers to it. Should the database
    stay busy, they stay: valid pending posts, which planning again skips."""
    try:
        retry_busy(partial(_remove_run, engine, run_id), what="menghapus rencana yang gagal")
    except (SiarError, SQLAlchemyError):  # the run's own error is the one to report
        log.exception("rencana #%s gagal dan unggahannya tidak dapat dihapus", run_id)


def _remove_run(engine: Engine, run_id: int) -> None:
    mine = select(POSTS.c.id).where(POSTS.c.plan_run_id == run_id,
                                    POSTS.c.status == PostStatus.PENDING.value)
    with write_connection(engine) as connection:
        connection.execute(delete(EVENTS).where(EVENTS.c.post_id.in_(mine)))
        connection.execute(delete(POSTS).where(POSTS.c.id.in_(mine)))
        connection.execute(delete(RUNS).where(
            RUNS.c.id == run_id, ~exists().where(POSTS.c.plan_run_id == run_id)))


def _insert_chunk(connection: Connection, rows: list[dict[str, Any]]) -> None:
    """Insert rows whose plan_key is new; rows that exist are skipped, never updated."""
    if connection.dialect.name == "sqlite":
        # The driver's executemany with values already in storage form: the statement is
        # compiled once and no per-value type processing runs (this is the hot path).
        columns = list(rows[0])  # our own column names; every value is a bound parameter
        sql = (f"INSERT INTO post ({', '.join(columns)}) VALUES "  # noqa: S608
               f"({', '.join('?' * len(columns))}) ON CONFLICT (plan_key) DO NOTHING")
        connection.exec_driver_sql(sql, _stored_rows(columns, rows))
        return
    statement = postgresql.insert(POSTS).on_conflict_do_nothing(index_elements=["plan_key"])
    connection.execute(statement, rows)


def _stored_rows(columns: list[str], rows: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """Rows as SQLite stores them: instants as UTC text (scheduler.db.UTCDateTime), JSON as
    text. Only those columns are converted, and each instant once (many rows share it)."""
    texts: dict[datetime, str] = {}
    instants = [i for i, c in enumerate(columns) if isinstance(POSTS.c[c].type, UTCDateTime)]
    documents = [(i, _EMPTY_JSON[c]) for i, c in enumerate(columns) if c in _EMPTY_JSON]
    stored = []
    for row in rows:
        values = [row[c] for c in columns]
        for i in instants:
            value = values[i]
            if value is not None:
                text = texts.get(value)
                if text is None:
                    text = texts[value] = utc_text(value)
                values[i] = text
        for i, empty in documents:
            values[i] = json.dumps(values[i]) if values[i] else empty
        stored.append(tuple(values))
    return stored


_EMPTY_JSON = {"problems": "[]", "platform_ref": "{}"}  # the JSON columns, empty
