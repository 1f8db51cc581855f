"""Writing posts by hand: ad-hoc drafts, submitting, editing, cancelling, rescheduling.

Every change is checked (scheduler.checks) and logged. Editing an approved post sends it
back to review; the event keeps what the post was before and after.
"""

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, tzinfo
from typing import Any

from sqlmodel import Session, col, select

from scheduler.checks.post_checks import (
    CheckSettings,
    PostDraft,
    check_post,
    length_problem,
    problems_as_json,
)
from scheduler.content.model import Catalog
from scheduler.errors import InputError, ReviewError, UnknownPlatformError, UnknownRegionError
from scheduler.events import record
from scheduler.labels import status_label
from scheduler.models import Account, Post, PostStatus
from scheduler.permissions import Action, require, require_role
from scheduler.posts import local_iso
from scheduler.results import with_releases
from scheduler.targets import get_post, is_post_id, target_posts
from scheduler.users import Actor

EDITABLE = (PostStatus.DRAFT, PostStatus.PENDING, PostStatus.APPROVED)
CANCELLABLE = (PostStatus.DRAFT, PostStatus.PENDING, PostStatus.APPROVED, PostStatus.RETRYING,
               PostStatus.MISSED)
RESCHEDULABLE = CANCELLABLE


@dataclass(frozen=True)
class NewPost:
    region: str
    platform: str
    scheduled_at: datetime
    text: str
    image: str | None = None
    image_alt: str | None = None  # the image's description for screen readers


def validate_new_post(session: Session, *, catalog: Catalog, item: NewPost, now: datetime,
                      checks: CheckSettings) -> Account:
    """Everything that makes a new post impossible (as opposed to merely problematic)."""
    if item.region not in catalog.regions:
        raise UnknownRegionError(f"wilayah tidak dikenal: {item.region!r}")
    if item.platform not in catalog.platforms:
        raise UnknownPlatformError(
            f"platform tidak dikenal: {item.platform!r} (pilihan: {', '.join(catalog.platforms)})")
    account = session.exec(select(Account).where(
        col(Account.region_key) == item.region, col(Account.platform) == item.platform)).first()
    if account is None or not account.enabled:
        raise UnknownPlatformError(f"{item.region} tidak punya akun {item.platform} yang aktif")
    if not item.text.strip():
        raise InputError("teks unggahan kosong")
    if item.scheduled_at <= now:
        raise InputError(f"waktu {item.scheduled_at.isoformat()} sudah lewat")
    _refuse_over_limit(item.platform, item.text, item.image)
    return account


def create_posts(session: Session, *, actor: Actor, catalog: Catalog, items: Sequence[NewPost],
                 checks: CheckSettings, now: datetime, status: PostStatus = PostStatus.DRAFT,
                 batch_prefix: str = "adhoc", note: str | None = None) -> list[Post]:
    """Create posts (drafts by default) in one batch; all are validated before any is added."""
    require(session, actor, Action.CREATE, {item.region for item in items})
    accounts = [validate_new_post(session, catalog=catalog, item=item, now=now, checks=checks)
                for item in items]
    batch = f"{batch_prefix}-{now:%Y%m%d%H%M%S}-{secrets.token_hex(2)}"
    posts = []
    for item, account in zip(items, accounts, strict=True):
        problems = check_post(_draft(item), catalog, checks)
        post = Post(
            account_id=account.id or 0, region_key=item.region, platform=item.platform,
            batch=batch, scheduled_at=item.scheduled_at, due_at=item.scheduled_at,
            text=item.text.strip(), image=item.image, image_alt=item.image_alt,
            status=PostStatus.DRAFT,
            problems=problems_as_json(problems), created_by=actor.name, created_at=now,
            updated_at=now, platform_ref={})
        session.add(post)
        session.flush()
        record(session, post, kind="created", actor=actor.name, now=now, to_status=status,
               note=note)
        posts.append(post)
    return posts


def submit(session: Session, *, actor: Actor, target: str, now: datetime) -> list[Post]:
    """Send drafts (one, or a batch's) to review."""
    require_role(actor, Action.SUBMIT)
    posts = target_posts(session, actor=actor, target=target)
    drafts = [p for p in posts if p.status == PostStatus.DRAFT]
    if not drafts:
        raise ReviewError(f"{target}: tidak ada draf untuk diajukan "
                          f"(status: {', '.join(sorted({status_label(p.status) for p in posts}))})")
    if is_post_id(target) and posts[0].status != PostStatus.DRAFT:
        raise ReviewError(f"unggahan #{posts[0].id} berstatus {status_label(posts[0].status)}, "
                          "bukan draf")
    for post in drafts:
        record(session, post, kind="submitted", actor=actor.name, now=now,
               to_status=PostStatus.PENDING)
    return drafts


def edit_post(session: Session, *, actor: Actor, post_id: int, catalog: Catalog,
              checks: CheckSettings, now: datetime, tz: tzinfo, text: str | None = None,
              at: datetime | None = None, image: str | None = None,
              note: str | None = None) -> Post:
    """Change a post's text, time or image; an approved post goes back to review."""
    post = get_post(session, actor=actor, post_id=post_id)
    require(session, actor, Action.EDIT, [post.region_key])
    if post.status not in EDITABLE:
        raise ReviewError(f"unggahan #{post_id} berstatus {status_label(post.status)}; hanya "
                          "draf, yang menunggu tinjauan atau yang disetujui yang dapat disunting")
    if text is None and at is None and image is None:
        raise InputError("tidak ada yang diubah: beri --text/--text-file, --at atau --image")
    if text is not None and not text.strip():
        raise InputError("teks unggahan kosong")
    if at is not None and at <= now:
        raise InputError(f"waktu {at.isoformat()} sudah lewat")
    changed = replace(_post_draft(post), text=text.strip() if text is not None else post.text,
                      image=image if image is not None else post.image,
                      scheduled_at=at or post.scheduled_at)
    _refuse_over_limit(post.platform, changed.text, changed.image)
    problems = check_post(changed, catalog, with_releases(session, checks=checks))
    before = _snapshot(post, tz)
    post.text, post.image = changed.text, changed.image
    post.scheduled_at = post.due_at = changed.scheduled_at
    post.problems = problems_as_json(problems)
    post.edited_by = actor.name
    back_to_review = post.status == PostStatus.APPROVED
    if back_to_review:
        post.approved_by = post.approved_at = None
    record(session, post, kind="edited", actor=actor.name, now=now,
           to_status=PostStatus.PENDING if back_to_review else None, note=note,
           details={"before": before, "after": _snapshot(post, tz)})
    return post


def cancel(session: Session, *, actor: Actor, post_id: int, now: datetime,
           note: str | None = None) -> Post:
    post = get_post(session, actor=actor, post_id=post_id)
    require(session, actor, Action.CANCEL, [post.region_key])
    if post.status not in CANCELLABLE:
        raise ReviewError(f"unggahan #{post_id} berstatus {status_label(post.status)}, tidak dapat "
                          "dibatalkan")
    record(session, post, kind="cancelled", actor=actor.name, now=now,
           to_status=PostStatus.CANCELLED, note=note)
    return post


def reschedule(session: Session, *, actor: Actor, post_id: int, at: datetime, catalog: Catalog,
               checks: CheckSettings, now: datetime, tz: tzinfo,
               note: str | None = None) -> Post:
    """Move a post in time without changing its content. An approved post stays approved
    only if nothing about the new time is a problem (quiet period, results embargo)."""
    post = get_post(session, actor=actor, post_id=post_id)
    require(session, actor, Action.RESCHEDULE, [post.region_key])
    if post.status not in RESCHEDULABLE:
        raise ReviewError(
            f"unggahan #{post_id} berstatus {status_label(post.status)}, "
            "tidak dapat dijadwal ulang")
    if at <= now:
        raise InputError(f"waktu {at.isoformat()} sudah lewat")
    problems = check_post(replace(_post_draft(post), scheduled_at=at), catalog,
                          with_releases(session, checks=checks))
    if problems and post.status in _STILL_APPROVED:
        raise ReviewError(
            f"jadwal baru menimbulkan masalah untuk unggahan yang sudah disetujui: "
            f"{'; '.join(p.message for p in problems)} (sunting dengan `siar post edit` agar "
            "ditinjau ulang)")
    before = _snapshot(post, tz)
    post.scheduled_at = post.due_at = at
    post.problems = problems_as_json(problems)
    # Content unchanged: a retrying or missed post keeps its approval for the new time.
    to_status = PostStatus.APPROVED if post.status in _STILL_APPROVED else None
    post.attempts = 0 if post.status == PostStatus.MISSED else post.attempts
    record(session, post, kind="rescheduled", actor=actor.name, now=now, to_status=to_status,
           note=note, details={"before": before, "after": _snapshot(post, tz)})
    return post


_STILL_APPROVED = (PostStatus.APPROVED, PostStatus.RETRYING, PostStatus.MISSED)


def cancel_target(session: Session, *, actor: Actor, target: str, now: datetime,
                  note: str | None = None) -> list[Post]:
    """Cancel one post, or every post of a batch in the actor's scope that has not gone
    out (missed ones included)."""
    if is_post_id(target):
        return [cancel(session, actor=actor, post_id=int(target), now=now, note=note)]
    posts = _batch_posts(session, actor, target, Action.CANCEL, "dibatalkan")
    for post in posts:
        record(session, post, kind="cancelled", actor=actor.name, now=now,
               to_status=PostStatus.CANCELLED, note=note)
    return posts


def reschedule_target(session: Session, *, actor: Actor, target: str, at: datetime | None,
                      catalog: Catalog, checks: CheckSettings, now: datetime, tz: tzinfo,
                      note: str | None = None, by: timedelta | None = None) -> list[Post]:
    """Reschedule one post, or every post of a batch in scope that has not gone out, to
    the new time `at`, or each by the offset `by` from its own time; all or nothing."""
    if (at is None) == (by is None):
        raise InputError("beri waktu baru atau pergeseran (mis. +2h), salah satu")
    posts = ([get_post(session, actor=actor, post_id=int(target))] if is_post_id(target)
             else _batch_posts(session, actor, target, Action.RESCHEDULE, "dijadwal ulang"))
    return [reschedule(session, actor=actor, post_id=post.id or 0,
                       at=at if at is not None else post.scheduled_at + (by or timedelta()),
                       catalog=catalog, checks=checks, now=now, tz=tz, note=note)
            for post in posts]


def _batch_posts(session: Session, actor: Actor, batch: str, action: Action,
                 verb: str) -> list[Post]:
    posts = target_posts(session, actor=actor, target=batch)
    require(session, actor, action, {p.region_key for p in posts})
    chosen = [p for p in posts if p.status in CANCELLABLE]
    if not chosen:
        raise ReviewError(f"batch {batch}: tidak ada unggahan yang dapat {verb} (status: "
                          f"{', '.join(sorted({p.status for p in posts}))})")
    return chosen


def _refuse_over_limit(platform: str, text: str, image: str | None) -> None:
    """A text over the platform's limit can never be published: refuse it outright."""
    problem = length_problem(platform, text.strip(), image)
    if problem is not None:
        raise InputError(f"{problem.message}: perpendek teksnya")


def _draft(item: NewPost) -> PostDraft:
    return PostDraft(text=item.text.strip(), platform=item.platform, region_key=item.region,
                     scheduled_at=item.scheduled_at, image=item.image, image_alt=item.image_alt)


def _post_draft(post: Post) -> PostDraft:
    return PostDraft(text=post.text, platform=post.platform, region_key=post.region_key,
                     scheduled_at=post.scheduled_at, image=post.image,
                     election_key=post.election_key, template=post.template,
                     stage_key=post.stage_key, image_alt=post.image_alt)


def _snapshot(post: Post, tz: tzinfo) -> dict[str, Any]:
    return {"text": post.text, "scheduled_at": local_iso(post.scheduled_at, tz),
            "image": post.image, "status": post.status}
