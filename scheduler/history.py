"""What operators read: the publishing history, one post's timeline, the worker's status."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from typing import Any, NamedTuple

from sqlalchemy import String, func, type_coerce
from sqlmodel import Session, col, select

from scheduler.heartbeat import WorkerState, worker_states
from scheduler.models import Account, Post, PostEvent, PostStatus
from scheduler.permissions import Action, require_role, scope_condition
from scheduler.platforms import registered
from scheduler.posts import PostFilter, local_iso, post_conditions, visible_post
from scheduler.users import Actor

HISTORY_FIELDS = (
    "id", "scheduled_at", "published_at", "region", "platform", "stage", "status",
    "attempts", "published_via", "platform_id", "platform_url", "last_error", "text",
)


# What history shows unless asked for other statuses: posts whose minute came and that
# went to a worker, whatever came of it. Plans still waiting for review or for their
# minute are not history (`siar posts` lists them).
HAPPENED_STATUSES = (
    PostStatus.PUBLISHING, PostStatus.RETRYING, PostStatus.PUBLISHED, PostStatus.FAILED,
    PostStatus.UNCERTAIN, PostStatus.MISSED,
)


def history_statement(session: Session, *, actor: Actor, filters: PostFilter,
                      tz: tzinfo) -> Any:
    """Newest first by when the post last changed (published, failed, marked missed...),
    in the actor's scope. Paging is by keyset (that instant, id), which stays fast however
    deep the page is."""
    require_role(actor, Action.VIEW)
    filters.validate()
    statement = select(Post).where(*post_conditions(filters, tz), scope_condition(session, actor))
    if not filters.statuses:
        statement = statement.where(col(Post.status).in_(HAPPENED_STATUSES))
    if filters.before_id is not None:
        anchor = session.get(Post, filters.before_id)
        if anchor is not None:
            statement = statement.where(
                (col(Post.updated_at) < anchor.updated_at)
                | ((col(Post.updated_at) == anchor.updated_at)
                   & (col(Post.id) < filters.before_id)))
    statement = statement.order_by(col(Post.updated_at).desc(), col(Post.id).desc())
    return statement.limit(filters.limit) if filters.limit else statement


def history_page(session: Session, *, actor: Actor, filters: PostFilter,
                 tz: tzinfo) -> list[Post]:
    return list(session.exec(history_statement(session, actor=actor, filters=filters, tz=tz)))


class HistoryLine(NamedTuple):
    """What the history page shows of each post (plain columns: cheaper than objects)."""

    id: int
    scheduled_at: datetime
    published_at: datetime | None
    region_key: str
    platform: str
    stage_key: str | None
    status: str
    attempts: int
    published_via: str | None
    platform_url: str | None
    last_error: str | None


def history_lines(session: Session, *, actor: Actor, filters: PostFilter,
                  tz: tzinfo) -> list[HistoryLine]:
    """One page of history (as history_page) read as plain columns."""
    statement = history_statement(session, actor=actor, filters=filters, tz=tz).with_only_columns(
        *(getattr(Post, name) for name in HistoryLine._fields))
    return [HistoryLine(*row) for row in session.execute(statement)]


def iter_history(session: Session, *, actor: Actor, filters: PostFilter,
                 tz: tzinfo) -> Iterator[Post]:
    """Every matching post, streamed in batches (an export never holds them all)."""
    statement = history_statement(session, actor=actor, filters=filters, tz=tz)
    statement = statement.execution_options(yield_per=1000)
    for post in session.exec(statement):
        yield post
        session.expunge(post)


def iter_history_rows(session: Session, *, actor: Actor, filters: PostFilter,
                      tz: tzinfo) -> Iterator[tuple[Any, ...]]:
    """The export's fast path: plain rows in HISTORY_FIELDS order, no ORM objects.

    Times are read as stored (on SQLite: UTC text) and turned into local ISO 8601 once,
    which is most of the per-row cost of an export of every post.
    """
    posts = history_statement(session, actor=actor, filters=filters, tz=tz).subquery()
    columns = [posts.c[name] for name in _HISTORY_COLUMNS]
    raw = [type_coerce(c, String) if c.key in _INSTANTS else c for c in columns]
    statement = select(*raw).execution_options(yield_per=2000)
    for row in session.connection().execute(statement):
        values = list(row)
        values[1], values[2] = _local(values[1], tz), _local(values[2], tz)
        yield tuple(values)


_HISTORY_COLUMNS = ("id", "scheduled_at", "published_at", "region_key", "platform", "stage_key",
                    "status", "attempts", "published_via", "platform_id", "platform_url",
                    "last_error", "text")
_INSTANTS = frozenset({"scheduled_at", "published_at"})


def _local(value: Any, tz: tzinfo) -> str | None:
    if value is None:
        return None
    instant = datetime.fromisoformat(value) if isinstance(value, str) else value
    return instant.astimezone(tz).isoformat(timespec="seconds")


def history_record(post: Post, tz: tzinfo) -> dict[str, Any]:
    return {
        "id": post.id, "scheduled_at": local_iso(post.scheduled_at, tz),
        "published_at": local_iso(post.published_at, tz), "region": post.region_key,
        "platform": post.platform, "stage": post.stage_key, "status": post.status,
        "attempts": post.attempts, "published_via": post.published_via,
        "platform_id": post.platform_id,
        "platform_url": post.platform_url, "last_error": post.last_error, "text": post.text,
    }


def timeline(session: Session, *, actor: Actor,
             post_id: int) -> tuple[Post, list[PostEvent]]:
    """A post in the actor's scope and its events, oldest first."""
    post = visible_post(session, actor=actor, post_id=post_id)
    events = list(session.exec(select(PostEvent).where(col(PostEvent.post_id) == post_id)
                               .order_by(col(PostEvent.id))))
    return post, events


@dataclass
class QuotaUse:
    account: str
    used: int
    quota: int


@dataclass
class StatusReport:
    counts: dict[str, int] = field(default_factory=dict)
    next_due: list[Post] = field(default_factory=list)
    recent_problems: list[Post] = field(default_factory=list)  # failed/uncertain, last 24 h
    paused: list[Account] = field(default_factory=list)
    held: list[tuple[str, str]] = field(default_factory=list)  # account key, why
    quotas: list[QuotaUse] = field(default_factory=list)
    workers: list[WorkerState] = field(default_factory=list)  # latest heartbeat first


def status_report(session: Session, *, actor: Actor, now: datetime,
                  route: Callable[[Account], Any] | None = None,
                  next_limit: int = 10) -> StatusReport:
    """Counts, what is next, recent problems, paused accounts, quotas, the workers'
    heartbeats; with `route` (the adapter factory's), also the accounts held because they
    cannot publish. Posts and accounts outside the actor's regions are left out."""
    require_role(actor, Action.VIEW)
    posts_in_scope = scope_condition(session, actor)
    accounts_in_scope = scope_condition(session, actor, col(Account.region_key))
    report = StatusReport()
    report.counts = dict(session.exec(
        select(Post.status, func.count()).where(posts_in_scope)
        .group_by(col(Post.status))).all())
    report.next_due = list(session.exec(
        select(Post).where(col(Post.status).in_((PostStatus.APPROVED, PostStatus.RETRYING)),
                           posts_in_scope)
        .order_by(col(Post.due_at)).limit(next_limit)))
    report.recent_problems = list(session.exec(
        select(Post).where(col(Post.status).in_((PostStatus.FAILED, PostStatus.UNCERTAIN,
                                                  PostStatus.MISSED)),
                           col(Post.updated_at) >= now - timedelta(hours=24), posts_in_scope)
        .order_by(col(Post.updated_at).desc())))
    report.paused = list(session.exec(
        select(Account).where(col(Account.paused_at).is_not(None), accounts_in_scope)
        .order_by(col(Account.region_key))))
    if route is not None:
        for account in session.exec(select(Account).where(col(Account.enabled).is_(True),
                                                          accounts_in_scope)
                                    .order_by(col(Account.region_key), col(Account.platform))):
            held = route(account).held
            if held:
                report.held.append((f"{account.region_key}/{account.platform}", held))
    window = now - timedelta(hours=24)
    for platform, declared in registered().items():
        limits = declared.limits
        if limits.daily_quota is None:
            continue
        rows = session.exec(
            select(Account.region_key, func.count()).join(Post, col(Post.account_id) ==
                                                           col(Account.id))
            .where(col(Account.platform) == platform, col(Post.published_via) == platform,
                   col(Post.published_at) > window, accounts_in_scope)
            .group_by(col(Account.region_key)))
        report.quotas += [QuotaUse(f"{region}/{platform}", used, limits.daily_quota)
                          for region, used in rows]
    report.workers = worker_states(session, now=now)
    return report
