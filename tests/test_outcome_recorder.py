"""Outcomes written together (scheduler.publishing.batcher and recording): each caller
returns only once its own outcome is stored, a lost claim or a faulty outcome affects
no other outcome of the same transaction, and a closed recorder still writes alone.
Container checkpoints saved together (scheduler.publishing.checkpoints) likewise."""

import threading
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import TypeVar

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from scheduler.clock import FixedClock
from scheduler.db import write_connection
from scheduler.publishing.batcher import Batcher, BatcherClosed
from scheduler.publishing.checkpoints import Checkpoint, CheckpointSaver, ClaimLost
from scheduler.publishing.claims import ClaimedPost
from scheduler.publishing.recording import Finish, OutcomeRecorder
from tests.conftest import BOTH_DATABASES, events
from tests.test_publishing_store import SLOT, account_of, add_post, busy_database, row, take

T = TypeVar("T")
ACCOUNTS = [(region, platform) for region in ("prov", "kab-a", "kota-b")
            for platform in ("facebook", "instagram", "x", "telegram")]


@pytest.fixture
def store_db(synced: Engine, clock: FixedClock) -> Engine:
    clock.set(SLOT + timedelta(seconds=1))
    return synced


def published(post_id: int, clock: FixedClock, **values: object) -> Finish:
    return Finish(post_id, "a:1:1", clock.now(),
                  {"status": "published", "platform_id": f"p{post_id}", **values},
                  kind="published", details={"adapter": "telegram"})


def claimed_posts(engine: Engine, clock: FixedClock, count: int) -> list[int]:
    ids = []
    for region, platform in ACCOUNTS[:count]:
        post_id = add_post(engine, region, platform)
        got = take(engine, post_id, "a:1:1", clock.now(), account_of(engine, region, platform))
        assert isinstance(got, ClaimedPost)
        ids.append(post_id)
    return ids


def record_at_once(engine: Engine, busy_post: int, record: Callable[[T], None],
                   finishes: list[T]) -> None:
    """Each outcome recorded from its own thread while the database is busy, so they
    queue behind the first batch and are written together after it."""
    with busy_database(engine, busy_post, 0.5):
        threads = [threading.Thread(target=record, args=(f,)) for f in finishes]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)


def test_items_waiting_while_one_batch_commits_go_together_in_the_next() -> None:
    first_started, release = threading.Event(), threading.Event()
    batches: list[list[int]] = []

    def commit(items: Sequence[int]) -> list[int | BaseException]:
        batches.append(list(items))
        if len(batches) == 1:
            first_started.set()
            release.wait(10)
        return [ValueError(f"no {i}") if i == 4 else i * 10 for i in items]

    batcher: Batcher[int, int] = Batcher(commit, "test-batcher")
    results: dict[int, object] = {}

    def submit(item: int) -> None:
        try:
            results[item] = batcher.submit(item)
        except ValueError as exc:
            results[item] = str(exc)

    threads = [threading.Thread(target=submit, args=(1,))]
    threads[0].start()
    assert first_started.wait(10)
    threads += [threading.Thread(target=submit, args=(i,)) for i in (2, 3, 4)]
    for thread in threads[1:]:
        thread.start()
    while len(batcher._waiting) < 3:
        threading.Event().wait(0.01)
    release.set()
    for thread in threads:
        thread.join(10)
    batcher.close()
    assert batches == [[1], [2, 3, 4]]
    assert results == {1: 10, 2: 20, 3: 30, 4: "no 4"}  # the error reaches its caller alone
    with pytest.raises(BatcherClosed):
        batcher.submit(5)


@pytest.mark.parametrize("database_url", BOTH_DATABASES, indirect=True)
def test_outcomes_recorded_from_many_threads_are_each_stored_with_their_event(
        store_db: Engine, clock: FixedClock) -> None:
    ids = claimed_posts(store_db, clock, 12)
    recorder = OutcomeRecorder(store_db)
    record_at_once(store_db, ids[0], recorder.record, [published(i, clock) for i in ids])
    recorder.close()
    for post_id in ids:
        post = row(store_db, post_id)
        assert (post.status, post.platform_id, post.claimed_by) == (
            "published", f"p{post_id}", "a:1:1")
        assert [e.kind for e in events(store_db, post_id)][-1] == "published"


@pytest.mark.parametrize("database_url", BOTH_DATABASES, indirect=True)
def test_a_lost_claim_or_a_faulty_outcome_spoils_nothing_else_in_its_transaction(
        store_db: Engine, clock: FixedClock, caplog: pytest.LogCaptureFixture) -> None:
    ids = claimed_posts(store_db, clock, 6)
    lost, faulty = ids[1], ids[2]
    # Another worker took one post over (recovered it) before its outcome is written.
    with write_connection(store_db) as connection:
        connection.execute(text("UPDATE post SET claimed_by = 'b:1:1' WHERE id = :id"),
                           {"id": lost})
    recorder = OutcomeRecorder(store_db)
    errors: dict[int, BaseException] = {}

    def record(finish: Finish) -> None:
        try:
            recorder.record(finish)
        except Exception as exc:  # the faulty outcome's own caller hears of it
            errors[finish.post_id] = exc

    record_at_once(store_db, ids[0], record, [
        published(i, clock, no_such_column=1) if i == faulty else published(i, clock)
        for i in ids])
    recorder.close()
    assert set(errors) == {faulty}
    assert row(store_db, lost).status == "publishing"  # the other worker's, untouched
    assert "tidak lagi diklaim" in caplog.text
    assert row(store_db, faulty).status == "publishing"  # left for recovery, as before
    for post_id in set(ids) - {lost, faulty}:
        assert row(store_db, post_id).status == "published"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_closed_recorder_still_writes_an_outcome_alone(store_db: Engine,
                                                         clock: FixedClock) -> None:
    [post_id] = claimed_posts(store_db, clock, 1)
    recorder = OutcomeRecorder(store_db)
    recorder.close()
    recorder.record(published(post_id, clock))
    assert row(store_db, post_id).status == "published"


@pytest.mark.parametrize("database_url", BOTH_DATABASES, indirect=True)
def test_outcomes_written_together_are_each_guarded_by_their_own_claim(
        store_db: Engine, clock: FixedClock, caplog: pytest.LogCaptureFixture) -> None:
    ids = claimed_posts(store_db, clock, 8)
    lost = ids[3]
    with write_connection(store_db) as connection:
        connection.execute(text("UPDATE post SET claimed_by = 'b:1:1' WHERE id = :id"),
                           {"id": lost})
    failed = {ids[5]: "failed", ids[6]: "retrying"}  # other columns: a group of their own
    recorder = OutcomeRecorder(store_db)
    record_at_once(store_db, ids[0], recorder.record, [
        Finish(i, "a:1:1", clock.now(), {"status": failed[i], "last_error": "tolak",
                                         "due_at": clock.now() + timedelta(minutes=5)},
               kind=failed[i], note="tolak")
        if i in failed else published(i, clock) for i in ids])
    recorder.close()
    post = row(store_db, lost)
    assert (post.status, post.claimed_by, post.platform_id) == ("publishing", "b:1:1", None)
    assert [e.kind for e in events(store_db, lost)][-1] == "attempt"
    assert "tidak lagi diklaim" in caplog.text
    for post_id in set(ids) - {lost}:
        post = row(store_db, post_id)
        assert post.status == failed.get(post_id, "published")
        assert post.lease_until is None and post.updated_at == clock.now()
        last = events(store_db, post_id)[-1]
        assert (last.kind, last.at, last.to_status) == (post.status, clock.now(), post.status)
        assert last.note == (None if post.status == "published" else "tolak")
        assert last.details == ({"adapter": "telegram"} if post.status == "published"
                                else None)
    assert row(store_db, ids[6]).due_at == clock.now() + timedelta(minutes=5)
    assert row(store_db, ids[1]).platform_id == f"p{ids[1]}"


@pytest.mark.parametrize("database_url", BOTH_DATABASES, indirect=True)
def test_checkpoints_saved_together_are_each_committed_or_refused_alone(
        store_db: Engine, clock: FixedClock) -> None:
    ids = claimed_posts(store_db, clock, 6)
    lost = ids[2]
    with write_connection(store_db) as connection:
        connection.execute(text("UPDATE post SET claimed_by = 'b:1:1' WHERE id = :id"),
                           {"id": lost})
    saver = CheckpointSaver(store_db)
    refused: dict[int, BaseException] = {}

    def save(checkpoint: Checkpoint) -> None:
        try:
            saver.save(checkpoint)
        except ClaimLost as exc:  # its own caller stops before the next request
            refused[checkpoint.post_id] = exc

    record_at_once(store_db, ids[0], save, [
        Checkpoint(i, "a:1:1", clock.now(), {"container_id": f"c{i}"}, {"earlier": "x"})
        for i in ids])
    saver.close()
    assert set(refused) == {lost}
    assert row(store_db, lost).platform_ref == {}
    for post_id in set(ids) - {lost}:
        post = row(store_db, post_id)
        assert post.platform_ref == {"earlier": "x", "container_id": f"c{post_id}"}
        assert post.status == "publishing"
        last = events(store_db, post_id)[-1]
        assert (last.kind, last.details) == ("checkpoint", {"container_id": f"c{post_id}"})
        assert (last.from_status, last.to_status, last.actor) == (
            "publishing", "publishing", "a:1:1")
