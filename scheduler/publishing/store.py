"""The publishing store: the one contract through which workers take, hold and give back
posts, whatever the database, with two implementations.

- SQLite: one writer at a time (BEGIN IMMEDIATE), so a claim's checks and its
  compare-and-set run alone; the hot statements go straight to the sqlite3 driver.
- PostgreSQL: several workers at once. A claim locks the post's row and its account's row
  with `FOR NO KEY UPDATE SKIP LOCKED` (a row another worker is claiming is skipped, not
  waited for; planning's inserts, which take KEY SHARE on the account, are not blocked),
  then checks the account has nothing in flight and counts its quota, then claims.

Both hold the same promises, which tests/test_publishing_store.py checks on both:
a claim carries an owner and a lease (`claimed_by`, `lease_until`); at most one post per
account is `publishing`; the daily quota counts posts published in the last 24 hours and
posts in flight; every later change is a guarded update on status and owner whose row
count says whether it happened.
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import bindparam, exists, literal, select, update
from sqlalchemy.engine import Connection

from scheduler.coltypes import utc_text
from scheduler.publishing.acquired import Acquired, Got, OverQuota, Wanted, over
from scheduler.publishing.batch import acquire_batch, quota_times_many
from scheduler.publishing.statements import (
    ACCOUNTS,
    CLAIMED_COLUMNS,
    POSTS,
    PUBLISHING,
    CoreStatements,
    SqliteStatements,
    Statements,
    driver,
    loaded,
)

DUE_STATUSES = ("approved", "retrying")
UNCERTAIN = "uncertain"


def busy_account(account: Any, now: Any, *, besides: Any = None) -> Any:
    """An account is busy while one of its posts is publishing, or an uncertain one is
    held for a lookup (a Core condition; `besides`: a post that does not count)."""
    other = POSTS.alias("busy")
    conditions = [other.c.account_id == account,
                  (other.c.status == PUBLISHING)
                  | ((other.c.status == UNCERTAIN) & (other.c.lease_until > now))]
    if besides is not None:
        conditions.append(other.c.id != besides)
    return exists().where(*conditions)


__all__ = ["Acquired", "OverQuota", "PublishingStore", "Wanted", "store_for"]


class PublishingStore(Statements, Protocol):
    def acquire(self, connection: Connection, post_id: int, *, worker: str, now: datetime,
                lease_until: datetime, via: str, quota: int | None,
                window_start: datetime) -> Acquired | OverQuota | None:
        """Claim one due post (approved or retrying, due, on an active account with no
        post in flight) for `worker` until `lease_until`, through adapter `via`; None if
        it is not ours to take now (gone, not due, its account busy or being claimed by
        another worker); OverQuota if `quota` posts of the account on its platform were
        published since `window_start` or are in flight."""

    def acquire_many(self, connection: Connection, wanted: Sequence[Wanted], *, worker: str,
                     now: datetime, lease_until: datetime,
                     window_start: datetime) -> list[Got]:
        """What `acquire` would give each of `wanted`, one after the other in this
        transaction (PostgreSQL: in a handful of statements for them all)."""

    def hold_for_lookup(self, connection: Connection, post_id: int, *, owner: str | None,
                        worker: str, now: datetime, lease_until: datetime) -> bool:
        """Hold an uncertain post (still held by `owner` as read, whose hold has lapsed)
        for `worker` to look it up on its platform until `lease_until`, if its account has
        no request in flight; while held, the account counts as busy for claims."""

    def renew(self, connection: Connection, worker: str, post_ids: list[int],
              lease_until: datetime) -> set[int]:
        """Extend the leases of these posts that `worker` still holds; the ids renewed."""

    def transition(self, connection: Connection, post_id: int, *, status: str,
                   owner: str | None, values: dict[str, Any],
                   lapsed_at: datetime | None = None) -> bool:
        """Write `values` only if the post is still in `status` and held by `owner`
        (None: held by nobody), and with `lapsed_at` only if its lease ended before then;
        False, and nothing written, otherwise."""


def quota_times(connection: Connection, account_id: int, platform: str, now: datetime,
                window_start: datetime) -> list[datetime]:
    """When each post counted against the account's quota on `platform` went out (see
    scheduler.publishing.batch.quota_times_many). Oldest first."""
    return quota_times_many(connection, [account_id], now, window_start).get(
        (account_id, platform), [])


class _Guarded:
    """renew, transition and the lookup's hold in SQLAlchemy Core: the same on both
    databases (PostgreSQL locks the account's row first)."""

    def hold_for_lookup(self, connection: Connection, post_id: int, *, owner: str | None,
                        worker: str, now: datetime, lease_until: datetime) -> bool:
        statement = update(POSTS).where(
            POSTS.c.id == post_id, POSTS.c.status == UNCERTAIN,
            POSTS.c.claimed_by.is_not_distinct_from(owner),
            POSTS.c.lease_until.is_(None) | (POSTS.c.lease_until < now)
            | (POSTS.c.claimed_by == worker),
            ~busy_account(POSTS.c.account_id, now, besides=POSTS.c.id),
        ).values(claimed_by=worker, lease_until=lease_until)
        return connection.execute(statement).rowcount == 1

    def renew(self, connection: Connection, worker: str, post_ids: list[int],
              lease_until: datetime) -> set[int]:
        if not post_ids:
            return set()
        rows = connection.execute(
            update(POSTS).where(POSTS.c.id.in_(post_ids), POSTS.c.status == PUBLISHING,
                                POSTS.c.claimed_by == worker)
            .values(lease_until=lease_until).returning(POSTS.c.id)).scalars()
        return set(rows)

    def transition(self, connection: Connection, post_id: int, *, status: str,
                   owner: str | None, values: dict[str, Any],
                   lapsed_at: datetime | None = None) -> bool:
        statement = update(POSTS).where(POSTS.c.id == post_id, POSTS.c.status == status,
                                        POSTS.c.claimed_by.is_not_distinct_from(owner))
        if lapsed_at is not None:
            statement = statement.where(POSTS.c.lease_until.is_(None)
                                        | (POSTS.c.lease_until < lapsed_at))
        return connection.execute(statement.values(values)).rowcount == 1


class SqliteStore(_Guarded, SqliteStatements):
    """One writer at a time, and each statement a call into the same process: acquiring
    many posts is acquiring each in turn."""

    # Column names are constants; every value is a bound parameter.
    _CLAIM = (
        "UPDATE post SET status = 'publishing', claimed_by = ?, claimed_at = ?, "  # noqa: S608
        "lease_until = ?, attempts = attempts + 1, updated_at = ?, attempt_via = ? "
        "WHERE id = ? AND status = ? AND due_at <= ? AND EXISTS (SELECT 1 FROM account "
        "WHERE account.id = post.account_id AND account.paused_at IS NULL "
        "AND account.enabled) AND NOT EXISTS (SELECT 1 FROM post AS busy "
        "WHERE busy.account_id = post.account_id AND (busy.status = 'publishing' "
        "OR (busy.status = 'uncertain' AND busy.lease_until > ?))) "
        f"RETURNING {', '.join(CLAIMED_COLUMNS)}"
    )
    _ACCOUNT = "SELECT account_id, platform FROM post WHERE id = ?"

    def acquire(self, connection: Connection, post_id: int, *, worker: str, now: datetime,
                lease_until: datetime, via: str, quota: int | None,
                window_start: datetime) -> Acquired | OverQuota | None:
        sqlite = driver(connection)
        if quota is not None:
            found = sqlite.execute(self._ACCOUNT, (post_id,)).fetchone()
            if found is None:
                return None
            counted = over(quota_times(connection, found[0], found[1], now, window_start),
                           quota)
            if counted is not None:
                return counted
        stamp = utc_text(now)
        for before in DUE_STATUSES:  # which one it was goes into the event
            row = sqlite.execute(self._CLAIM, (worker, stamp, utc_text(lease_until), stamp,
                                               via, post_id, before, stamp, stamp)).fetchone()
            if row is not None:
                return Acquired(loaded(row), before)
        return None

    def acquire_many(self, connection: Connection, wanted: Sequence[Wanted], *, worker: str,
                     now: datetime, lease_until: datetime,
                     window_start: datetime) -> list[Got]:
        return [self.acquire(connection, w.post_id, worker=worker, now=now,
                             lease_until=lease_until, via=w.via, quota=w.quota,
                             window_start=window_start) for w in wanted]


class PostgresStore(_Guarded, CoreStatements):
    _POST = (select(POSTS.c.status, POSTS.c.account_id, POSTS.c.platform)
             .where(POSTS.c.id == bindparam("post_id"), POSTS.c.status.in_(DUE_STATUSES),
                    POSTS.c.due_at <= bindparam("now"))
             .with_for_update(skip_locked=True, key_share=True))
    _ACCOUNT = (select(ACCOUNTS.c.id)
                .where(ACCOUNTS.c.id == bindparam("account_id"), ACCOUNTS.c.paused_at.is_(None),
                       ACCOUNTS.c.enabled.is_(True))
                .with_for_update(skip_locked=True, key_share=True))
    _ACCOUNT_ANY = (select(ACCOUNTS.c.id).where(ACCOUNTS.c.id == bindparam("account_id"))
                    .with_for_update(skip_locked=True, key_share=True))
    _BUSY = select(literal(1)).where(busy_account(bindparam("account_id"), bindparam("now")))
    _CLAIM = (
        update(POSTS).where(POSTS.c.id == bindparam("post_id"))
        .values(status=PUBLISHING, claimed_by=bindparam("worker"), claimed_at=bindparam("now"),
                lease_until=bindparam("lease_until"), attempts=POSTS.c.attempts + 1,
                updated_at=bindparam("now"), attempt_via=bindparam("via"))
        .returning(*(POSTS.c[name] for name in CLAIMED_COLUMNS))
    )

    def acquire(self, connection: Connection, post_id: int, *, worker: str, now: datetime,
                lease_until: datetime, via: str, quota: int | None,
                window_start: datetime) -> Acquired | OverQuota | None:
        # The post's row, then its account's; either one locked by another worker's claim
        # means that worker has it: skip, never wait.
        post = connection.execute(self._POST, {"post_id": post_id, "now": now}).first()
        if post is None:
            return None
        status, account_id, platform = post
        if connection.execute(self._ACCOUNT, {"account_id": account_id}).first() is None:
            return None
        # With the account's row locked, no other claim for it can run until we commit.
        if quota is not None:
            counted = over(quota_times(connection, account_id, platform, now, window_start),
                           quota)
            if counted is not None:
                return counted
        if connection.execute(self._BUSY, {"account_id": account_id, "now": now}).scalar():
            return None
        row = connection.execute(self._CLAIM, {
            "post_id": post_id, "worker": worker, "now": now, "lease_until": lease_until,
            "via": via}).first()
        return Acquired(dict(row._mapping), status) if row is not None else None

    def acquire_many(self, connection: Connection, wanted: Sequence[Wanted], *, worker: str,
                     now: datetime, lease_until: datetime,
                     window_start: datetime) -> list[Got]:
        return acquire_batch(
            connection, wanted, worker=worker, now=now, lease_until=lease_until,
            window_start=window_start, one=lambda w: self.acquire(
                connection, w.post_id, worker=worker, now=now, lease_until=lease_until,
                via=w.via, quota=w.quota, window_start=window_start))

    def hold_for_lookup(self, connection: Connection, post_id: int, *, owner: str | None,
                        worker: str, now: datetime, lease_until: datetime) -> bool:
        account_id = connection.execute(select(POSTS.c.account_id).where(
            POSTS.c.id == post_id)).scalar()
        if account_id is None or connection.execute(
                self._ACCOUNT_ANY, {"account_id": account_id}).first() is None:
            return False  # another worker is claiming for this account right now
        return super().hold_for_lookup(connection, post_id, owner=owner, worker=worker,
                                       now=now, lease_until=lease_until)


SQLITE_STORE = SqliteStore()
POSTGRES_STORE = PostgresStore()


def store_for(connection: Connection) -> PublishingStore:
    return SQLITE_STORE if connection.dialect.name == "sqlite" else POSTGRES_STORE
