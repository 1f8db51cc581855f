"""Planning: active stages x rules x accounts x cadence slots -> rendered pending posts
(the rows themselves: scheduler.planning_rows).

Idempotent: every planned post has a natural key (rule, account, slot) that is unique
in the database; keys that exist are skipped before rendering and inserts skip keys that
appear meanwhile, so planning a range twice creates nothing (and renders nothing) and
never overwrites a post someone has touched. Rows stream through in batches (bounded
memory), each inserted in its own short transaction so that publishing never waits
behind planning; a run that fails midway removes what it created.
"""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import partial
from itertools import chain
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from scheduler.accounts import account_ids, sync_accounts
from scheduler.batch_gc import batch_collection
from scheduler.busy import retry_busy
from scheduler.checks.post_checks import CheckSettings
from scheduler.content.model import Catalog
from scheduler.db import session_scope
from scheduler.errors import InputError, UnknownPlatformError, UnknownRegionError
from scheduler.models import PlanRun as PlanRunRow
from scheduler.models import Region as RegionRow
from scheduler.permissions import Action, require, require_role
from scheduler.planning_activities import ActivityRows
from scheduler.planning_keys import batches
from scheduler.planning_rows import PostRows, ZoneMembers, rule_members
from scheduler.planning_store import existing_keys, finish_run, insert_batch, undo_run
from scheduler.results import announced_calendar, with_releases
from scheduler.users import Actor

# Posts per write transaction: a thousand rows take some 30 ms of CPU on SQLite, so a
# worker's claim never waits long behind planning (and fewer commits rewrite the
# indexes' pages fewer times).
BATCH_SIZE = 1000


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
    # (stage, platform); a joint activity outside every stage has none
    created: Counter[tuple[str | None, str]] = field(default_factory=Counter)
    existing: Counter[tuple[str | None, str]] = field(default_factory=Counter)

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


@dataclass(frozen=True)
class _Setup:
    """What the run reads (and syncs) before rendering, as plain values."""

    request: PlanRequest
    catalog: Catalog
    members: dict[str, ZoneMembers]
    ids: dict[tuple[str, str], int]  # (region, platform) -> account id
    checks: CheckSettings
    run_id: int | None


@batch_collection()  # a national plan allocates millions of short-lived objects
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
    system's own planner, every region); with dry_run, count and write nothing.

    Never holds the write lock for long: posts that exist are skipped before they are
    rendered (one indexed read per batch), rendering and checking run outside any
    transaction, and each batch of BATCH_SIZE new posts is inserted (with its events) in
    its own short transaction. The unique plan_key keeps two planners racing on one range
    from ever creating a post twice. A busy database is tried again (scheduler.busy);
    a run that fails midway removes the posts it created (no partial writes)."""
    validate_request(catalog, request)
    prepare = partial(_prepare, engine, catalog, request, now, actor, checks)
    try:
        setup = retry_busy(prepare, what="menyiapkan perencanaan")
    except IntegrityError:
        # Another planner synced the same new regions and accounts first (a fresh
        # database, two planners at once): its rows are there now, so this is a no-op.
        setup = retry_busy(prepare, what="menyiapkan perencanaan")
    request, run_id = setup.request, setup.run_id
    summary = PlanSummary(request, run_id=run_id)
    post_rows = PostRows(setup.catalog, templates_dir, setup.members,
                         date_from=request.date_from, date_to=request.date_to,
                         created_by=request.actor, checks=setup.checks)
    activities = ActivityRows(post_rows, setup.ids, regions=request.regions,
                              platforms=request.platforms)
    total = post_rows.count() + activities.count()
    candidates: Counter[tuple[str | None, str]] = Counter()
    done = 0
    try:
        for batch in batches(chain(post_rows.candidates(run_id or 0, now),
                                   activities.candidates(run_id or 0, now)), BATCH_SIZE):
            candidates += batch.counts()
            existing = retry_busy(partial(existing_keys, engine, batch.keys),
                                  what="membaca rencana")
            rows = batch.rows(existing)  # rendered outside any transaction
            if rows and run_id is None:  # dry run
                summary.created.update((r["stage_key"], r["platform"]) for r in rows)
            elif rows:
                summary.created += retry_busy(
                    partial(insert_batch, engine, rows, run_id or 0, request.actor, now),
                    what="menyimpan unggahan baru")
            done += len(batch.keys)
            if progress:
                progress(done, total)
    except BaseException:
        if run_id is not None:
            undo_run(engine, run_id)
        raise
    summary.existing = candidates - summary.created
    if run_id is not None:
        retry_busy(partial(finish_run, engine, run_id, summary.total_created,
                           summary.total_existing, now), what="mencatat perencanaan")
    return summary


def _prepare(engine: Engine, catalog: Catalog, request: PlanRequest, now: datetime,
             actor: Actor, checks: CheckSettings | None) -> _Setup:
    """One short transaction: sync the accounts, authorize, read what planning needs and
    record the run (a dry run rolls it all back)."""
    with session_scope(engine, write=True, durable=False) as session:
        # Synced first, so a region just added to content is already in a province
        # user's scope (authorize reads the region rows).
        sync_accounts(session, catalog=catalog, now=now)
        request = authorize(session, actor=actor, request=request)
        # A results stage dated only by its recorded announcement (a winner declaration).
        catalog = announced_calendar(session, catalog=catalog)
        members = rule_members(session, catalog, request.regions, request.platforms)
        ids = {key: row.id or 0 for key, row in account_ids(session).items()}
        settings = with_releases(session, checks=checks or CheckSettings())
        run_id = None
        if request.dry_run:
            session.rollback()
        else:
            run = PlanRunRow(actor=request.actor, date_from=str(request.date_from),
                             date_to=str(request.date_to), started_at=now)
            session.add(run)
            session.flush()
            run_id = run.id
    return _Setup(request, catalog, members, ids, settings, run_id)

