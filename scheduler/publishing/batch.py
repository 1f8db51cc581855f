"""Claiming many due posts in a handful of statements (PostgreSQL): the same checks as
PostgresStore.acquire makes for one post, each made once for a whole batch.

A worker's claims wait for its claim committer (scheduler.publishing.groupclaim), which
takes every claim waiting at once into one transaction. One post at a time, that is five
round trips a post (lock the post, lock its account, count its quota, see that nothing
of its account is in flight, claim it): with 200 publishing threads, the committer's
round trips, not the platforms, set the pace. Here each of those steps is one statement
for the batch:

1. lock the wanted posts still due (`FOR NO KEY UPDATE SKIP LOCKED`: a post another
   worker is claiming is skipped, never waited for);
2. lock their accounts, active ones only, the same way;
3. count the quotas of the accounts that have one (published, uncertain, in flight);
4. find the accounts with a post in flight or held for a lookup;
5. claim what is left, one UPDATE per adapter.

The result is the one `acquire` would give each post in turn in the same transaction:
the first post of an account is claimed here; a later post of the same account in the
batch (or the same post asked for twice) goes through `acquire` after the batch, and
finds the account busy, as it would one by one.
"""

from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import datetime

from sqlalchemy import ARRAY, Integer, any_, bindparam, select, update
from sqlalchemy.engine import Connection

from scheduler.publishing.acquired import Acquired, Got, Wanted, over
from scheduler.publishing.statements import ACCOUNTS, CLAIMED_COLUMNS, POSTS, PUBLISHING

DUE_STATUSES = ("approved", "retrying")
UNCERTAIN = "uncertain"
_IDS = bindparam("ids", type_=ARRAY(Integer))


_POSTS = (select(POSTS.c.id, POSTS.c.status, POSTS.c.account_id, POSTS.c.platform)
          .where(POSTS.c.id == any_(_IDS), POSTS.c.status.in_(DUE_STATUSES),
                 POSTS.c.due_at <= bindparam("now"))
          .with_for_update(skip_locked=True, key_share=True))
_ACCOUNTS = (select(ACCOUNTS.c.id)
             .where(ACCOUNTS.c.id == any_(_IDS), ACCOUNTS.c.paused_at.is_(None),
                    ACCOUNTS.c.enabled.is_(True))
             .with_for_update(skip_locked=True, key_share=True))
_BUSY = (select(POSTS.c.account_id).distinct()
         .where(POSTS.c.account_id == any_(_IDS),
                (POSTS.c.status == PUBLISHING)
                | ((POSTS.c.status == UNCERTAIN) & (POSTS.c.lease_until > bindparam("now")))))
_CLAIM = (
    update(POSTS).where(POSTS.c.id == any_(_IDS))
    .values(status=PUBLISHING, claimed_by=bindparam("worker"), claimed_at=bindparam("now"),
            lease_until=bindparam("lease_until"), attempts=POSTS.c.attempts + 1,
            updated_at=bindparam("now"), attempt_via=bindparam("via"))
    .returning(*(POSTS.c[name] for name in CLAIMED_COLUMNS))
)
# The quota's statements serve SQLite too: a list of ids, not an array.
_ACCOUNT_IN = POSTS.c.account_id.in_(bindparam("accounts", expanding=True))
_PUBLISHED = select(POSTS.c.account_id, POSTS.c.published_via, POSTS.c.published_at).where(
    _ACCOUNT_IN, POSTS.c.published_at > bindparam("window_start"))
_IN_FLIGHT = select(POSTS.c.account_id, POSTS.c.attempt_via).where(
    _ACCOUNT_IN, POSTS.c.status == PUBLISHING)
_UNCERTAIN = select(POSTS.c.account_id, POSTS.c.attempt_via, POSTS.c.claimed_at).where(
    _ACCOUNT_IN, POSTS.c.status == UNCERTAIN,
    POSTS.c.claimed_at > bindparam("window_start"))


def quota_times_many(connection: Connection, accounts: Sequence[int], now: datetime,
                     window_start: datetime) -> dict[tuple[int, str], list[datetime]]:
    """(account id, platform) -> when each post counted against its quota went out:
    published through the platform since `window_start`, uncertain since then (counted
    from its claim), or in flight now (counted as `now`). Oldest first."""
    if not accounts:
        return {}
    times: dict[tuple[int, str], list[datetime]] = defaultdict(list)
    ids = {"accounts": sorted(set(accounts)), "window_start": window_start}
    for account_id, via, at in connection.execute(_PUBLISHED, ids):
        times[(account_id, via)].append(at)
    # An uncertain post may have gone out: it counts from its claim until it is settled.
    for account_id, via, at in connection.execute(_UNCERTAIN, ids):
        times[(account_id, via)].append(at)
    for account_id, via in connection.execute(_IN_FLIGHT, ids):
        times[(account_id, via)].append(now)
    return {key: sorted(value) for key, value in times.items()}


def acquire_batch(connection: Connection, wanted: Sequence[Wanted], *, worker: str,
                  now: datetime, lease_until: datetime, window_start: datetime,
                  one: Callable[[Wanted], Got]) -> list[Got]:
    """What acquiring each of `wanted` in turn would give (see the module's text); `one`
    acquires a single post (for the later posts of an account)."""
    results: list[Got] = [None] * len(wanted)
    posts = {row.id: row for row in connection.execute(
        _POSTS, {"ids": [w.post_id for w in wanted], "now": now})}
    first: dict[int, int] = {}  # account id -> index of its first post in `wanted`
    seen: set[int] = set()
    later: list[int] = []
    for index, want in enumerate(wanted):
        post = posts.get(want.post_id)
        if post is None:
            continue  # gone, not due, or being claimed by another worker
        if post.account_id in first or want.post_id in seen:
            later.append(index)
        else:
            first[post.account_id] = index
        seen.add(want.post_id)
    active = set(connection.execute(_ACCOUNTS, {"ids": sorted(first)}).scalars()) \
        if first else set()
    candidates = [i for account, i in first.items() if account in active]
    quota_accounts = [posts[wanted[i].post_id].account_id for i in candidates
                      if wanted[i].quota is not None]
    counted = quota_times_many(connection, quota_accounts, now, window_start)
    free: list[int] = []
    for index in candidates:
        want, post = wanted[index], posts[wanted[index].post_id]
        times = counted.get((post.account_id, post.platform), [])
        results[index] = over(times, want.quota)
        if results[index] is None:
            free.append(index)
    busy = set(connection.execute(_BUSY, {
        "ids": sorted({posts[wanted[i].post_id].account_id for i in free}), "now": now,
    }).scalars()) if free else set()
    by_via: dict[str, list[int]] = defaultdict(list)
    for index in free:
        if posts[wanted[index].post_id].account_id not in busy:
            by_via[wanted[index].via].append(index)
    for via, indexes in by_via.items():
        rows = {row.id: dict(row._mapping) for row in connection.execute(_CLAIM, {
            "ids": [wanted[i].post_id for i in indexes], "worker": worker, "now": now,
            "lease_until": lease_until, "via": via})}
        for index in indexes:
            row = rows.get(wanted[index].post_id)
            if row is not None:
                results[index] = Acquired(row, posts[wanted[index].post_id].status)
    for index in later:
        results[index] = one(wanted[index])
    return results
