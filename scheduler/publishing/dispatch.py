"""The dispatcher: publish due posts with bounded concurrency across accounts and one
request at a time per account. The worker ticks it every second; `run --once` drains it."""

import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor, wait

from sqlalchemy.engine import Engine

from scheduler.clock import Clock
from scheduler.config import Settings
from scheduler.db import session_scope
from scheduler.publishing.attempt import Outcome, run_attempt
from scheduler.publishing.claims import claim, due_posts
from scheduler.publishing.factory import AdapterFactory

log = logging.getLogger(__name__)


class Dispatcher:
    def __init__(self, engine: Engine, factory: AdapterFactory, settings: Settings,
                 clock: Clock, worker: str) -> None:
        self.engine = engine
        self.factory = factory
        self.settings = settings
        self.clock = clock
        self.worker = worker
        self.capacity = settings.worker_concurrency
        self.pool = ThreadPoolExecutor(max_workers=self.capacity, thread_name_prefix="siar-pub")
        self.outcomes: list[Outcome] = []
        self._busy: set[int] = set()  # accounts with a post in flight
        self._futures: set[Future[None]] = set()
        self._lock = threading.Lock()
        self._stopping = threading.Event()

    def tick(self) -> int:
        """Start every due post there is room for; return how many were started."""
        if self._stopping.is_set():
            return 0
        with self._lock:
            room = self.capacity - len(self._busy)
            busy = set(self._busy)
        if room <= 0:
            return 0
        with session_scope(self.engine, write=False) as session:
            due = due_posts(session, self.clock.now(), room, skip_accounts=busy)
        started = 0
        with self._lock:
            for post_id, account_id in due:
                if account_id in self._busy or self._stopping.is_set():
                    continue
                try:
                    future = self.pool.submit(self._publish, post_id, account_id)
                except RuntimeError:  # the pool shut down between our check and now
                    break
                self._busy.add(account_id)
                self._futures.add(future)
                future.add_done_callback(self._futures.discard)
                started += 1
        return started

    def _publish(self, post_id: int, account_id: int) -> None:
        try:
            if self._stopping.is_set():
                return  # not claimed yet: nothing to release
            claimed = claim(self.engine, post_id, self.worker, self.clock.now())
            if claimed is not None:
                outcome = run_attempt(self.engine, claimed, self.factory, self.settings,
                                      self.clock, self.worker)
                with self._lock:
                    self.outcomes.append(outcome)
        except Exception:  # keep the worker alive; the post stays claimed and is recovered
            log.exception("pengiriman unggahan #%s gagal tak terduga", post_id)
        finally:
            with self._lock:
                self._busy.discard(account_id)
        self.tick()  # the account is free again: take the next due post without waiting

    def drain(self) -> list[Outcome]:
        """Publish everything due now, then return (for `siar run --once`)."""
        while True:
            self.tick()
            with self._lock:
                pending = set(self._futures)
            if not pending:
                break
            wait(pending)
        with self._lock:
            return list(self.outcomes)

    def shutdown(self) -> None:
        """Stop taking posts; let posts in flight finish (their outcome is recorded)."""
        self._stopping.set()
        self.pool.shutdown(wait=True, cancel_futures=True)
        self.factory.close()
