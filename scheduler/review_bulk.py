"""Approving many batches, or a whole stage and date range, in one decision.

A reviewer first sees a summary of what the selection holds (batches, posts, offices,
problems, distinct texts), then confirms it. The summary carries a fingerprint of the
posts it counted; if any of them changed, or a post joined or left the selection, the
confirmation is refused, so nobody approves posts they were not shown. The approval is
all or nothing, under the same rules as one batch.
"""

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo

from sqlalchemy import ColumnElement, distinct, func, or_
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select

from scheduler.checks.post_checks import CheckSettings
from scheduler.content.model import Catalog
from scheduler.errors import InputError, ReviewError
from scheduler.models import Post
from scheduler.permissions import Action, require_role
from scheduler.posts import PostFilter
from scheduler.review import Decision, approve_posts
from scheduler.review_queue import BatchSummary, has_problems, pending_batches, pending_conditions
from scheduler.users import Actor

LISTED = 50  # posts named in a summary's or a refusal's list of problems
REMEDY = "tinjau batch itu satu per satu, perbaiki, atau minta admin mengesampingkan"


@dataclass(frozen=True)
class Selection:
    """Batches by key and single posts by id, and/or every pending post matching filters
    (a stage, dates...), but the posts in `excepts`."""

    batches: tuple[str, ...] = ()
    filters: PostFilter = field(default_factory=PostFilter)
    posts: tuple[int, ...] = ()
    excepts: tuple[int, ...] = ()

    def check(self) -> None:
        f = self.filters
        if not (self.batches or self.posts or f.stages or f.date_from or f.date_to):
            raise InputError("pilih batch, atau tahapan dan/atau rentang tanggal "
                             "(batch, tahapan, dari, sampai), untuk disetujui sekaligus")
        f.validate()


@dataclass(frozen=True)
class BulkSummary:
    batches: int
    posts: int
    regions: int
    platforms: tuple[str, ...]
    texts: int  # distinct texts
    with_problems: int
    past: int  # already past their time: approval will refuse them
    first_at: datetime
    last_at: datetime
    fingerprint: str
    problems: list[tuple[int, str, str, str]]  # first LISTED: id, region, platform, message
    listed: list[BatchSummary]  # the first batches, soonest first


def bulk_summary(session: Session, *, actor: Actor, selection: Selection, tz: tzinfo,
                 now: datetime, batch_limit: int = 100) -> BulkSummary:
    """What approving the selection would approve, counted in a few aggregate queries."""
    require_role(actor, Action.VIEW)
    conditions = _conditions(session, actor, selection, tz)
    totals: Select[int, int, int, int, datetime, datetime] = Select(
        func.count(distinct(col(Post.batch))), func.count(),
        func.count(distinct(col(Post.region_key))), func.count(distinct(col(Post.text))),
        func.min(Post.scheduled_at), func.max(Post.scheduled_at))
    batches, posts, regions, texts, first_at, last_at = session.exec(
        totals.where(*conditions)).one()
    if not posts:
        raise ReviewError("tidak ada unggahan yang menunggu tinjauan dalam pilihan ini")
    with_problems = session.exec(
        select(func.count()).where(*conditions, has_problems())).one()
    past = session.exec(select(func.count()).where(
        *conditions, col(Post.scheduled_at) < now - timedelta(minutes=1))).one()
    platforms = tuple(sorted(session.exec(select(Post.platform).distinct().where(*conditions))))
    problems = [
        (post_id or 0, region, platform, "; ".join(str(p.get("message", "")) for p in found or []))
        for post_id, region, platform, found in session.exec(
            select(Post.id, Post.region_key, Post.platform, Post.problems)
            .where(*conditions, has_problems()).order_by(col(Post.id)).limit(LISTED))]
    # Batches named, or holding a post named by id (their counts are the whole batch's).
    named = (*selection.batches, *session.exec(select(Post.batch).distinct().where(
        col(Post.id).in_(selection.posts)))) if selection.posts else selection.batches
    listed = pending_batches(session, actor=actor, filters=selection.filters, tz=tz,
                             batches=named, limit=batch_limit)
    return BulkSummary(
        batches=batches, posts=posts, regions=regions, platforms=platforms, texts=texts,
        with_problems=with_problems, past=past, first_at=first_at, last_at=last_at,
        fingerprint=fingerprint(session.exec(
            select(Post.id, Post.scheduled_at, Post.text, Post.image)
            .where(*conditions).order_by(col(Post.id)))),
        problems=problems, listed=listed)


def approve_many(session: Session, *, actor: Actor, selection: Selection, tz: tzinfo,
                 catalog: Catalog, checks: CheckSettings, now: datetime,
                 expected: str | None = None, note: str | None = None,
                 override_reason: str | None = None) -> Decision:
    """Approve every pending post of the selection in the actor's scope, or none."""
    require_role(actor, Action.APPROVE)
    conditions = _conditions(session, actor, selection, tz)
    posts = list(session.exec(
        select(Post).where(*conditions).order_by(col(Post.id)).with_for_update()))
    if not posts:
        raise ReviewError("tidak ada unggahan yang menunggu tinjauan dalam pilihan ini")
    if expected is not None and fingerprint(
            (p.id, p.scheduled_at, p.text, p.image) for p in posts) != expected:
        raise ReviewError("pilihan berubah sejak ringkasan dibuat (unggahan baru, disunting "
                          "atau sudah ditinjau orang lain); tidak ada yang disetujui. "
                          "Buka ringkasan lagi.")
    return approve_posts(session, actor=actor, posts=posts, catalog=catalog, checks=checks,
                         now=now, note=note, override_reason=override_reason, remedy=REMEDY,
                         listed=LISTED)


def fingerprint(posts: Iterable[tuple[int | None, datetime, str, str | None]]) -> str:
    """A short digest of what a reviewer is shown of each post (id, time, text, image), in
    id order: it changes when a post joins or leaves the selection or is edited, even
    when the clock stands still (a demo's pretended time)."""
    digest = hashlib.sha256()
    for post_id, at, text, image in posts:
        for part in (str(post_id), at.isoformat(), text, image or ""):
            digest.update(part.encode())
            digest.update(b"\x1f")
        digest.update(b"\x1e")
    return digest.hexdigest()[:32]


def _conditions(session: Session, actor: Actor, selection: Selection,
                tz: tzinfo) -> list[ColumnElement[bool]]:
    """The selection's pending posts in scope; a named batch or post with none of them is
    refused, so a typo never quietly approves less than the reviewer meant."""
    selection.check()
    conditions = pending_conditions(session, actor=actor, filters=selection.filters, tz=tz)
    if selection.posts:
        found_ids = set(session.exec(select(Post.id).where(
            *conditions, col(Post.id).in_(selection.posts))))
        missing_ids = [f"#{i}" for i in selection.posts if i not in found_ids]
        if missing_ids:
            raise ReviewError(f"unggahan yang tidak menunggu tinjauan di wilayah Anda: "
                              f"{', '.join(missing_ids)}")
    if selection.batches:
        found = set(session.exec(select(Post.batch).distinct().where(
            *conditions, col(Post.batch).in_(selection.batches))))
        missing = [b for b in selection.batches if b not in found]
        if missing:
            raise ReviewError(f"batch tanpa unggahan yang menunggu tinjauan di wilayah Anda: "
                              f"{', '.join(missing)}")
    named = [col(Post.batch).in_(selection.batches)] if selection.batches else []
    named += [col(Post.id).in_(selection.posts)] if selection.posts else []
    if named:
        conditions.append(or_(*named))
    if selection.excepts:
        conditions.append(col(Post.id).not_in(selection.excepts))
    return conditions
