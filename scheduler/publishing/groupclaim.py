"""Group commit for claims: many threads' claims committed in one durable transaction.

A claim must be on disk before its request leaves (after a power loss, a lost claim
would let the post be sent a second time), so SQLite commits it with
synchronous=FULL: one fsync, a few milliseconds. Taken one by one, claims would queue
on that fsync; here every claim waiting while one transaction commits joins the next
transaction, so a burst of due posts costs a handful of fsyncs, not one per post. On
PostgreSQL the store also acquires the whole batch in a handful of statements
(scheduler.publishing.batch), not five round trips a post.
"""

import threading
from concurrent.futures import Future
from dataclasses import dataclass, field

from sqlalchemy.engine import Engine

from scheduler.clock import Clock
from scheduler.db import write_connection
from scheduler.models import Account
from scheduler.publishing.claims import DEFAULT_LEASE, ClaimAsk, ClaimedPost, claim_many
from scheduler.publishing.gate import Gate, Hold

ClaimResult = ClaimedPost | Hold | None


@dataclass
class _Request:
    post_id: int
    account: Account
    via: str
    result: Future[ClaimResult] = field(default_factory=Future)


class GroupClaimer:
    """`claim()` from any thread; one committer thread runs the waiting claims together."""

    def __init__(self, engine: Engine, worker: str, clock: Clock, gate: Gate | None,
                 lease: float = DEFAULT_LEASE) -> None:
        self.engine = engine
        self.lease = lease
        self.worker = worker
        self.clock = clock
        self.gate = gate
        self._waiting: list[_Request] = []
        self._ready = threading.Condition()
        self._closed = False
        self._thread: threading.Thread | None = None

    def claim(self, post_id: int, account: Account, via: str) -> ClaimResult:
        """Claim one post (see scheduler.publishing.claims.claim); blocks until the
        transaction holding it has committed. None once the claimer is closed."""
        request = _Request(post_id, account, via)
        with self._ready:
            if self._closed:
                return None
            self._waiting.append(request)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="siar-claims",
                                                daemon=True)
                self._thread.start()
            self._ready.notify()
        return request.result.result()

    def close(self) -> None:
        """Finish the claims already asked for, then stop."""
        with self._ready:
            self._closed = True
            self._ready.notify()
            thread = self._thread
        if thread is not None:
            thread.join()

    def _run(self) -> None:
        while True:
            with self._ready:
                while not self._waiting and not self._closed:
                    self._ready.wait()
                if not self._waiting:
                    return
                batch, self._waiting = self._waiting, []
            self._commit(batch)

    def _commit(self, batch: list[_Request]) -> None:
        try:
            now = self.clock.now()
            with write_connection(self.engine) as connection:
                results = claim_many(
                    connection, [ClaimAsk(r.post_id, r.account, r.via) for r in batch],
                    self.worker, now, gate=self.gate, lease=self.lease)
        except BaseException as exc:  # nothing was claimed: the transaction rolled back
            for request in batch:
                request.result.set_exception(exc)
            return
        for request, result in zip(batch, results, strict=True):
            request.result.set_result(result)
