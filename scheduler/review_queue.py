"""The review queue: pending batches in an actor's scope, soonest first.

A province's queue can hold tens of thousands of pending posts, and the web page and
`siar review list` must stay fast with all of them, so no post is loaded but one sample
per batch, and no query reads every pending post: the page's batches are found among
the posts up to the page's last time (read in time order from an index), then only
those batches are counted, in one aggregate query.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from functools import cache
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, String, case, cast, distinct, func
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select

from scheduler.models import Post, PostStatus
from scheduler.permissions import Action, require_role, scope_condition
from scheduler.platforms import declared_names
from scheduler.posts import PostFilter, post_conditions
from scheduler.users import Actor

# Up to this many pending posts in the selection, the queue is one aggregate over all of
# them (a few milliseconds); above it, the page's batches are found first (see _page).
SMALL_QUEUE = 5000

# How a problem-free post's JSON `problems` column reads as text (SQLite stores the text;
# PostgreSQL's json keeps the text it was given).
NO_PROBLEMS = ("[]", "null")


@dataclass(frozen=True)
class BatchSummary:
    batch: str
    template: str | None
    stage: str | None
    scheduled_at: datetime  # the sample's time
    pending: int
    with_problems: int
    regions: int
    platforms: tuple[str, ...]
    sample_id: int
    sample_text: str
    first_at: datetime  # the soonest pending post's time


class _Counts(NamedTuple):
    pending: int
    with_problems: int
    regions: int
    platforms: tuple[str, ...]
    first_id: int
    first_at: datetime


class _Sample(NamedTuple):
    template: str | None
    stage_key: str | None
    scheduled_at: datetime
    text: str


def has_problems() -> ColumnElement[bool]:
    """SQL: the post carries at least one problem from the checks."""
    return col(Post.problems).is_not(None) & cast(col(Post.problems), String).not_in(NO_PROBLEMS)


def is_pending() -> ColumnElement[bool]:
    return col(Post.status) == PostStatus.PENDING.value


def selection_conditions(session: Session, *, actor: Actor, filters: PostFilter, tz: tzinfo,
                         batches: Sequence[str] = ()) -> list[ColumnElement[bool]]:
    """SQL conditions on Post, status aside: in the actor's scope, matching the filters
    (their statuses and batch are ignored) and, if given, belonging to `batches`."""
    plain = PostFilter(regions=filters.regions, platforms=filters.platforms,
                       stages=filters.stages, date_from=filters.date_from,
                       date_to=filters.date_to)
    conditions = [*post_conditions(plain, tz), scope_condition(session, actor)]
    if batches:
        conditions.append(col(Post.batch).in_(list(batches)))
    return conditions


def pending_conditions(session: Session, *, actor: Actor, filters: PostFilter, tz: tzinfo,
                       batches: Sequence[str] = ()) -> list[ColumnElement[bool]]:
    """The selection's pending posts (see `selection_conditions`)."""
    return [is_pending(), *selection_conditions(session, actor=actor, filters=filters, tz=tz,
                                                batches=batches)]


def list_batches(session: Session, *, actor: Actor, filters: PostFilter, tz: tzinfo,
                 limit: int = 200) -> list[BatchSummary]:
    """Pending batches the actor can see, soonest first."""
    return pending_batches(session, actor=actor, filters=filters, tz=tz, limit=limit)


def pending_batches(session: Session, *, actor: Actor, filters: PostFilter, tz: tzinfo,
                    batches: Sequence[str] = (), offset: int = 0,
                    limit: int = 50) -> list[BatchSummary]:
    """One page of pending batches the actor can see, soonest first, with their counts."""
    require_role(actor, Action.VIEW)
    where = selection_conditions(session, actor=actor, filters=filters, tz=tz, batches=batches)
    pending = session.exec(select(func.count()).where(is_pending(), *where)).one()
    if pending <= SMALL_QUEUE:
        # One aggregate over every pending post: cheaper than finding the page first.
        counted = _counts(session, where, None)
        page = sorted(((b, c.first_at) for b, c in counted.items()),
                      key=lambda item: (item[1], item[0]))[offset:offset + limit]
    else:
        page = _page(session, [is_pending(), *where], offset, limit)
        counted = _counts(session, where, [batch for batch, _ in page])
    if not page:
        return []
    samples = {row[0]: _Sample(*row[1:]) for row in session.execute(
        Select(col(Post.id), col(Post.template), col(Post.stage_key), col(Post.scheduled_at),
               col(Post.text))
        .where(col(Post.id).in_([c.first_id for c in counted.values()])))}
    summaries = []
    for batch, first_at in page:
        found = counted[batch]
        first_at = min(first_at, found.first_at)
        sample = samples[found.first_id]
        summaries.append(BatchSummary(
            batch=batch, template=sample.template, stage=sample.stage_key,
            scheduled_at=sample.scheduled_at, pending=found.pending,
            with_problems=found.with_problems, regions=found.regions,
            platforms=found.platforms, sample_id=found.first_id, sample_text=sample.text,
            first_at=first_at))
    return summaries


def _page(session: Session, pending: list[ColumnElement[bool]], offset: int,
          limit: int) -> list[tuple[str, datetime]]:
    """(batch, soonest time) of the page's batches. A batch's soonest post comes no later
    than the page's last time, so only posts up to that time are grouped; that time is
    the k-th distinct one, and k doubles in the rare case that too few batches start by
    then (a batch whose posts were moved to several times)."""
    need = offset + limit
    times = need
    while True:
        found = list(session.exec(select(Post.scheduled_at).distinct().where(*pending)
                                  .order_by(col(Post.scheduled_at)).limit(times)))
        if not found:
            return []
        rows = session.exec(
            select(Post.batch, func.min(Post.scheduled_at))
            .where(*pending, col(Post.scheduled_at) <= found[-1], col(Post.batch).is_not(None))
            .group_by(col(Post.batch)).order_by(func.min(Post.scheduled_at), col(Post.batch))
            .limit(need)).all()
        if len(rows) >= need or len(found) < times:
            return [(batch or "", first_at) for batch, first_at in rows[offset:]]
        times *= 2


def _counts(session: Session, where: list[ColumnElement[bool]],
            batches: list[str] | None) -> dict[str, _Counts]:
    """Each batch's pending posts, those with problems, regions, platforms, first id and
    soonest time, in one aggregate over the pending posts of `batches` (None: of every
    batch in the selection)."""
    platforms = list(declared_names())
    statement: Select[*tuple[Any, ...]] = Select(*_count_columns(tuple(platforms)))
    conditions = [is_pending(), *where, col(Post.batch).is_not(None)]
    if batches is not None:
        conditions.append(col(Post.batch).in_(batches))
    counted = {}
    for batch, count, problems, regions, first_id, first_at, *per_platform in session.exec(
            statement.where(*conditions).group_by(col(Post.batch))):
        counted[batch] = _Counts(
            pending=int(count), with_problems=int(problems or 0), regions=int(regions),
            platforms=tuple(sorted(p for p, n in zip(platforms, per_platform, strict=True) if n)),
            first_id=int(first_id), first_at=_instant(first_at))
    return counted


@cache
def _count_columns(platforms: tuple[str, ...]) -> tuple[Any, ...]:
    """The aggregate's columns, built once (SQL expressions are immutable; building them
    costs more than the database's work on a small queue)."""
    return (col(Post.batch), func.count(), func.sum(case((has_problems(), 1), else_=0)),
            func.count(distinct(col(Post.region_key))), func.min(col(Post.id)),
            func.min(col(Post.scheduled_at)),
            *(func.sum(case((col(Post.platform) == p, 1), else_=0)) for p in platforms))


def _instant(value: Any) -> datetime:
    """min() of a time column comes back as stored (SQLite: text) on some databases."""
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    return datetime.fromisoformat(str(value)).astimezone(UTC)
