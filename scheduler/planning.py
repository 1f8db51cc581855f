"""Planning: active stages x rules x accounts x cadence slots -> rendered pending posts
(the rows themselves: scheduler.planning_rows).

Idempotent: every planned post has a natural key (rule, account, slot) that is unique
in the database, and inserts skip keys that exist, so planning a range twice creates
nothing and never overwrites a post someone has touched. Rows stream through in
chunks (bounded memory) and the whole run is one transaction (no partial writes).
"""

import json
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from itertools import chain
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, Table, func, insert, literal, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session, col

from scheduler.accounts import account_ids, sync_accounts
from scheduler.checks.post_checks import CheckSettings
from scheduler.clock import real_now
from scheduler.content.model import Catalog
from scheduler.db import UTCDateTime, session_scope, utc_text
from scheduler.errors import InputError, UnknownPlatformError, UnknownRegionError
from scheduler.models import PlanRun as PlanRunRow
from scheduler.models import Post, PostEvent, PostStatus
from scheduler.models import Region as RegionRow
from scheduler.permissions import Action, require, require_role
from scheduler.planning_activities import ActivityRows
from scheduler.planning_rows import PostRows, rule_members
from scheduler.results import announced_calendar, with_releases
from scheduler.users import Actor

CHUNK_SIZE = 2000
POSTS: Table = Post.__table__  # type: ignore[attr-defined]
EVENTS: Table = PostEvent.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class PlanRequest:
    date_from: date
    date_to: date
    regions: tuple[str, ...] = ()  # empty: every region
    platforms: tuple[str, ...] = ()  # empty: every platform
    dry_run: bool = False
    actor: str = "planner"


@dataclass
class PlanSummary:
    request: PlanRequest
    run_id: int | None = None
    created: Counter[tuple[str, str]] = field(default_factory=Counter)  # (stage, platform)
    existing: Counter[tuple[str, str]] = field(default_factory=Counter)

    @property
    def total_created(self) -> int:
        return sum(self.created.values())

    @property
    def total_existing(self) -> int:
        return sum(self.existing.values())


Progress = Callable[[int, int], None]  # (posts done, posts total)


def validate_request(catalog: Catalog, request: PlanRequest) -> None:
    if request.date_to < request.date_from:
        raise InputError(
            f"tanggal akhir {request.date_to} lebih awal dari tanggal awal {request.date_from}")
    for key in request.regions:
        if key not in catalog.regions:
            raise UnknownRegionError(
                f"wilayah tidak dikenal: {key!r} (lihat content/regions/; contoh: "
                f"{', '.join(list(catalog.regions)[:3])})")
    for platform in request.platforms:
        if platform not in catalog.platforms:
            raise UnknownPlatformError(
                f"platform tidak dikenal: {platform!r} (pilihan: {', '.join(catalog.platforms)})")


def authorize(session: Session, *, actor: Actor, request: PlanRequest) -> PlanRequest:
    """The request as `actor` may run it. Without regions it covers the actor's own scope
    (a regency user: their region; a province user: the province and its regencies),
    never the whole catalog, which may hold other provinces."""
    require_role(actor, Action.PLAN)
    if not request.regions:
        request = replace(request, regions=_scope(session, actor))
    require(session, actor, Action.PLAN, request.regions)
    return replace(request, actor=actor.name)


def _scope(session: Session, actor: Actor) -> tuple[str, ...]:
    # Actor.covers is what require() asks of each region, so the default scope and the
    # check can never disagree. Never empty: an empty request means every region.
    rows = session.scalars(select(RegionRow).order_by(col(RegionRow.key)))
    keys = tuple(row.key for row in rows if actor.covers(row, row.key))
    return keys or (actor.region_key,)


def plan_posts(
    engine: Engine,
    catalog: Catalog,
    templates_dir: Path,
    request: PlanRequest,
    now: datetime,
    *,
    actor: Actor,
    progress: Progress | None = None,
    checks: CheckSettings | None = None,
) -> PlanSummary:
    """Plan every post of the requested range that `actor` may plan (users.PLANNER: the
    system's own planner, every region); with dry_run, count and roll back."""
    validate_request(catalog, request)
    # Not durable: a plan lost in a power cut is simply planned again (idempotent), and
    # the fsync of tens of thousands of new rows would be the run's slowest step.
    with session_scope(engine, write=True, durable=False) as session:
        # Synced first, so a region just added to content is already in a province
        # user's scope (authorize reads the region rows).
        sync_accounts(session, catalog=catalog, now=now)
        request = authorize(session, actor=actor, request=request)
        # A results stage dated only by its recorded announcement (a winner declaration).
        catalog = announced_calendar(session, catalog=catalog)
        summary = PlanSummary(request)
        post_rows = PostRows(
            catalog, templates_dir,
            rule_members(session, catalog, request.regions, request.platforms),
            date_from=request.date_from, date_to=request.date_to, created_by=request.actor,
            checks=with_releases(session, checks=checks or CheckSettings()))
        run = PlanRunRow(actor=request.actor, date_from=str(request.date_from),
                         date_to=str(request.date_to), started_at=now)
        session.add(run)
        session.flush()
        summary.run_id = run.id
        activities = ActivityRows(post_rows, account_ids(session), regions=request.regions,
                                  platforms=request.platforms)
        total = post_rows.count() + activities.count()
        done = 0
        candidates: Counter[tuple[str, str]] = Counter()
        connection = session.connection()
        rows = chain(post_rows.rows(run.id or 0, now), activities.rows(run.id or 0, now))
        for chunk in _chunks(rows, CHUNK_SIZE):
            _insert_chunk(connection, chunk)
            candidates.update((row["stage_key"], row["platform"]) for row in chunk)
            done += len(chunk)
            if progress:
                progress(done, total)
        _finish_run(connection, summary, candidates, request.actor, now)
        run.created, run.existing = summary.total_created, summary.total_existing
        run.finished_at = now
        session.add(run)
        if request.dry_run:
            session.rollback()
            summary.run_id = None
    return summary


def _chunks(rows: Iterator[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


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
    text. Many rows share the same instants, so each is converted once."""
    texts: dict[datetime, str] = {}

    def stored(column: str, value: Any) -> Any:
        if column in _JSON_COLUMNS:
            return json.dumps(value) if value else _EMPTY_JSON[column]
        if isinstance(value, datetime):
            text = texts.get(value)
            if text is None:
                text = texts[value] = utc_text(value)
            return text
        return value

    return [tuple(stored(c, row[c]) for c in columns) for row in rows]


_JSON_COLUMNS = frozenset({"problems", "platform_ref"})
_EMPTY_JSON = {"problems": "[]", "platform_ref": "{}"}


def _finish_run(connection: Connection, summary: PlanSummary, candidates: Counter[tuple[str, str]],
                actor: str, now: datetime) -> None:
    """Log one `planned` event per post this run created, and count them, in SQL."""
    run = summary.run_id
    connection.execute(
        insert(EVENTS).from_select(
            ["post_id", "at", "actor", "kind", "to_status", "details", "recorded_at"],
            select(POSTS.c.id, literal(now, UTCDateTime), literal(actor), literal("planned"),
                   literal(PostStatus.PENDING.value), literal({"run": run}, JSON),
                   literal(real_now(), UTCDateTime))
            .where(POSTS.c.plan_run_id == run)))
    created = connection.execute(
        select(POSTS.c.stage_key, POSTS.c.platform, func.count())
        .where(POSTS.c.plan_run_id == run).group_by(POSTS.c.stage_key, POSTS.c.platform)).all()
    summary.created = Counter({(stage, platform): n for stage, platform, n in created})
    summary.existing = candidates - summary.created
