"""The statements the worker runs for every post (record its outcome, log an event; the
claim itself is in scheduler.publishing.store), in two interchangeable forms: SQLAlchemy
Core for any database, and the sqlite3 driver directly for SQLite, where SQLAlchemy's
execution machinery would cost more than SQLite itself (bench/dispatch.py measures it).
Both run inside the transaction of scheduler.db.write_connection and are tested by the same suites.
"""

import json
from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any, Protocol

from sqlalchemy import Table, bindparam, insert, text, update
from sqlalchemy.engine import Connection

from scheduler.clock import real_now
from scheduler.coltypes import utc_text
from scheduler.models import Account, Post, PostEvent, PostStatus

POSTS: Table = Post.__table__  # type: ignore[attr-defined]
ACCOUNTS: Table = Account.__table__  # type: ignore[attr-defined]
EVENTS: Table = PostEvent.__table__  # type: ignore[attr-defined]
PUBLISHING = PostStatus.PUBLISHING.value
CLAIMED_COLUMNS = ("id", "account_id", "region_key", "platform", "text", "image", "image_alt",
                   "scheduled_at", "attempts", "platform_ref", "template", "election_key",
                   "rule_key", "problems", "attempt_via", "stage_key")


class Statements(Protocol):
    def update_claimed(self, connection: Connection, post_id: int, worker: str,
                       values: dict[str, Any]) -> bool:
        """Write `values` to a post this worker still holds; False if it no longer does."""

    def update_claimed_many(self, connection: Connection,
                            rows: Sequence[tuple[int, str, dict[str, Any]]]) -> set[int]:
        """`update_claimed` for each (post id, worker, values), each still guarded by its
        own claim; the ids written (PostgreSQL: one statement for the rows writing the
        same columns)."""

    def add_event(self, connection: Connection, post_id: int, *, kind: str, actor: str,
                  now: datetime, from_status: str | None, to_status: str | None,
                  note: str | None = None, details: dict[str, Any] | None = None) -> None:
        """Append one event."""

    def add_events(self, connection: Connection, events: list[dict[str, Any]]) -> None:
        """Append many events in one statement: each the keyword arguments of
        `add_event` with its `post_id` (note and details may be left out)."""


def statements_for(connection: Connection) -> Statements:
    return SQLITE if connection.dialect.name == "sqlite" else CORE


class CoreStatements:
    _EVENT = insert(EVENTS)

    def update_claimed(self, connection: Connection, post_id: int, worker: str,
                       values: dict[str, Any]) -> bool:
        result = connection.execute(_core_update(tuple(sorted(values))),
                                    {**values, "post_id": post_id, "worker": worker})
        return result.rowcount == 1

    def update_claimed_many(self, connection: Connection,
                            rows: Sequence[tuple[int, str, dict[str, Any]]]) -> set[int]:
        groups: dict[tuple[str, ...], list[tuple[int, str, dict[str, Any]]]] = {}
        for row in rows:
            groups.setdefault(tuple(sorted(row[2])), []).append(row)
        if len({post_id for post_id, _, _ in rows}) < len(rows):  # a post twice: in turn
            groups = {(): list(rows)}
        written: set[int] = set()
        for columns, group in groups.items():
            if len(group) == 1 or not set(columns) <= _MANY_COLUMNS:
                written.update(post_id for post_id, worker, values in group
                               if self.update_claimed(connection, post_id, worker, values))
                continue
            params: dict[str, Any] = {"post_id": [r[0] for r in group],
                                      "worker": [r[1] for r in group]}
            for name in columns:
                bind = _bind_processor(connection, name)
                params[name] = [bind(r[2][name]) for r in group]
            written.update(connection.execute(_many_update(columns), params).scalars())
        return written

    def add_event(self, connection: Connection, post_id: int, *, kind: str, actor: str,
                  now: datetime, from_status: str | None, to_status: str | None,
                  note: str | None = None, details: dict[str, Any] | None = None) -> None:
        connection.execute(self._EVENT, {
            "post_id": post_id, "at": now, "actor": actor, "kind": kind,
            "from_status": from_status, "to_status": to_status, "note": note,
            "details": details, "recorded_at": real_now()})

    def add_events(self, connection: Connection, events: list[dict[str, Any]]) -> None:
        if len(events) > 1 and connection.dialect.name == "postgresql":
            # One statement, not one execution per row (psycopg's executemany runs each).
            at = _bind_processor(connection, "at", EVENTS)
            recorded_at = at(real_now())
            connection.execute(_MANY_EVENTS, {
                "post_id": [e["post_id"] for e in events],
                "at": [at(e["now"]) for e in events],
                "actor": [e["actor"] for e in events], "kind": [e["kind"] for e in events],
                "from_status": [e["from_status"] for e in events],
                "to_status": [e["to_status"] for e in events],
                "note": [e.get("note") for e in events],
                # As SQLAlchemy's JSON type stores it (None as JSON null).
                "details": [json.dumps(e.get("details")) for e in events],
                "recorded_at": [recorded_at] * len(events)})
        elif events:
            recorded_at = real_now()
            connection.execute(self._EVENT, [{
                "post_id": e["post_id"], "at": e["now"], "actor": e["actor"],
                "kind": e["kind"], "from_status": e["from_status"],
                "to_status": e["to_status"], "note": e.get("note"),
                "details": e.get("details"), "recorded_at": recorded_at} for e in events])


@lru_cache(maxsize=32)
def _core_update(columns: tuple[str, ...]) -> Any:
    """One prepared UPDATE per set of columns an outcome writes (a handful in all)."""
    return update(POSTS).where(
        POSTS.c.id == bindparam("post_id"), POSTS.c.status == PUBLISHING,
        POSTS.c.claimed_by == bindparam("worker"),
    ).values({name: bindparam(name) for name in columns})


@lru_cache(maxsize=32)
def _many_update(columns: tuple[str, ...]) -> Any:
    """PostgreSQL: many posts' outcomes writing these columns in one UPDATE, each row
    guarded by its own claim (status and owner), the ids written returned. The values
    travel as one array per column (typed: an array of NULLs must still be timestamps)."""
    names = ("post_id", "worker", *columns)
    arrays = ", ".join(f"CAST(:{n} AS {_PG_TYPES.get(n, 'TEXT')}[])" for n in names)
    sets = ", ".join(f"{n} = v.{n}" for n in columns)
    return text(
        f"UPDATE post SET {sets} FROM unnest({arrays}) AS v({', '.join(names)}) "  # noqa: S608
        "WHERE post.id = v.post_id AND post.status = 'publishing' "
        "AND post.claimed_by = v.worker RETURNING post.id")


# The columns an outcome writes, written together (others, one post at a time), and
# those that are not text.
_PG_TYPES = {"post_id": "INTEGER", "attempts": "INTEGER", "due_at": "TIMESTAMPTZ",
             "lease_until": "TIMESTAMPTZ", "updated_at": "TIMESTAMPTZ",
             "published_at": "TIMESTAMPTZ"}
_MANY_COLUMNS = {*_PG_TYPES, "status", "platform_id", "platform_url", "last_error",
                 "published_via"}


_MANY_EVENTS = text(
    "INSERT INTO postevent (post_id, at, actor, kind, from_status, to_status, note, "
    "details, recorded_at) SELECT post_id, at, actor, kind, from_status, to_status, note, "
    "CAST(details AS JSON), recorded_at FROM unnest(CAST(:post_id AS INTEGER[]), "
    "CAST(:at AS TIMESTAMPTZ[]), CAST(:actor AS TEXT[]), CAST(:kind AS TEXT[]), "
    "CAST(:from_status AS TEXT[]), CAST(:to_status AS TEXT[]), CAST(:note AS TEXT[]), "
    "CAST(:details AS TEXT[]), CAST(:recorded_at AS TIMESTAMPTZ[])) WITH ORDINALITY AS "
    "v(post_id, at, actor, kind, from_status, to_status, note, details, recorded_at, n) "
    "ORDER BY n")


def _bind_processor(connection: Connection, name: str, table: Table = POSTS) -> Any:
    """The column's own conversion of a Python value (an instant made UTC)."""
    process = table.c[name].type.bind_processor(connection.dialect)
    return process if process is not None else _same


def _same(value: Any) -> Any:
    return value


class SqliteStatements:
    """Values go in as SQLite stores them (scheduler.db.UTCDateTime's text, JSON text)."""

    _EVENT = ("INSERT INTO postevent (post_id, at, actor, kind, from_status, to_status, note, "
              "details, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")

    def update_claimed(self, connection: Connection, post_id: int, worker: str,
                       values: dict[str, Any]) -> bool:
        columns = sorted(values)  # our own column names; every value is a bound parameter
        sql = (f"UPDATE post SET {', '.join(f'{c} = ?' for c in columns)} "  # noqa: S608
               "WHERE id = ? AND status = 'publishing' AND claimed_by = ?")
        cursor = driver(connection).execute(
            sql, (*(_stored(values[c]) for c in columns), post_id, worker))
        return bool(cursor.rowcount == 1)

    def update_claimed_many(self, connection: Connection,
                            rows: Sequence[tuple[int, str, dict[str, Any]]]) -> set[int]:
        # One writer at a time, in the process: a statement each costs no round trip.
        return {post_id for post_id, worker, values in rows
                if self.update_claimed(connection, post_id, worker, values)}

    def add_event(self, connection: Connection, post_id: int, *, kind: str, actor: str,
                  now: datetime, from_status: str | None, to_status: str | None,
                  note: str | None = None, details: dict[str, Any] | None = None) -> None:
        driver(connection).execute(self._EVENT, (
            post_id, utc_text(now), actor, kind, from_status, to_status, note,
            json.dumps(details) if details is not None else None, utc_text(real_now())))

    def add_events(self, connection: Connection, events: list[dict[str, Any]]) -> None:
        recorded_at = utc_text(real_now())
        driver(connection).executemany(self._EVENT, [(
            e["post_id"], utc_text(e["now"]), e["actor"], e["kind"], e["from_status"],
            e["to_status"], e.get("note"),
            json.dumps(e["details"]) if e.get("details") is not None else None, recorded_at)
            for e in events])


def loaded(row: Any) -> dict[str, Any]:
    """A claimed row as read straight from sqlite3 (CLAIMED_COLUMNS), typed."""
    values = dict(zip(CLAIMED_COLUMNS, row, strict=True))
    values["scheduled_at"] = datetime.fromisoformat(values["scheduled_at"])
    values["platform_ref"] = json.loads(values["platform_ref"] or "{}")
    values["problems"] = json.loads(values["problems"] or "[]")
    return values


def driver(connection: Connection) -> Any:
    """The sqlite3 connection under SQLAlchemy's, inside the same transaction."""
    return connection.connection.driver_connection


def _stored(value: Any) -> Any:
    if isinstance(value, datetime):
        return utc_text(value)
    if isinstance(value, dict | list):
        return json.dumps(value)
    return value


CORE = CoreStatements()
SQLITE = SqliteStatements()
