"""One SQLite file, a `siar run` worker publishing to fakes over real HTTP, and at the same
time another writer holding the write lock longer than SQLite's busy timeout (as a long
national re-plan does today), then a re-plan of the whole mini calendar and approvals of
the batches it made. The worker waits the database out: nothing is delivered twice, nothing is
left `publishing`, and no "database is locked" (nor a traceback) reaches its log."""

import random
import signal
import threading
import time
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlmodel import Session, col, func, select

from scheduler.catalog import load_catalog
from scheduler.checks.post_checks import CheckSettings
from scheduler.db import SQLITE_BUSY_TIMEOUT_MS, session_scope, sqlite_file
from scheduler.errors import SiarError
from scheduler.models import Post
from scheduler.planning import PlanRequest, plan_posts
from scheduler.review import approve
from scheduler.users import PLANNER
from tests.conftest import actor
from tests.killloop import (
    MARK,
    Harness,
    LoopConfig,
    count_deliveries,
    prepare,
    request_count,
    running_fakes,
    wait_for,
)

WAIT_LIMIT = 240.0  # a bound for polling, not a timing assertion
REVIEWER = actor("rudi", "reviewer", "prov")


def our_posts(engine) -> Counter[str]:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        return Counter(dict(session.exec(select(Post.status, func.count()).where(
            col(Post.created_by) == "kill-loop").group_by(col(Post.status))).all()))


def hold_write_lock(database: Path, seconds: float) -> None:
    import sqlite3

    lock = sqlite3.connect(str(database), isolation_level=None)
    try:
        lock.execute("BEGIN IMMEDIATE")
        time.sleep(seconds)
        lock.execute("ROLLBACK")
    finally:
        lock.close()


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_a_worker_waits_out_a_replan_approvals_and_a_long_write_lock(tmp_path: Path) -> None:
    config = LoopConfig(regencies=9, posts_per_account=2, spread=60.0, latency=(0.2, 0.2),
                        lookup_latency=(0.05, 0.05), seed=1)
    with running_fakes(config, random.Random(config.seed)) as fakes:
        engine, env, total = prepare(tmp_path, config, fakes)
        mini = tmp_path / "mini"
        catalog = load_catalog(mini / "content", mini / "templates")
        harness = Harness(tmp_path, config, fakes, engine, env)
        worker = harness.start_worker()
        problems: list[str] = []

        def others() -> None:
            """A writer holding the lock past the busy timeout while posts are in flight;
            then a re-plan and approvals while the worker goes on publishing."""
            try:
                database = sqlite_file(env["SIAR_DATABASE_URL"])
                assert database is not None
                hold_write_lock(database, SQLITE_BUSY_TIMEOUT_MS / 1000 + 3)
                for _ in range(2):  # the second run re-plans what is planned already
                    plan_posts(engine, catalog, mini / "templates",
                               PlanRequest(date_from=date(2023, 12, 1),
                                           date_to=date(2024, 3, 31)),
                               datetime.now(UTC), actor=PLANNER)
                    with Session(engine) as session:
                        batches = sorted(set(session.exec(select(Post.batch).where(
                            col(Post.status) == "pending", col(Post.batch).is_not(None)))))
                    for batch in batches[:20]:
                        try:
                            with session_scope(engine, write=True) as session:
                                approve(session, actor=REVIEWER, target=str(batch),
                                        catalog=catalog, checks=CheckSettings(),
                                        now=datetime.now(UTC))
                        except SiarError:  # a batch with problems: a reviewer's matter
                            continue
            except Exception as exc:  # reported below; the thread must not die silently
                problems.append(f"{type(exc).__name__}: {exc}")

        try:
            assert wait_for(lambda: request_count(fakes) > 0, 60), "the worker sent nothing"
            thread = threading.Thread(target=others)
            thread.start()
            thread.join(timeout=WAIT_LIMIT)
            assert wait_for(lambda: not any(our_posts(engine)[s] for s in
                                            ("approved", "retrying", "publishing")),
                            WAIT_LIMIT), f"posts left unfinished: {our_posts(engine)}"
        finally:
            worker.send_signal(signal.SIGTERM)
            worker.wait(timeout=60)
    log = harness.log_of(1)
    assert not problems, problems
    assert "database is locked" not in log
    assert "Traceback" not in log
    assert "basis data sibuk" in log  # the long lock was met, and waited out
    ended = our_posts(engine)
    assert sum(ended.values()) == total
    assert set(ended) <= {"published", "uncertain"}, ended
    delivered, strays = count_deliveries(fakes)
    assert not strays
    twice = [n for counts in delivered.values() for n, times in counts.items() if times > 1]
    assert not twice
    with Session(engine) as session:
        published = [int(MARK.search(p.text).group(1))  # type: ignore[union-attr]
                     for p in session.exec(select(Post).where(
                         col(Post.created_by) == "kill-loop", col(Post.status) == "published"))]
    assert all(sum(c[n] for c in delivered.values()) == 1 for n in published)
