"""The publishing store's contract (scheduler/publishing/store.py), one suite on SQLite and
on PostgreSQL: claims with an owner and a lease, one post in flight per account, quotas
counted with posts in flight, leases renewed, guarded transitions, outcomes stored even
while the database is busy."""

import socket
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from scheduler.clock import FixedClock
from scheduler.db import make_engine, session_scope, sqlite_file, write_connection, writer
from scheduler.models import Account, Post
from scheduler.publishing.attempt import run_attempt
from scheduler.publishing.claims import Claimed, ClaimedPost, claim
from scheduler.publishing.factory import AdapterFactory
from scheduler.publishing.leases import LeaseKeeper
from scheduler.publishing.recovery import recover_abandoned
from scheduler.publishing.store import Acquired, OverQuota, Wanted, store_for
from tests.conftest import BOTH_DATABASES, events

pytestmark = pytest.mark.parametrize("database_url", BOTH_DATABASES, indirect=True)

SLOT = datetime(2024, 5, 6, 3, 0, tzinfo=UTC)
LEASE = 30.0


def account_of(engine: Engine, region: str, platform: str) -> Account:
    with Session(engine) as session:
        return session.exec(select(Account).where(col(Account.region_key) == region,
                                                  col(Account.platform) == platform)).one()


def add_post(engine: Engine, region: str, platform: str, *, status: str = "approved",
             at: datetime = SLOT, **fields: Any) -> int:
    account = account_of(engine, region, platform)
    with session_scope(engine, write=True) as session:
        post = Post(account_id=account.id or 0, region_key=region, platform=platform,
                    scheduled_at=at, due_at=at, text=f"Uji {region} {platform} {at:%H:%M:%S}",
                    status=status, created_by="rina", created_at=at - timedelta(days=1),
                    updated_at=at - timedelta(days=1), approved_by="rudi", problems=[],
                    platform_ref={}, **fields)
        session.add(post)
        session.flush()
        return post.id or 0


def row(engine: Engine, post_id: int) -> Post:
    with Session(engine) as session:
        post = session.get(Post, post_id)
        assert post is not None
        return post


def take(engine: Engine, post_id: int, worker: str, now: datetime,
         account: Account | None = None, via: str = "telegram") -> Any:
    """Claim as the dispatcher does; `via` "outbox" for an attempt that is really run (the
    test accounts have no credentials, so the outbox is their route)."""
    return claim(engine, post_id, worker, now, account, via=via, lease=LEASE)


@pytest.fixture
def store_db(synced: Engine, clock: FixedClock) -> Engine:
    clock.set(SLOT + timedelta(seconds=1))
    return synced


def test_a_claim_carries_its_owner_and_lease_and_is_taken_once(store_db, clock):
    post_id = add_post(store_db, "kab-a", "telegram")
    claimed = take(store_db, post_id, "a:1:1", clock.now())
    assert isinstance(claimed, ClaimedPost)
    assert take(store_db, post_id, "b:1:1", clock.now()) is None
    post = row(store_db, post_id)
    assert (post.status, post.claimed_by) == ("publishing", "a:1:1")
    assert post.lease_until == clock.now() + timedelta(seconds=LEASE)


def test_one_post_in_flight_per_account_across_workers(store_db, clock):
    first, second = (add_post(store_db, "kab-a", "telegram", at=SLOT - timedelta(seconds=s))
                     for s in (2, 1))
    other = add_post(store_db, "kab-a", "x")
    assert isinstance(take(store_db, first, "a:1:1", clock.now()), ClaimedPost)
    assert take(store_db, second, "b:1:1", clock.now()) is None  # its account is busy
    assert isinstance(take(store_db, other, "b:1:1", clock.now()), ClaimedPost)  # another
    assert row(store_db, second).status == "approved"
    with write_connection(store_db) as connection:  # the first one's outcome
        assert store_for(connection).transition(
            connection, first, status="publishing", owner="a:1:1",
            values={"status": "published", "lease_until": None})
    assert isinstance(take(store_db, second, "b:1:1", clock.now()), ClaimedPost)


def test_workers_claiming_one_account_at_once_get_one_post(store_db, clock):
    ids = [add_post(store_db, "kota-b", "telegram", at=SLOT - timedelta(seconds=s))
           for s in range(8)]
    results: dict[int, object] = {}
    start = threading.Barrier(len(ids))

    def one(index: int, post_id: int) -> None:
        start.wait()
        results[post_id] = take(store_db, post_id, f"w{index}:1:1", clock.now())

    threads = [threading.Thread(target=one, args=pair) for pair in enumerate(ids)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(isinstance(r, ClaimedPost) for r in results.values()) == 1
    with Session(store_db) as session:
        assert len(session.exec(select(Post).where(col(Post.status) == "publishing")).all()) == 1


def test_a_post_being_claimed_elsewhere_is_skipped_not_waited_for(store_db, clock):
    """PostgreSQL: SKIP LOCKED; SQLite has one writer, so the claim waits its turn."""
    if store_db.dialect.name != "postgresql":
        pytest.skip("row locks are PostgreSQL's")
    post_id = add_post(store_db, "kab-a", "telegram")
    with write_connection(store_db) as holder:
        holder.execute(text("SELECT 1 FROM post WHERE id = :id FOR UPDATE"), {"id": post_id})
        began = time.monotonic()
        assert take(store_db, post_id, "b:1:1", clock.now()) is None
        assert time.monotonic() - began < 5  # generous: it did not wait for the holder


def test_the_quota_counts_posts_in_flight(store_db, clock):
    published = add_post(store_db, "kab-a", "instagram", status="published",
                         at=SLOT - timedelta(hours=2), published_via="instagram",
                         published_at=SLOT - timedelta(hours=2))
    in_flight = add_post(store_db, "kab-a", "instagram", at=SLOT - timedelta(seconds=5))
    account = account_of(store_db, "kab-a", "instagram")
    assert isinstance(take(store_db, in_flight, "a:1:1", clock.now(), account, "instagram"),
                      ClaimedPost)
    waiting = add_post(store_db, "kab-a", "instagram")
    with write_connection(store_db) as connection:
        got = store_for(connection).acquire(
            connection, waiting, worker="b:1:1", now=clock.now(),
            lease_until=clock.now() + timedelta(seconds=LEASE), via="instagram", quota=2,
            window_start=clock.now() - timedelta(hours=24))
    assert isinstance(got, OverQuota)
    assert got.times == [row(store_db, published).published_at, clock.now()]
    with write_connection(store_db) as connection:  # room for two more: still busy
        assert store_for(connection).acquire(
            connection, waiting, worker="b:1:1", now=clock.now(),
            lease_until=clock.now(), via="instagram", quota=4,
            window_start=clock.now() - timedelta(hours=24)) is None


def test_a_full_daily_quota_defers_the_post_inside_the_claim(store_db, clock):
    account = account_of(store_db, "kab-a", "instagram")
    for minute in range(50):  # Instagram: 50 API posts per 24 hours
        at = SLOT - timedelta(hours=23, minutes=minute)
        add_post(store_db, "kab-a", "instagram", status="published", at=at,
                 published_via="instagram", published_at=at)
    post_id = add_post(store_db, "kab-a", "instagram")
    assert take(store_db, post_id, "a:1:1", clock.now(), account, "instagram") is None
    post = row(store_db, post_id)
    assert post.status == "approved"
    assert post.due_at == SLOT - timedelta(hours=23, minutes=49) + timedelta(hours=24,
                                                                               seconds=1)
    assert events(store_db, post_id)[-1].kind == "deferred"


def test_renewal_extends_only_the_owners_leases(store_db, clock):
    mine, theirs = add_post(store_db, "kab-a", "telegram"), add_post(store_db, "kab-a", "x")
    take(store_db, mine, "a:1:1", clock.now())
    take(store_db, theirs, "b:1:1", clock.now())
    clock.advance(timedelta(seconds=20))
    keeper = LeaseKeeper(store_db, "a:1:1", clock, LEASE)
    keeper.hold(mine)
    keeper.hold(theirs)  # not a's: not renewed
    try:
        assert keeper.renew() == {mine}
    finally:
        keeper.close()
    assert row(store_db, mine).lease_until == clock.now() + timedelta(seconds=LEASE)
    assert row(store_db, theirs).lease_until == SLOT + timedelta(seconds=1 + LEASE)


def test_a_renewed_lease_is_never_taken_over_and_a_lapsed_one_is(store_db, clock):
    post_id = add_post(store_db, "kab-a", "telegram")
    owner = "elsewhere:4242:1"  # another machine: only its lease tells whether it lives
    take(store_db, post_id, owner, clock.now())
    keeper = LeaseKeeper(store_db, owner, clock, LEASE)
    keeper.hold(post_id)
    try:
        for _ in range(4):  # the request outlives its first lease four times over
            clock.advance(timedelta(seconds=LEASE * 0.9))
            keeper.renew()
            assert recover_abandoned(store_db, clock.now(), LEASE, "b:1:1") == []
        clock.advance(timedelta(seconds=LEASE + 1))  # the owner stopped renewing
        assert recover_abandoned(store_db, clock.now(), LEASE, "b:1:1") == [post_id]
    finally:
        keeper.close()
    assert row(store_db, post_id).status == "uncertain"


def test_recovery_loses_to_a_renewal_made_after_it_looked(store_db, clock):
    post_id = add_post(store_db, "kab-a", "telegram")
    take(store_db, post_id, "a:1:1", clock.now())
    looked = clock.now() + timedelta(seconds=LEASE + 1)  # recovery saw a lapsed lease...
    with write_connection(store_db) as connection:  # ...but the owner renewed since
        store_for(connection).renew(connection, "a:1:1", [post_id],
                                    looked + timedelta(seconds=LEASE))
    with write_connection(store_db) as connection:
        assert not store_for(connection).transition(
            connection, post_id, status="publishing", owner="a:1:1", lapsed_at=looked,
            values={"status": "uncertain"})
    assert row(store_db, post_id).status == "publishing"


def test_a_lost_claim_never_overwrites_what_another_worker_recorded(store_db, clock, settings,
                                                                    caplog):
    post_id = add_post(store_db, "kab-a", "telegram")
    account = account_of(store_db, "kab-a", "telegram")
    claimed = take(store_db, post_id, "a:1:1", clock.now(), account, via="outbox")
    clock.advance(timedelta(seconds=LEASE + 1))
    assert recover_abandoned(store_db, clock.now(), LEASE, "b:1:1") == [post_id]
    # The late owner's outcome (its request went to the outbox) is logged, not stored.
    outcome = run_attempt(store_db, Claimed(claimed, account), AdapterFactory(settings, clock),
                          settings, clock, "a:1:1")
    assert outcome.status == "published"
    post = row(store_db, post_id)
    assert (post.status, post.published_at) == ("uncertain", None)
    assert "tidak lagi diklaim" in caplog.text


@contextmanager
def busy_database(engine: Engine, post_id: int, seconds: float) -> Iterator[None]:
    """Another connection holds what the outcome must write for `seconds`: SQLite's write
    lock, PostgreSQL's row lock."""
    ready = threading.Event()

    def hold() -> None:
        try:
            if engine.dialect.name == "sqlite":
                lock = sqlite3.connect(str(sqlite_file(str(engine.url))), isolation_level=None)
                lock.execute("BEGIN IMMEDIATE")
                ready.set()
                time.sleep(seconds)
                lock.execute("ROLLBACK")
                lock.close()
                return
            with writer(engine).connect() as connection:
                connection.execute(text("SELECT 1 FROM post WHERE id = :id FOR UPDATE"),
                                   {"id": post_id})
                ready.set()
                time.sleep(seconds)
                connection.rollback()
        finally:
            ready.set()

    thread = threading.Thread(target=hold)
    thread.start()
    ready.wait()
    try:
        yield
    finally:
        thread.join()


def test_an_outcome_is_stored_after_the_database_was_busy(store_db, settings, clock, caplog):
    """With a short wait for locks, the first tries fail ("database is locked", "lock
    timeout"); the outcome is tried again until it is stored."""
    impatient = make_engine(settings.database_url)

    @event.listens_for(impatient, "connect")
    def short_waits(dbapi_connection: Any, _record: Any) -> None:
        if impatient.dialect.name == "sqlite":
            dbapi_connection.execute("PRAGMA busy_timeout=20")
        else:
            dbapi_connection.execute("SET lock_timeout = '20ms'")
            dbapi_connection.commit()

    try:
        post_id = add_post(store_db, "kab-a", "telegram")
        account = account_of(store_db, "kab-a", "telegram")
        claimed = take(impatient, post_id, "a:1:1", clock.now(), account, via="outbox")
        assert isinstance(claimed, ClaimedPost)
        with busy_database(store_db, post_id, 1.0):
            outcome = run_attempt(impatient, Claimed(claimed, account),
                                  AdapterFactory(settings, clock), settings, clock, "a:1:1")
    finally:
        impatient.dispose()
    assert outcome.status == "published"
    assert row(store_db, post_id).status == "published"
    assert "basis data sibuk" in caplog.text
    assert "database is locked" not in caplog.text  # the driver's English stays out


def test_acquire_returns_the_status_it_claimed_from(store_db, clock):
    post_id = add_post(store_db, "kab-a", "telegram", status="retrying")
    with write_connection(store_db) as connection:
        got = store_for(connection).acquire(
            connection, post_id, worker="a:1:1", now=clock.now(),
            lease_until=clock.now() + timedelta(seconds=LEASE), via="telegram", quota=None,
            window_start=clock.now())
    assert isinstance(got, Acquired)
    assert (got.before, got.row["id"]) == ("retrying", post_id)


def test_a_dead_local_owner_is_recovered_at_once(store_db, clock):
    post_id = add_post(store_db, "kab-a", "telegram")
    dead = f"{socket.gethostname()}:{2**22 + 12345}:1"  # no such process
    take(store_db, post_id, dead, clock.now())
    assert recover_abandoned(store_db, clock.now(), LEASE, "b:1:1") == [post_id]




def hold_for_lookup(engine: Engine, post_id: int, owner: str | None, worker: str,
                    now: datetime) -> bool:
    with write_connection(engine) as connection:
        return store_for(connection).hold_for_lookup(
            connection, post_id, owner=owner, worker=worker, now=now,
            lease_until=now + timedelta(seconds=LEASE))


def test_a_lookup_and_a_request_never_share_an_account(store_db, clock):
    """Looking an uncertain post up is a request to its account too."""
    uncertain = add_post(store_db, "kab-a", "instagram", status="uncertain",
                         at=SLOT - timedelta(minutes=5), claimed_by="dead:1:1")
    due = add_post(store_db, "kab-a", "instagram")
    assert hold_for_lookup(store_db, uncertain, "dead:1:1", "a:1:1", clock.now())
    assert not hold_for_lookup(store_db, uncertain, "dead:1:1", "b:1:1", clock.now())
    assert take(store_db, due, "b:1:1", clock.now()) is None  # the account is busy
    with write_connection(store_db) as connection:  # the lookup's verdict
        assert store_for(connection).transition(
            connection, uncertain, status="uncertain", owner="a:1:1",
            values={"status": "retrying", "lease_until": None})
    assert isinstance(take(store_db, due, "b:1:1", clock.now()), ClaimedPost)
    later = add_post(store_db, "kab-a", "instagram", status="uncertain",
                     at=SLOT - timedelta(minutes=4), claimed_by="dead:1:1")
    assert not hold_for_lookup(store_db, later, "dead:1:1", "a:1:1", clock.now())  # in flight


def test_an_uncertain_post_counts_against_the_quota(store_db, clock):
    add_post(store_db, "kab-a", "instagram", status="uncertain", at=SLOT - timedelta(hours=1),
             claimed_by="dead:1:1", claimed_at=SLOT - timedelta(hours=1),
             attempt_via="instagram")
    waiting = add_post(store_db, "kab-a", "instagram")
    with write_connection(store_db) as connection:
        got = store_for(connection).acquire(
            connection, waiting, worker="b:1:1", now=clock.now(),
            lease_until=clock.now() + timedelta(seconds=LEASE), via="instagram", quota=1,
            window_start=clock.now() - timedelta(hours=24))
    assert isinstance(got, OverQuota)


def test_a_lookup_held_by_a_dead_local_worker_is_let_go(store_db, clock):
    uncertain = add_post(store_db, "kab-a", "instagram", status="uncertain",
                         at=SLOT - timedelta(minutes=5), claimed_by="dead:1:1")
    due = add_post(store_db, "kab-a", "instagram")
    dead = f"{socket.gethostname()}:{2**22 + 12345}:1"  # no such process
    assert hold_for_lookup(store_db, uncertain, "dead:1:1", dead, clock.now())
    assert take(store_db, due, "b:1:1", clock.now()) is None  # held: the account is busy
    recover_abandoned(store_db, clock.now(), LEASE, "b:1:1")
    assert isinstance(take(store_db, due, "b:1:1", clock.now()), ClaimedPost)


def test_many_posts_acquired_together_give_what_one_after_another_would(store_db, clock):
    """acquire_many (PostgreSQL: one statement per step for the whole batch)."""
    first = add_post(store_db, "kab-a", "telegram")
    same_account = add_post(store_db, "kab-a", "telegram")
    other = add_post(store_db, "kota-b", "telegram")
    later = add_post(store_db, "kota-b", "x", at=SLOT + timedelta(hours=1))  # not due
    full = add_post(store_db, "kab-a", "instagram")
    add_post(store_db, "kab-a", "instagram", status="published", published_via="instagram",
             published_at=SLOT - timedelta(hours=1), at=SLOT - timedelta(hours=1))
    busy = add_post(store_db, "kota-b", "instagram")
    assert isinstance(take(store_db, busy, "z:1:1", clock.now()), ClaimedPost)
    waiting = add_post(store_db, "kota-b", "instagram")
    wanted = [Wanted(first, "telegram"), Wanted(same_account, "telegram"),
              Wanted(first, "telegram"), Wanted(other, "telegram", 250),
              Wanted(later, "x"), Wanted(full, "instagram", 1),
              Wanted(waiting, "instagram", 50)]
    with write_connection(store_db) as connection:
        got = store_for(connection).acquire_many(
            connection, wanted, worker="a:1:1", now=clock.now(),
            lease_until=clock.now() + timedelta(seconds=LEASE),
            window_start=clock.now() - timedelta(hours=24))
    assert [type(g).__name__ for g in got] == [
        "Acquired", "NoneType", "NoneType", "Acquired", "NoneType", "OverQuota", "NoneType"]
    assert isinstance(got[0], Acquired) and got[0].before == "approved"
    assert {row(store_db, p).status for p in (first, other)} == {"publishing"}
    assert row(store_db, other).attempt_via == "telegram"
    assert row(store_db, first).claimed_by == "a:1:1"
    assert {row(store_db, p).status for p in (same_account, later, full, waiting)} == {
        "approved"}
