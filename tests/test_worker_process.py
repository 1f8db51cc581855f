"""The worker as a real process: killed mid-dispatch with SIGKILL, stopped with SIGTERM,
and noticing approvals made by another process."""

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from scheduler.checks.post_checks import CheckSettings
from scheduler.clock import FixedClock
from scheduler.config import Settings
from scheduler.content.model import Catalog
from scheduler.db import session_scope
from scheduler.models import Post, WorkerBeat
from scheduler.planning import PlanRequest, plan_posts
from scheduler.publishing.factory import AdapterFactory
from scheduler.review import approve
from scheduler.users import PLANNER
from scheduler.worker import Worker
from tests.conftest import FIRST_SLOT, actor
from tests.fakes.telegram import FakeTelegram

REGIONS = ("prov", "kab-a", "kota-b")
TOKENS = {r: f"{100 + i}:TOKEN-{r}" for i, r in enumerate(REGIONS)}
WAIT_LIMIT = 60.0  # generous bound for polling a condition; not a timing assertion


def wait_until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT_LIMIT
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


@pytest.fixture
def slow_telegram() -> Iterator[FakeTelegram]:
    chats = {f"@kpu{r.replace('-', '')}": {"type": "channel", "username": f"kpu{r}"}
             for r in REGIONS}
    with FakeTelegram(tokens=set(TOKENS.values()), chats=chats, latency=1.5) as fake:
        yield fake


def worker_env(settings: Settings, fake: FakeTelegram) -> dict[str, str]:
    env = {**os.environ, "SIAR_DATABASE_URL": settings.database_url,
           "SIAR_CONTENT_DIR": str(settings.content_dir),
           "SIAR_TEMPLATES_DIR": str(settings.templates_dir),
           "SIAR_OUTBOX_DIR": str(settings.outbox_dir), "SIAR_MEDIA_DIR": str(settings.media_dir),
           "SIAR_TELEGRAM_API_URL": fake.url, "SIAR_HTTP_TIMEOUT": "20",
           "SIAR_NOW": (FIRST_SLOT + timedelta(seconds=1)).isoformat(),
           "SIAR_PLAN_DAYS_AHEAD": "1", "SIAR_ALLOW_NOW": "1", "SIAR_OUTBOX_FALLBACK": "1"}
    for region, token in TOKENS.items():  # the variables the mini content's accounts name
        key = region.upper().replace("-", "_")
        env[f"SIAR_{key}_TELEGRAM_BOT_TOKEN"] = token
        env[f"SIAR_{key}_TELEGRAM_CHAT_ID"] = f"@kpu{region.replace('-', '')}"
    return env


def start_worker(env: dict[str, str], tmp_path: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "scheduler", "--env-file", str(tmp_path / "none.env"), "run",
         *args],
        env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


class JumpingClock:
    """Real time shifted to a chosen start, which a test can move forward at once."""

    def __init__(self, start: datetime) -> None:
        self._offset = start - datetime.now(UTC)

    def now(self) -> datetime:
        return datetime.now(UTC) + self._offset

    def jump(self, delta: timedelta) -> None:
        self._offset += delta


def platform_of(engine: Engine) -> dict[int, str]:
    with Session(engine) as session:
        return {p.id or 0: p.platform for p in session.exec(select(Post))}


def statuses(engine: Engine) -> dict[int, str]:
    with Session(engine) as session:
        return {p.id or 0: p.status for p in session.exec(select(Post))}


def test_sigkill_mid_dispatch_loses_nothing_and_sends_nothing_twice(
        approved, settings, slow_telegram, tmp_path) -> None:
    env = worker_env(settings, slow_telegram)
    due = set(statuses(approved))  # approved and due; the worker will also plan the next day
    worker = start_worker(env, tmp_path)
    try:
        wait_until(lambda: len(slow_telegram.requests) >= 2, "requests in flight")
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
    finally:
        worker.kill()
        worker.communicate()
    in_flight = [pid for pid, s in statuses(approved).items() if s == "publishing"]
    assert in_flight, "the kill should have caught at least one post mid-request"

    restarted = start_worker(env, tmp_path, "--once")
    _, err = restarted.communicate(timeout=120)
    assert restarted.returncode == 0, err
    after = statuses(approved)
    assert {after[i] for i in due} <= {"published", "uncertain"}, after  # none lost
    platforms = platform_of(approved)
    for post_id in in_flight:
        if platforms[post_id] == "telegram":  # no way to look it up: an operator decides
            assert after[post_id] == "uncertain"
    wait_until(lambda: len(slow_telegram.published) == len(slow_telegram.requests),
               "the fake to finish the requests it received")
    sent = [m["raw"] for m in slow_telegram.published]
    assert len(sent) == len(set(sent)) <= 3  # each Telegram post reached the platform once
    outbox = [p.name for p in settings.outbox_dir.rglob("*.json")]
    assert len(outbox) == len(set(outbox))  # and each other post was written once
    assert {f"{i}.json" for i in due if platforms[i] != "telegram"} <= set(outbox) | {
        f"{i}.json" for i in due if after[i] == "uncertain"}


def test_sigterm_lets_posts_in_flight_finish(approved, settings, slow_telegram,
                                             tmp_path) -> None:
    worker = start_worker(worker_env(settings, slow_telegram), tmp_path)
    try:
        wait_until(lambda: len(slow_telegram.requests) >= 1, "a request in flight")
        worker.send_signal(signal.SIGTERM)
        _, err = worker.communicate(timeout=60)
    finally:
        worker.kill()
    assert worker.returncode == 0, err
    after = statuses(approved)
    assert "publishing" not in after.values()
    assert "berhenti" in err
    with Session(approved) as session:  # it told operators it was alive, under its name
        beats = session.exec(select(WorkerBeat)).all()
    assert [b.name.split(":")[1] for b in beats] == [str(worker.pid)]


def test_the_worker_notices_posts_approved_by_another_process(
        approved, catalog: Catalog, settings: Settings, clock: FixedClock) -> None:
    worker_clock = JumpingClock(FIRST_SLOT + timedelta(seconds=1))
    worker = Worker(approved, catalog, settings, worker_clock,
                    AdapterFactory(settings, worker_clock), name="uji:2:2")
    scheduler = worker.build_scheduler()
    thread = threading.Thread(target=scheduler.start, daemon=True)
    thread.start()
    try:
        wait_until(lambda: all(s == "published" for s in statuses(approved).values()),
                   "the first day's posts")
        plan_posts(approved, catalog, settings.templates_dir,
                   PlanRequest(date_from=date(2024, 1, 2), date_to=date(2024, 1, 2)), clock.now(),
                   actor=PLANNER)
        with session_scope(approved, write=True) as session:  # "another process": its own session
            approve(session, actor=actor("rudi", "reviewer", "prov"),
                    target="daftar-harian@2024-01-02T09:00",
                    catalog=catalog, checks=CheckSettings(), now=clock.now())
        worker_clock.jump(timedelta(days=1))  # the next morning, at the batch's minute
        wait_until(lambda: list(statuses(approved).values()).count("published") == 30,
                   "the newly approved batch to be published")
    finally:
        scheduler.shutdown(wait=False)
        thread.join(timeout=30)
        worker.dispatcher.shutdown()
    with Session(approved) as session:
        assert not session.exec(select(Post).where(col(Post.status) == "publishing")).first()
