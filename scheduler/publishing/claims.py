"""Finding due posts and claiming them: one worker, one attempt, committed before the
request leaves. Also the daily quota and the recovery of abandoned claims."""

import logging
import os
import socket
import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, update
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session, col
from sqlmodel import select as model_select

from scheduler.checks.post_checks import Releases
from scheduler.db import session_scope, write_connection
from scheduler.events import record
from scheduler.models import Account, Post, PostStatus
from scheduler.platforms import platform_limit
from scheduler.publishing.gate import Gate, Hold
from scheduler.publishing.statements import POSTS, statements_for
from scheduler.publishing.store import Acquired, OverQuota, Wanted, store_for
from scheduler.results import read_releases

log = logging.getLogger(__name__)

DUE_STATUSES = (PostStatus.APPROVED.value, PostStatus.RETRYING.value)
DEFAULT_LEASE = 900.0  # seconds a claim is held unless renewed (SIAR_CLAIM_LEASE)
QUOTA_WINDOW = timedelta(hours=24)


def worker_id() -> str:
    """host:pid:start, so a restarted worker can tell its dead predecessors' claims."""
    return f"{socket.gethostname()}:{os.getpid()}:{int(time.time())}"


@dataclass(frozen=True)
class ClaimedPost:
    """The fields of a claimed post that an attempt needs (read once, at the claim)."""

    id: int
    account_id: int
    region_key: str
    platform: str
    text: str
    image: str | None
    scheduled_at: datetime
    attempts: int
    platform_ref: dict[str, str]
    template: str | None = None
    election_key: str | None = None
    rule_key: str | None = None
    problems: list[dict[str, Any]] = field(default_factory=list)
    attempt_via: str | None = None  # the adapter this attempt goes through
    image_alt: str | None = None
    stage_key: str | None = None


@dataclass(frozen=True)
class Claimed:
    """A post this worker owns for one attempt, with what the adapter needs."""

    post: ClaimedPost
    account: Account


def due_posts(session: Session, now: datetime, limit: int,
              skip_accounts: Collection[int] = ()) -> list[tuple[int, int, datetime]]:
    """(post id, account id, due at) of posts due now on active accounts, most overdue
    first; posts of `skip_accounts` (held: no credentials) are left where they are."""
    statement = (
        model_select(Post.id, Post.account_id, Post.due_at)
        .join(Account, col(Account.id) == col(Post.account_id))
        .where(col(Post.status).in_(DUE_STATUSES), col(Post.due_at) <= now,
               col(Account.paused_at).is_(None), col(Account.enabled).is_(True))
        .order_by(col(Post.due_at), col(Post.id))
        .limit(limit))
    if skip_accounts:
        statement = statement.where(col(Post.account_id).not_in(sorted(skip_accounts)))
    return [(pid or 0, aid, due) for pid, aid, due in session.exec(statement)]


def next_due_at(session: Session, after: datetime) -> datetime | None:
    """When the next post falls due, strictly after `after`."""
    return session.exec(model_select(func.min(Post.due_at)).where(
        col(Post.status).in_(DUE_STATUSES), col(Post.due_at) > after)).one()


def claim(engine: Engine, post_id: int, worker: str, now: datetime,
          account: Account | None = None, *, via: str, gate: Gate | None = None,
          lease: float = DEFAULT_LEASE) -> ClaimedPost | Hold | None:
    """Take one due post for one attempt through adapter `via`, held for `lease` seconds
    (renewed while its request is in flight); None if it is not (or no longer) ours to
    take, or its account has a post in flight; the Hold if it must not be sent now.

    The claim goes through the publishing store (scheduler.publishing.store): only a post
    still approved or retrying, due, on an active account with nothing in flight moves to
    `publishing`. The gate then decides again against `now` (lateness, quiet period, ...);
    a post it holds leaves as `missed` or back to review instead. The attempt event is
    committed together with the claim, before any request is sent. Pass the post's
    account to have its platform's daily quota enforced (in flight included).
    """
    with write_connection(engine) as connection:
        return claim_in(connection, post_id, worker, now, account, via=via, gate=gate,
                        lease=lease)


def claim_in(connection: Connection, post_id: int, worker: str, now: datetime,
             account: Account | None = None, *, via: str, gate: Gate | None = None,
             lease: float = DEFAULT_LEASE) -> ClaimedPost | Hold | None:
    """`claim` inside a writing transaction the caller commits (durably, before any
    request leaves)."""
    return claim_many(connection, [ClaimAsk(post_id, account, via)], worker, now, gate=gate,
                      lease=lease)[0]


@dataclass(frozen=True)
class ClaimAsk:
    post_id: int
    account: Account | None  # given: its platform's daily quota is enforced
    via: str  # the adapter the attempt goes through


def claim_many(connection: Connection, asks: Sequence[ClaimAsk], worker: str, now: datetime,
               *, gate: Gate | None = None,
               lease: float = DEFAULT_LEASE) -> list[ClaimedPost | Hold | None]:
    """`claim_in` for each of `asks`, as if one after the other, in the caller's writing
    transaction: scheduler.publishing.groupclaim commits many claims at once, and the
    store acquires them together (PostgreSQL: a handful of statements for the batch)."""
    quotas = [platform_limit(a.account.platform).daily_quota if a.account is not None
              else None for a in asks]
    got = store_for(connection).acquire_many(
        connection, [Wanted(a.post_id, a.via, q) for a, q in zip(asks, quotas, strict=True)],
        worker=worker, now=now, lease_until=now + timedelta(seconds=lease),
        window_start=now - QUOTA_WINDOW)
    read: list[Releases] = []  # the results announcements, read once if a post needs them

    def releases() -> Releases:
        if not read:
            read.append(read_releases(connection))
        return read[0]

    results: list[ClaimedPost | Hold | None] = []
    events: list[dict[str, Any]] = []
    for ask, quota, one in zip(asks, quotas, got, strict=True):
        if isinstance(one, OverQuota) and ask.account is not None and quota is not None:
            _defer(connection, ask.post_id, ask.account, quota, one.times, now)
        if not isinstance(one, Acquired):
            results.append(None)
            continue
        post, before = ClaimedPost(**one.row), one.before
        hold = gate.decide(post, now, releases=releases) if gate is not None else None
        if hold is not None:
            _hold(connection, post, worker, now, before, hold)
            results.append(hold)
            continue
        events.append({"post_id": post.id, "kind": "attempt", "actor": worker, "now": now,
                       "from_status": before, "to_status": PostStatus.PUBLISHING.value,
                       "details": {"attempt": post.attempts, "adapter": ask.via}})
        results.append(post)
    if events:
        statements_for(connection).add_events(connection, events)
    return results


def _hold(connection: Connection, post: ClaimedPost, worker: str, now: datetime,
          before: str, hold: Hold) -> None:
    """Undo the claim: the post is missed, or back in review; nothing was sent."""
    values: dict[str, Any] = {
        "status": hold.status, "attempts": post.attempts - 1, "claimed_by": None,
        "claimed_at": None, "lease_until": None, "problems": hold.problems,
        "last_error": hold.reason, "updated_at": now}
    if hold.status == PostStatus.PENDING:
        values.update(approved_by=None, approved_at=None)
    ops = statements_for(connection)
    ops.update_claimed(connection, post.id, worker, values)
    ops.add_event(connection, post.id, kind=hold.kind, actor=worker, now=now,
                  from_status=before, to_status=hold.status, note=hold.reason,
                  details={"scheduled_at": post.scheduled_at.isoformat()})
    log.warning("unggahan #%s ditahan (%s): %s", post.id, hold.status, hold.reason)


def expire_overdue(engine: Engine, gate: Gate, now: datetime, worker: str,
                   limit: int = 1000) -> list[int]:
    """Posts still waiting (approved, retrying) past their lateness limit become `missed`
    at once, so that `siar status` shows them, whether or not their account can publish."""
    cutoff = now - gate.shortest_limit()
    missed = []
    with session_scope(engine, write=True) as session:
        for post in session.exec(model_select(Post).where(
                col(Post.status).in_(DUE_STATUSES), col(Post.scheduled_at) < cutoff)
                .order_by(col(Post.scheduled_at)).limit(limit).with_for_update()):
            hold = gate.too_late(post, now)
            if hold is None:
                continue
            post.last_error = hold.reason
            record(session, post, kind="missed", actor=worker, now=now,
                   to_status=PostStatus.MISSED, note=hold.reason)
            # One line per post for whoever follows `siar run`; the worker adds a warning
            # with the count.
            log.info("missed: unggahan #%s %s/%s: %s", post.id, post.region_key,
                     post.platform, hold.reason)
            missed.append(post.id or 0)
    return missed


def _defer(connection: Connection, post_id: int, account: Account, quota: int,
           times: list[datetime], now: datetime) -> None:
    """Platforms cap API posts per rolling 24 hours (Instagram 50, Threads 250): move the
    post to when the oldest post counted in the window leaves it."""
    until = times[len(times) - quota] + QUOTA_WINDOW + timedelta(seconds=1)
    status = connection.execute(
        update(POSTS).where(POSTS.c.id == post_id, POSTS.c.status.in_(DUE_STATUSES))
        .values(due_at=until, updated_at=now).returning(POSTS.c.status)).scalar()
    if status is not None:
        statements_for(connection).add_event(
            connection, post_id, kind="deferred", actor="worker", now=now, from_status=status,
            to_status=status, note=f"kuota harian {account.platform} ({quota}/24 jam) habis",
            details={"until": until.isoformat()})
