"""One leader for the periodic jobs (scheduler/leader.py), on SQLite (a lease row renewed by
the heartbeat) and PostgreSQL (a session advisory lock): one worker at a time leads, and
the lead passes on when the leader stops, dies or lets its lease lapse."""

import os
import signal
import socket
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from scheduler.clock import FixedClock
from scheduler.leader import LEADER_LEASE, leadership_for
from tests.conftest import BOTH_DATABASES, worker_for

pytestmark = pytest.mark.parametrize("database_url", BOTH_DATABASES, indirect=True)
REPO = Path(__file__).resolve().parent.parent
WAIT_LIMIT = 20.0  # a bound for polling, not a timing assertion


def test_one_worker_leads_and_a_release_hands_over_at_once(engine: Engine, clock: FixedClock):
    first, second = leadership_for(engine, "a:1:1"), leadership_for(engine, "b:1:1")
    try:
        assert first.lead(clock.now())
        assert not second.lead(clock.now())
        assert first.lead(clock.now())  # kept
        first.release()
        assert second.lead(clock.now())
        assert not first.lead(clock.now())
    finally:
        first.release()
        second.release()


def test_the_heartbeat_keeps_the_lead_and_a_lapsed_lease_is_taken_over(engine, clock):
    if engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL's lock has no lease: it ends with its session (next test)")
    leader = leadership_for(engine, "elsewhere:4242:1")  # another machine: only its lease
    other = leadership_for(engine, "b:1:1")
    assert leader.lead(clock.now())
    for _ in range(5):  # beats well within the lease: never taken over
        clock.advance(LEADER_LEASE * 2 / 3)
        assert leader.lead(clock.now())
        assert not other.lead(clock.now())
    clock.advance(LEADER_LEASE + timedelta(seconds=1))  # the leader stopped beating
    assert other.lead(clock.now())
    assert not leader.lead(clock.now())  # back, it finds the lead taken


def test_a_killed_leader_is_replaced(engine: Engine, clock: FixedClock, database_url: str):
    script = (
        "import os, socket, sys, time\n"
        "from datetime import UTC, datetime\n"
        "from scheduler.db import make_engine\n"
        "from scheduler.leader import leadership_for\n"
        "engine = make_engine(sys.argv[1])\n"
        "name = f'{socket.gethostname()}:{os.getpid()}:1'\n"
        "leader = leadership_for(engine, name)  # kept: its connection holds the lock\n"
        "print(leader.lead(datetime.fromisoformat(sys.argv[2])), flush=True)\n"
        "time.sleep(120)\n")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    leader = subprocess.Popen([sys.executable, "-c", script, database_url,
                               clock.now().isoformat()], env=env, stdout=subprocess.PIPE,
                              text=True)
    other = leadership_for(engine, f"{socket.gethostname()}:{os.getpid()}:2")
    try:
        assert leader.stdout is not None
        assert leader.stdout.readline().strip() == "True"
        assert not other.lead(clock.now())
        leader.send_signal(signal.SIGKILL)
        leader.wait(timeout=30)
        deadline = time.monotonic() + WAIT_LIMIT
        while not other.lead(clock.now()):  # the lease has not lapsed: the death counts
            assert time.monotonic() < deadline, "the lead was not handed over"
            time.sleep(0.1)
    finally:
        if leader.poll() is None:
            leader.kill()
            leader.wait(timeout=30)
        if leader.stdout is not None:
            leader.stdout.close()
        other.release()


def test_only_the_leading_worker_runs_the_periodic_jobs(approved, catalog, settings, clock):
    first = worker_for(approved, catalog, settings, clock)
    second = worker_for(approved, catalog, settings, clock)
    second.name = "uji:2:2"
    second.leader = leadership_for(approved, second.name)
    try:
        first.maintain()
        assert first.leading
        assert second.maintain() == []
        assert not second.leading
        assert second.plan_if_leading() is None
        first.step_down()
        second.maintain()
        assert second.leading
    finally:
        first.step_down()
        second.step_down()
        first.dispatcher.shutdown()
        second.dispatcher.shutdown()
