"""Finding due posts and claiming them: one worker, one attempt, committed before the
request leaves. Also the daily quota and the recovery of abandoned claims."""

import os
import socket
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from scheduler.db import session_scope
from scheduler.events import record
from scheduler.models import Account, Post, PostStatus
from scheduler.platforms import PLATFORM_LIMITS

DUE_STATUSES = (PostStatus.APPROVED.value, PostStatus.RETRYING.value)


def worker_id() -> str:
    """host:pid:start, so a restarted worker can tell its dead predecessors' claims."""
    return f"{socket.gethostname()}:{os.getpid()}:{int(time.time())}"


@dataclass(frozen=True)
class Claimed:
    """A post this worker owns for one attempt, with what the adapter needs."""

    post: Post
    account: Account


def due_posts(session: Session, now: datetime, limit: int,
              skip_accounts: set[int] | None = None) -> list[tuple[int, int]]:
    """(post id, account id) of posts due now on active accounts, most overdue first."""
    statement = (
        select(Post.id, Post.account_id)
        .join(Account, col(Account.id) == col(Post.account_id))
        .where(col(Post.status).in_(DUE_STATUSES), col(Post.due_at) <= now,
               col(Account.paused_at).is_(None), col(Account.enabled).is_(True))
        .order_by(col(Post.due_at), col(Post.id))
        .limit(limit + len(skip_accounts or ())))
    rows = [(pid or 0, aid) for pid, aid in session.exec(statement)]
    return [r for r in rows if r[1] not in (skip_accounts or set())][:limit]


def next_due_at(session: Session) -> datetime | None:
    return session.exec(select(func.min(Post.due_at)).where(
        col(Post.status).in_(DUE_STATUSES))).one()


def claim(engine: Engine, post_id: int, worker: str, now: datetime,
          quota_counts: bool = True) -> Claimed | None:
    """Take one due post for one attempt, or None if it is not (or no longer) ours to take.

    The status change is a compare-and-set: only a post still approved or retrying, due,
    on an active account moves to `publishing`. The attempt event is committed together
    with it, before any request is sent.
    """
    with session_scope(engine) as session:
        post = session.get(Post, post_id)
        account = session.get(Account, post.account_id) if post else None
        if post is None or account is None or account.paused_at or not account.enabled:
            return None
        if quota_counts and _defer_for_quota(session, post, account, now):
            return None
        changed = session.exec(
            update(Post)
            .where(col(Post.id) == post_id, col(Post.status).in_(DUE_STATUSES),
                   col(Post.due_at) <= now)
            .values(status=PostStatus.PUBLISHING.value, claimed_by=worker, claimed_at=now,
                    attempts=Post.attempts + 1, updated_at=now)
            .execution_options(synchronize_session=False))
        if changed.rowcount != 1:
            return None
        # Mirror the update on the loaded object (still holding the prior status, which
        # the event records as where the post came from).
        post.claimed_by, post.claimed_at, post.attempts = worker, now, post.attempts + 1
        record(session, post, kind="attempt", actor=worker, now=now,
               to_status=PostStatus.PUBLISHING, details={"attempt": post.attempts})
        return Claimed(post, account)


def _defer_for_quota(session: Session, post: Post, account: Account, now: datetime) -> bool:
    """Platforms cap API posts per rolling 24 hours (Instagram 50, Threads 250): enforce it
    here, and move the post to when the oldest post in the window leaves it."""
    quota = PLATFORM_LIMITS[account.platform].daily_quota
    if quota is None:
        return False
    window = now - timedelta(hours=24)
    published = list(session.exec(
        select(Post.published_at).where(col(Post.account_id) == account.id,
                                        col(Post.published_via) == account.platform,
                                        col(Post.published_at) > window)
        .order_by(col(Post.published_at))))
    if len(published) < quota:
        return False
    oldest = published[len(published) - quota]
    assert oldest is not None
    post.due_at = oldest + timedelta(hours=24, seconds=1)
    record(session, post, kind="deferred", actor="worker", now=now,
           note=f"kuota harian {account.platform} ({quota}/24 jam) habis",
           details={"until": post.due_at.isoformat()})
    return True


def recover_abandoned(engine: Engine, now: datetime, lease: float, worker: str) -> list[int]:
    """Posts left in `publishing` by a worker that died (on this machine: its process is
    gone; elsewhere: its lease ran out) become `uncertain`: the request may have left."""
    host = socket.gethostname()
    recovered = []
    with session_scope(engine) as session:
        for post in session.exec(select(Post).where(
                col(Post.status) == PostStatus.PUBLISHING.value)):
            owner = post.claimed_by or ""
            if owner == worker:
                continue
            expired = post.claimed_at is None or post.claimed_at < now - timedelta(seconds=lease)
            if expired or _dead_local_process(owner, host):
                post.last_error = "pekerja berhenti di tengah pengiriman; status tidak diketahui"
                record(session, post, kind="uncertain", actor=worker, now=now,
                       to_status=PostStatus.UNCERTAIN, note=post.last_error,
                       details={"claimed_by": owner})
                recovered.append(post.id or 0)
    return recovered


def _dead_local_process(owner: str, host: str) -> bool:
    parts = owner.split(":")
    if len(parts) != 3 or parts[0] != host or not parts[1].isdigit():
        return False
    try:
        os.kill(int(parts[1]), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False
