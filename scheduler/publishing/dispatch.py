"""The dispatcher: publish due posts with bounded concurrency across accounts and one
request at a time per account. The worker ticks it every second; `run --once` drains it.

Due posts are read from the database in bulk into a local queue; a finished post hands
its account's slot to the next queued post without another query. Posts due at the same
instant are queued with their accounts in an order of this worker's own (each account's
posts still in order): several workers reading the same due posts then mostly ask for
different ones, instead of all racing for the same post and passing over what another
took.
"""

import logging
import random
import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from scheduler.clock import Clock
from scheduler.config import Settings
from scheduler.db import session_scope
from scheduler.models import Account
from scheduler.publishing.attempt import Outcome, run_attempt
from scheduler.publishing.checkpoints import CheckpointSaver
from scheduler.publishing.claims import Claimed, due_posts
from scheduler.publishing.factory import AdapterFactory
from scheduler.publishing.gate import Gate, Hold
from scheduler.publishing.groupclaim import GroupClaimer
from scheduler.publishing.leases import LeaseKeeper
from scheduler.publishing.queue import DueQueue
from scheduler.publishing.recording import OutcomeRecorder
from scheduler.publishing.retrying import busy, reason

log = logging.getLogger(__name__)
BATCH = 1000  # due posts read per query
# A tick reads the due posts again only when fewer accounts than this many times the
# worker's threads have a post queued that could start: a burst's queue already holds
# work for every thread until the next tick, and reading the same rows again each second
# cost a worker more than claiming them.
REFILL_BELOW = 2
ACCOUNTS_TTL = 30.0  # seconds an in-memory copy of the accounts is used


class Dispatcher:
    def __init__(self, engine: Engine, factory: AdapterFactory, settings: Settings,
                 clock: Clock, worker: str, gate: Gate | None = None) -> None:
        self.engine = engine
        self.gate = gate
        self.factory = factory
        self.settings = settings
        self.clock = clock
        self.worker = worker
        self.capacity = settings.worker_concurrency
        self.pool = ThreadPoolExecutor(max_workers=self.capacity, thread_name_prefix="siar-pub")
        self.outcomes: list[Outcome] = []
        self._queue = DueQueue()  # due posts, per account; who has a post in flight
        # Posts a claim passed over (taken elsewhere, or their account busy): a drain does
        # not wait for them; the running worker's next tick tries them again.
        self._passed: set[int] = set()
        self._accounts: dict[int, Account] = {}
        self._routes: dict[int, str | None] = {}  # account id -> adapter name (None: held)
        self._accounts_read = float("-inf")
        self._futures: set[Future[None]] = set()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._order = random.Random()
        self._account_rank: dict[int, float] = {}
        self.claimer = GroupClaimer(engine, worker, clock, gate, settings.claim_lease)
        self.recorder = OutcomeRecorder(engine)
        self.checkpoints = CheckpointSaver(engine)
        self.leases = LeaseKeeper(engine, worker, clock, settings.claim_lease)

    def tick(self) -> int:
        """Read what is due now (unless the queue holds plenty to start already), then
        start every post there is room for."""
        if self._stopping.is_set():
            return 0
        with self._lock:
            plenty = self._queue.ready >= REFILL_BELOW * self.capacity
        if not plenty:
            self._refill()
        return self._start_more()

    def _refill(self, *, skip_passed: bool = False) -> int:
        """Queue the due posts not queued yet (nor passed over, with `skip_passed`);
        return how many were added."""
        with session_scope(self.engine, write=False) as session:
            if time.monotonic() - self._accounts_read > ACCOUNTS_TTL:
                self._read_accounts(session)
            held = [a for a, via in self._routes.items() if via is None]
            due = due_posts(session, self.clock.now(), BATCH, skip_accounts=held)
            if any(a not in self._accounts for _, a, _ in due):
                self._read_accounts(session)
        added = 0
        with self._lock:
            for post_id, account_id in self._spread(due):
                if post_id not in self._queue and not (skip_passed and
                                                       post_id in self._passed):
                    self._queue.add(post_id, account_id)
                    added += 1
        return added

    def _spread(self, due: list[tuple[int, int, datetime]]) -> list[tuple[int, int]]:
        """`due` (most overdue first) with the accounts of each due instant in this
        worker's own order, each account's posts in theirs."""
        for _, account_id, _ in due:
            if account_id not in self._account_rank:
                self._account_rank[account_id] = self._order.random()
        ranked = sorted(enumerate(due), key=lambda item: (
            item[1][2], self._account_rank[item[1][1]], item[0]))
        return [(post_id, account_id) for _, (post_id, account_id, _) in ranked]

    def _read_accounts(self, session: Session) -> None:
        # Credentials and handles rarely change; whether an account is paused is checked
        # again by every claim, so a cached copy is safe to use.
        self._accounts = {a.id or 0: a for a in session.exec(select(Account))}
        self._routes = {i: self.factory.route(a).name for i, a in self._accounts.items()}
        self._accounts_read = time.monotonic()

    def _start_more(self) -> int:
        started = 0
        with self._lock:
            while self._queue.busy < self.capacity and not self._stopping.is_set():
                item = self._queue.take()  # the account's next post waits its turn
                if item is None:
                    break
                try:
                    future = self.pool.submit(self._publish, item.post_id, item.account_id)
                except RuntimeError:  # the pool shut down between our check and now
                    self._queue.put_back(item)
                    break
                self._futures.add(future)
                future.add_done_callback(self._futures.discard)
                started += 1
        return started

    def _publish(self, post_id: int, account_id: int) -> None:
        try:
            account = self._accounts.get(account_id)
            via = self._routes.get(account_id)
            if account is not None and via is not None and not self._stopping.is_set():
                post = self.claimer.claim(post_id, account, via)
                if post is None:
                    with self._lock:
                        self._passed.add(post_id)
                elif isinstance(post, Hold):
                    with self._lock:
                        self.outcomes.append(Outcome(post_id, post.status, via, post.reason))
                elif post is not None:
                    self.leases.hold(post_id)
                    try:
                        outcome = run_attempt(self.engine, Claimed(post, account),
                                              self.factory, self.settings, self.clock,
                                              self.worker, self.recorder.record,
                                              self.checkpoints.save)
                    finally:
                        self.leases.release(post_id)
                    with self._lock:
                        self.outcomes.append(outcome)
        except Exception as exc:  # keep the worker alive; a claimed post is recovered later
            if busy(exc):  # the claim rolled back: the post is still due, taken next tick
                log.warning("unggahan #%s belum diklaim: basis data sibuk (%s)", post_id,
                            reason(exc))
            else:
                log.exception("pengiriman unggahan #%s gagal tak terduga", post_id)
        finally:
            with self._lock:
                self._queue.done(account_id)
        self._start_more()  # the account is free again: its next post, or another's

    def drain(self, progress: Callable[[int, int], None] | None = None) -> list[Outcome]:
        """Publish everything due now, then return (for `siar run --once`); `progress` hears
        (posts done, posts known so far) as they finish."""
        self.tick()
        while True:
            with self._lock:
                pending = set(self._futures)
                done, known = len(self.outcomes), len(self.outcomes) + len(pending) + len(
                    self._queue)
            if progress is not None:
                progress(done, known)
            if pending:
                wait(pending, return_when=FIRST_COMPLETED)
                continue
            # Nothing in flight and the queue is empty: look in the database once more.
            if not self._refill(skip_passed=True) and not self._queue:
                break
            self._start_more()
        with self._lock:
            return list(self.outcomes)

    def shutdown(self) -> None:
        """Stop taking posts; let posts in flight finish (their outcome is recorded)."""
        self._stopping.set()
        self.pool.shutdown(wait=True, cancel_futures=True)
        self.claimer.close()
        self.recorder.close()
        self.checkpoints.close()
        self.leases.close()
        self.factory.close()
