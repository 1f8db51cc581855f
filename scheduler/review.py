"""Review: pending batches, approval under the four-eyes rule, rejection.

A batch is every post one rule produced for one slot, across accounts. A reviewer
approves the part of a batch in their scope in one decision, with exceptions. Approval
is all or nothing: if any targeted post breaks the four-eyes rule or has a problem, the
whole decision is refused and nothing changes. An admin may override problems (never the
four-eyes rule) with a written reason, which the event log keeps.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from scheduler.checks.post_checks import (
    CheckSettings,
    PostDraft,
    PostProblem,
    check_post,
    problems_as_json,
)
from scheduler.content.model import Catalog
from scheduler.errors import InputError, ReviewError
from scheduler.events import Move, record_moves
from scheduler.labels import status_label
from scheduler.models import Post, PostEvent, PostStatus
from scheduler.permissions import Action, require_role
from scheduler.results import with_releases
from scheduler.review_queue import list_batches as list_batches  # defined with the queue
from scheduler.targets import is_post_id, target_posts
from scheduler.users import Actor

CLI_REMEDY = "kecualikan dengan --except ID, perbaiki, atau minta admin mengesampingkan"


@dataclass
class Decision:
    """What an approval or rejection changed."""

    changed: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)  # excepted, or not pending in a batch
    overridden: dict[int, list[str]] = field(default_factory=dict)


def show(session: Session, *, actor: Actor, target: str) -> list[Post]:
    """Every variant of a batch in the actor's scope (or one post), with its problems."""
    require_role(actor, Action.VIEW)
    return target_posts(session, actor=actor, target=target)


def approve(
    session: Session,
    *,
    actor: Actor,
    target: str,
    catalog: Catalog,
    checks: CheckSettings,
    now: datetime,
    excepts: Sequence[int] = (),
    note: str | None = None,
    override_reason: str | None = None,
    remedy: str = CLI_REMEDY,
) -> Decision:
    """Approve a batch's pending posts in the actor's scope (but `excepts`), or one post.
    `remedy` is what a refusal for problems tells the person to do, in their face's terms."""
    _check_approver(actor, override_reason)
    posts, decision = _pending_targets(session, actor, target, excepts, "disetujui")
    return approve_posts(session, actor=actor, posts=posts, catalog=catalog, checks=checks,
                         now=now, note=note, override_reason=override_reason,
                         decision=decision, remedy=remedy)


def approve_posts(
    session: Session,
    *,
    actor: Actor,
    posts: Sequence[Post],
    catalog: Catalog,
    checks: CheckSettings,
    now: datetime,
    note: str | None = None,
    override_reason: str | None = None,
    decision: Decision | None = None,
    remedy: str = CLI_REMEDY,
    listed: int | None = None,
) -> Decision:
    """Approve `posts` (pending, in scope, locked by the caller) in one decision, or none of
    them: the four-eyes rule and every post's problems as of `now` are checked first. A
    refusal names every blocked post, or the first `listed` and a count of the rest."""
    _check_approver(actor, override_reason)
    decision = decision or Decision()
    authors = authors_of(session, posts=posts)
    own = [p for p in posts if actor.name in authors[p.id or 0]]
    if own:
        raise ReviewError(
            "aturan empat mata: tidak boleh menyetujui unggahan yang pernah Anda buat atau "
            f"sunting: {_ids(own)}")
    checks = with_releases(session, checks=checks)
    found = {p.id: recheck(p, catalog, checks, now) for p in posts}
    blocked = {pid: probs for pid, probs in found.items() if probs}
    if blocked and override_reason is None:
        lines = [f"#{pid}: {'; '.join(p.message for p in probs)}" for pid, probs in blocked.items()]
        if listed is not None and len(lines) > listed:
            lines[listed:] = [f"… dan {len(lines) - listed} lainnya"]
        raise ReviewError(
            f"{len(blocked)} unggahan bermasalah, tidak ada yang disetujui ({remedy}):\n  "
            + "\n  ".join(lines))
    moves = []
    for post in posts:
        problems = problems_as_json(found[post.id])
        details = None
        if problems:
            details = {"override": override_reason, "problems": problems}
            decision.overridden[post.id or 0] = [p.message for p in found[post.id]]
        moves.append(Move(post, values={"problems": problems}, details=details))
        decision.changed.append(post.id or 0)
    record_moves(session, moves, kind="approved", actor=actor.name, now=now,
                 from_status=PostStatus.PENDING, to_status=PostStatus.APPROVED, note=note,
                 values={"approved_by": actor.name, "approved_at": now})
    return decision


def _check_approver(actor: Actor, override_reason: str | None) -> None:
    require_role(actor, Action.APPROVE)
    if override_reason is not None:
        require_role(actor, Action.OVERRIDE)
        if not override_reason.strip():
            raise InputError("mengesampingkan masalah perlu alasan tertulis")


def reject(session: Session, *, actor: Actor, target: str, note: str, now: datetime,
           excepts: Sequence[int] = ()) -> Decision:
    require_role(actor, Action.REJECT)
    if not note or not note.strip():
        raise InputError("menolak perlu catatan (--note) agar penulis tahu apa yang diperbaiki")
    posts, decision = _pending_targets(session, actor, target, excepts, "ditolak")
    record_moves(session, [Move(post) for post in posts], kind="rejected", actor=actor.name,
                 now=now, from_status=PostStatus.PENDING, to_status=PostStatus.REJECTED,
                 note=note.strip())
    decision.changed.extend(post.id or 0 for post in posts)
    return decision


def recheck(post: Post, catalog: Catalog, checks: CheckSettings,
            now: datetime) -> list[PostProblem]:
    """The post's problems as of now, including a time that has already passed."""
    problems = check_post(PostDraft(
        text=post.text, platform=post.platform, region_key=post.region_key,
        scheduled_at=post.scheduled_at, image=post.image, election_key=post.election_key,
        template=post.template, stage_key=post.stage_key, image_alt=post.image_alt),
        catalog, checks)
    if post.scheduled_at < now - timedelta(minutes=1):
        problems.append(
            PostProblem("in_the_past", "waktu terjadwal sudah lewat; jadwal ulang dulu"))
    return problems


def authors_of(session: Session, *, posts: Sequence[Post]) -> dict[int, set[str]]:
    """Everyone who wrote any version of each post: its creator and every editor (the
    event log keeps them all; `edited_by` is only the last)."""
    authors = {p.id or 0: {p.created_by, *([p.edited_by] if p.edited_by else [])}
               for p in posts}
    ids = sorted(authors)
    for start in range(0, len(ids), 500):  # bounded IN lists
        for post_id, name in session.exec(select(PostEvent.post_id, PostEvent.actor).where(
                col(PostEvent.post_id).in_(ids[start:start + 500]),
                col(PostEvent.kind) == "edited")):
            authors[post_id].add(name)
    return authors


def _pending_targets(session: Session, actor: Actor, target: str, excepts: Sequence[int],
                     verb: str) -> tuple[list[Post], Decision]:
    posts = target_posts(session, actor=actor, target=target)
    decision = Decision()
    ids = {p.id for p in posts}
    strangers = sorted(set(excepts) - ids)
    if strangers:
        raise InputError(f"--except {', '.join(map(str, strangers))}: bukan bagian dari {target}")
    if is_post_id(target):
        post = posts[0]
        if post.status != PostStatus.PENDING:
            raise ReviewError(f"unggahan #{post.id} berstatus {status_label(post.status)}, "
                              f"tidak dapat {verb}")
        return posts, decision
    left_out = set(excepts)
    chosen = [p for p in posts if p.status == PostStatus.PENDING and p.id not in left_out]
    kept = {p.id for p in chosen}  # by id: comparing posts compares every field
    decision.skipped = [p.id or 0 for p in posts if p.id not in kept]
    if not chosen:
        raise ReviewError(f"tidak ada unggahan yang menunggu tinjauan di batch {target}")
    return chosen, decision


def _ids(posts: Sequence[Post]) -> str:
    return ", ".join(f"#{p.id}" for p in posts)
