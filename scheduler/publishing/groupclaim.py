"""Group commit for claims: many threads' claims committed in one durable transaction.

A claim must be on disk before its request leaves (after a power loss, a lost claim
would let the post be sent a second time), so SQLite commits it with
synchronous=FULL: one fsync, a few milliseconds. Taken one by one, claims would queue
on that fsync; here every claim waiting while one transaction commits joins the next
transaction, so a burst of due posts costs a handful of fsyncs, not one per post. On
PostgreSQL the store also acquires the whole batch in a handful of statements
(scheduler.publishing.batch), not five round trips a post.
"""

from collections.abc import Sequence

from sqlalchemy.engine import Engine

from scheduler.clock import Clock
from scheduler.db import write_connection
from scheduler.models import Account
from scheduler.publishing.batcher import Batcher, BatcherClosed
from scheduler.publishing.claims import DEFAULT_LEASE, ClaimAsk, ClaimedPost, claim_many
from scheduler.publishing.gate import Gate, Hold

ClaimResult = ClaimedPost | Hold | None


class GroupClaimer:
    """`claim()` from any thread; one committer thread runs the waiting claims together."""

    def __init__(self, engine: Engine, worker: str, clock: Clock, gate: Gate | None,
                 lease: float = DEFAULT_LEASE) -> None:
        self.engine = engine
        self.lease = lease
        self.worker = worker
        self.clock = clock
        self.gate = gate
        self._batcher: Batcher[ClaimAsk, ClaimResult] = Batcher(self._commit, "siar-claims")

    def claim(self, post_id: int, account: Account, via: str) -> ClaimResult:
        """Claim one post (see scheduler.publishing.claims.claim); blocks until the
        transaction holding it has committed. None once the claimer is closed."""
        try:
            return self._batcher.submit(ClaimAsk(post_id, account, via))
        except BatcherClosed:
            return None

    def close(self) -> None:
        """Finish the claims already asked for, then stop."""
        self._batcher.close()

    def _commit(self, asks: Sequence[ClaimAsk]) -> list[ClaimResult]:
        with write_connection(self.engine) as connection:
            return claim_many(connection, asks, self.worker, self.clock.now(), gate=self.gate,
                              lease=self.lease)
