"""Finding posts and turning them into records other tools can rely on."""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement
from sqlmodel import Session, col, select

from scheduler.errors import InputError
from scheduler.localtime import local_midnight_utc
from scheduler.models import Post, PostStatus
from scheduler.permissions import Action, require_role, scope_condition
from scheduler.targets import in_scope
from scheduler.users import Actor

RECORD_FIELDS = (
    "id", "region", "platform", "election", "stage", "template", "rule", "batch", "status",
    "scheduled_at", "text", "image", "created_by", "edited_by", "approved_by",
    "published_via", "platform_id", "platform_url", "problems",
)


@dataclass(frozen=True)
class PostFilter:
    regions: Sequence[str] = ()
    platforms: Sequence[str] = ()
    stages: Sequence[str] = ()
    statuses: Sequence[str] = ()
    batch: str | None = None
    date_from: date | None = None  # local dates, inclusive
    date_to: date | None = None
    limit: int | None = None
    before_id: int | None = None  # history's keyset paging: posts that changed before it

    def validate(self) -> None:
        for status in self.statuses:
            if status not in {s.value for s in PostStatus}:
                raise InputError(
                    f"status tidak dikenal: {status!r} (pilihan: "
                    f"{', '.join(s.value for s in PostStatus)})")
        if self.date_from and self.date_to and self.date_to < self.date_from:
            raise InputError(
                f"tanggal akhir {self.date_to} lebih awal dari tanggal awal {self.date_from}")


def post_conditions(filters: PostFilter, tz: tzinfo) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if filters.regions:
        conditions.append(col(Post.region_key).in_(filters.regions))
    if filters.platforms:
        conditions.append(col(Post.platform).in_(filters.platforms))
    if filters.stages:
        conditions.append(col(Post.stage_key).in_(filters.stages))
    if filters.statuses:
        conditions.append(col(Post.status).in_(filters.statuses))
    if filters.batch:
        conditions.append(col(Post.batch) == filters.batch)
    if filters.date_from:
        conditions.append(col(Post.scheduled_at) >= local_midnight_utc(filters.date_from, tz))
    if filters.date_to:
        end = local_midnight_utc(filters.date_to + timedelta(days=1), tz)
        conditions.append(col(Post.scheduled_at) < end)
    return conditions


def iter_posts(session: Session, *, actor: Actor, filters: PostFilter,
               tz: tzinfo) -> Iterator[Post]:
    """The posts the actor may see, in time order, streamed (a large listing is never
    held in memory at once)."""
    require_role(actor, Action.VIEW)
    filters.validate()
    statement = (
        select(Post).where(*post_conditions(filters, tz), scope_condition(session, actor))
        .order_by(col(Post.scheduled_at), col(Post.id))
        .execution_options(yield_per=500)
    )
    if filters.limit:
        statement = statement.limit(filters.limit)
    yield from session.exec(statement)


class PostLine(NamedTuple):
    """What a list of posts shows of each (read as plain columns: a page of ORM objects
    costs several times more)."""

    id: int
    scheduled_at: datetime
    region_key: str
    platform: str
    status: str
    problems: list[dict[str, Any]]
    text: str


def posts_page(session: Session, *, actor: Actor, filters: PostFilter, tz: tzinfo,
               after_id: int | None = None, limit: int = 50) -> list[PostLine]:
    """One page of the posts the actor may see, in time order; the next page starts after
    the last post of this one (keyset paging: as fast on page 500 as on page 1)."""
    require_role(actor, Action.VIEW)
    filters.validate()
    statement = select(*(getattr(Post, name) for name in PostLine._fields)).where(
        *post_conditions(filters, tz), scope_condition(session, actor))
    if after_id is not None:
        anchor = session.get(Post, after_id)
        if anchor is not None:
            statement = statement.where(
                (col(Post.scheduled_at) > anchor.scheduled_at)
                | ((col(Post.scheduled_at) == anchor.scheduled_at) & (col(Post.id) > after_id)))
    statement = statement.order_by(col(Post.scheduled_at), col(Post.id)).limit(limit)
    return [PostLine(*row) for row in session.exec(statement)]


def visible_post(session: Session, *, actor: Actor, post_id: int) -> Post:
    """One post for reading, if it exists and lies in the actor's scope (no lock)."""
    require_role(actor, Action.VIEW)
    return in_scope(session, actor=actor, post=session.get(Post, post_id), post_id=post_id)


def post_record(post: Post, tz: tzinfo) -> dict[str, Any]:
    """The stable public shape of a post (JSON, CSV, the web app)."""
    return {
        "id": post.id,
        "region": post.region_key,
        "platform": post.platform,
        "election": post.election_key,
        "stage": post.stage_key,
        "template": post.template,
        "rule": post.rule_key,
        "batch": post.batch,
        "status": post.status,
        "scheduled_at": local_iso(post.scheduled_at, tz),
        "text": post.text,
        "image": post.image,
        "created_by": post.created_by,
        "edited_by": post.edited_by,
        "approved_by": post.approved_by,
        "published_via": post.published_via,
        "platform_id": post.platform_id,
        "platform_url": post.platform_url,
        "problems": post.problems or [],
    }


def local_iso(instant: datetime | None, tz: tzinfo) -> str | None:
    """ISO 8601 in local time with its offset: 2024-02-14T09:00:00+07:00."""
    return instant.astimezone(tz).isoformat(timespec="seconds") if instant else None
