"""Keeping claims alive: while a post's request is in flight, its worker renews the
claim's lease from a thread of its own, every third of a lease, in one short statement
for all of its posts. A worker that dies stops renewing, and once the lease has run out
another worker recovers the post as uncertain; a live worker's slow request is never
taken over, however long it outlives the first lease."""

import logging
import threading
from datetime import timedelta

from sqlalchemy.engine import Engine

from scheduler.clock import Clock
from scheduler.db import write_connection
from scheduler.publishing.retrying import busy, reason
from scheduler.publishing.store import store_for

log = logging.getLogger(__name__)
SHORTEST_INTERVAL = 0.2  # seconds between renewals, at least


class LeaseKeeper:
    def __init__(self, engine: Engine, worker: str, clock: Clock, lease: float) -> None:
        self.engine = engine
        self.worker = worker
        self.clock = clock
        self.lease = lease
        self.interval = max(lease / 3, SHORTEST_INTERVAL)
        self._held: set[int] = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def hold(self, post_id: int) -> None:
        """A claimed post whose attempt is starting: keep its lease alive until released."""
        with self._lock:
            self._held.add(post_id)
            if self._thread is None and not self._stop.is_set():
                self._thread = threading.Thread(target=self._run, name="siar-lease",
                                                daemon=True)
                self._thread.start()

    def release(self, post_id: int) -> None:
        with self._lock:
            self._held.discard(post_id)

    def held(self) -> set[int]:
        with self._lock:
            return set(self._held)

    def renew(self) -> set[int]:
        """Extend every held post's lease now; the ids renewed. A post held here that was
        not renewed has been taken from this worker (its outcome will not be recorded)."""
        ids = sorted(self.held())
        if not ids:
            return set()
        until = self.clock.now() + timedelta(seconds=self.lease)
        with write_connection(self.engine, durable=False) as connection:
            renewed = store_for(connection).renew(connection, self.worker, ids, until)
        lost = (set(ids) - renewed) & self.held()  # released meanwhile: finished, not lost
        for post_id in sorted(lost):
            log.warning("klaim unggahan #%s tidak lagi dipegang pekerja ini", post_id)
        return renewed

    def close(self) -> None:
        self._stop.set()
        with self._lock:
            thread = self._thread
        if thread is not None:
            thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.renew()
            except Exception as exc:  # tried again at the next interval, well in the lease
                if not busy(exc):
                    log.exception("perpanjangan klaim gagal")
                else:
                    log.warning("perpanjangan klaim tertunda: basis data sibuk (%s)",
                                reason(exc))
