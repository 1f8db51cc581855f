"""What the Operasi page shows beside `siar status`: posts due soon that nobody has
approved yet, the posts an operator has to decide on (uncertain, failed), and every
account with where its posts go. All of it limited to the viewer's regions."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, func
from sqlmodel import Session, col, select

from scheduler.history import StatusReport, status_report
from scheduler.models import Account, Post, PostStatus
from scheduler.permissions import Action, require_role, scope_condition
from scheduler.publishing.factory import Route
from scheduler.users import Actor

DUE_WITHIN = timedelta(hours=24)
SHOWN = 50  # posts listed per section; the section says how many there are in all
NOT_APPROVED = (PostStatus.PENDING, PostStatus.DRAFT)


@dataclass(frozen=True)
class AccountLine:
    key: str  # region/platform
    handle: str
    enabled: bool
    paused_at: datetime | None
    paused_reason: str | None
    via: str | None  # the adapter its posts go through now
    held: str | None  # why it cannot publish, when it cannot


@dataclass
class PostList:
    posts: list[Post] = field(default_factory=list)
    total: int = 0


@dataclass
class OpsOverview:
    report: StatusReport
    due_unapproved: PostList
    uncertain: PostList
    failed: PostList
    accounts: list[AccountLine]

    @property
    def worker_alive(self) -> bool:
        return any(not w.stale for w in self.report.workers)


def ops_overview(session: Session, *, actor: Actor, now: datetime,
                 route: Callable[[Account], Route]) -> OpsOverview:
    """Everything on the Operasi page, in one read."""
    require_role(actor, Action.VIEW)
    return OpsOverview(
        report=status_report(session, now=now, route=route, actor=actor),
        due_unapproved=due_unapproved(session, actor=actor, now=now),
        uncertain=posts_with_status(session, actor=actor, status=PostStatus.UNCERTAIN),
        failed=posts_with_status(session, actor=actor, status=PostStatus.FAILED),
        accounts=account_lines(session, actor=actor, route=route),
    )


def due_unapproved(session: Session, *, actor: Actor, now: datetime,
                   within: timedelta = DUE_WITHIN) -> PostList:
    """Posts scheduled from now to `within` from now that are still pending review or
    still drafts: unless someone acts, they will not go out."""
    where = [col(Post.status).in_(NOT_APPROVED), col(Post.scheduled_at) >= now,
             col(Post.scheduled_at) <= now + within, scope_condition(session, actor)]
    return _listed(session, where, col(Post.scheduled_at), col(Post.id))


def due_unapproved_by_office(session: Session, *, actor: Actor, now: datetime,
                             within: timedelta = DUE_WITHIN) -> list[tuple[str, int, datetime]]:
    """`due_unapproved` counted per office: (region, posts, the first one's time), the
    office with the soonest post first."""
    rows = session.exec(
        select(Post.region_key, func.count(), func.min(Post.scheduled_at))
        .where(col(Post.status).in_(NOT_APPROVED), col(Post.scheduled_at) >= now,
               col(Post.scheduled_at) <= now + within, scope_condition(session, actor))
        .group_by(col(Post.region_key))).all()
    return sorted(((region, count, first) for region, count, first in rows),
                  key=lambda row: (row[2], row[0]))


def posts_with_status(session: Session, *, actor: Actor, status: PostStatus) -> PostList:
    """The actor's posts in one status, latest change first."""
    where = [col(Post.status) == status.value, scope_condition(session, actor)]
    return _listed(session, where, col(Post.updated_at).desc(), col(Post.id).desc())


def account_lines(session: Session, *, actor: Actor,
                  route: Callable[[Account], Route]) -> list[AccountLine]:
    """Every account in the actor's regions: paused or not, and where its posts go."""
    require_role(actor, Action.VIEW)
    accounts = session.exec(
        select(Account).where(scope_condition(session, actor, col(Account.region_key)))
        .order_by(col(Account.region_key), col(Account.platform)))
    lines = []
    for account in accounts:
        where = route(account)
        lines.append(AccountLine(
            key=f"{account.region_key}/{account.platform}", handle=account.handle,
            enabled=account.enabled, paused_at=account.paused_at,
            paused_reason=account.paused_reason, via=where.name, held=where.held))
    return lines


def _listed(session: Session, where: Sequence[ColumnElement[bool]], *order: Any) -> PostList:
    total = session.exec(select(func.count()).select_from(Post).where(*where)).one()
    posts = list(session.exec(select(Post).where(*where).order_by(*order).limit(SHOWN)))
    return PostList(posts=posts, total=total)
