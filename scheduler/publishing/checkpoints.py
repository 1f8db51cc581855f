"""Checkpoints: a platform reference (Instagram's or Threads' media container) committed,
durably and guarded by the claim, before the request that uses it leaves; a retry or a
lookup then resumes from it instead of creating a second container.

A worker publishing to many accounts at once saves them through a `CheckpointSaver`:
the checkpoints waiting while one transaction commits are committed together in the
next (scheduler.publishing.batcher), each still guarded by its own claim, and each
caller returns only once its own is on disk: a burst costs a handful of commits, not
one per post.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.engine import Engine

from scheduler.adapters.base import TransientPublishError
from scheduler.db import write_connection
from scheduler.models import PostStatus
from scheduler.publishing.batcher import GroupWriter
from scheduler.publishing.retrying import busy, reason, until_stored
from scheduler.publishing.statements import POSTS, statements_for


class ClaimLost(TransientPublishError):
    """This worker no longer holds the post (another worker took it over as uncertain):
    the adapter must stop before its next request."""

    error_code = "claim_lost"


@dataclass(frozen=True)
class Checkpoint:
    post_id: int
    worker: str
    now: datetime
    ref: Mapping[str, str]  # what this checkpoint adds
    base: Mapping[str, str] | None  # what the post holds already (None: read it)


def save_ref(engine: Engine, post_id: int, worker: str, ref: Mapping[str, str],
             now: datetime, *, base: Mapping[str, str] | None = None) -> None:
    """Commit a platform reference before the next request goes, added to the post's
    stored one (`base`: what the caller knows it holds, saving a read); raise ClaimLost
    if the claim is gone, or the database stayed busy past the bound of
    scheduler.publishing.retrying, so that nothing more is sent."""
    save_checkpoint(engine, Checkpoint(post_id, worker, now, ref, base))


def save_checkpoint(engine: Engine, checkpoint: Checkpoint) -> None:
    """`save_ref` of one Checkpoint, in its own transaction."""
    _saved_or_lost([checkpoint], engine)


class CheckpointSaver(GroupWriter[Checkpoint]):
    """`save()` from any thread; one thread commits the waiting checkpoints together."""

    def __init__(self, engine: Engine) -> None:
        super().__init__("siar-checkpoints")
        self.engine = engine

    def save(self, checkpoint: Checkpoint) -> None:
        """Returns once committed; ClaimLost as `save_ref`. Once closed, saves alone."""
        self.write(checkpoint)

    def write_together(self, batch: Sequence[Checkpoint]) -> None:
        _saved_or_lost(batch, self.engine)  # a lost claim: each alone, raised to its own

    def write_alone(self, checkpoint: Checkpoint) -> None:
        save_checkpoint(self.engine, checkpoint)


def _saved_or_lost(batch: Sequence[Checkpoint], engine: Engine) -> None:
    what = (f"rujukan unggahan #{batch[0].post_id}" if len(batch) == 1
            else f"{len(batch)} rujukan unggahan")
    try:
        written = until_stored(what, lambda: _write(engine, batch))
    except Exception as exc:
        if not busy(exc):
            raise
        raise ClaimLost(f"{what} tidak tersimpan ({reason(exc)}); pengiriman dihentikan"
                        ) from None
    lost = [c.post_id for c in batch if c.post_id not in written]
    if lost:  # nothing of the batch was committed (see _write)
        raise ClaimLost(f"unggahan #{lost[0]} tidak lagi diklaim oleh pekerja ini; "
                        "pengiriman dihentikan")


class _Lost(Exception):
    """A claim of the batch is gone: roll the batch back."""


def _write(engine: Engine, batch: Sequence[Checkpoint]) -> set[int]:
    """Every checkpoint of the batch, or none (the ids written: all, or none)."""
    try:
        with write_connection(engine) as connection:
            rows = []
            for checkpoint in batch:
                current = checkpoint.base if checkpoint.base is not None else \
                    connection.execute(select(POSTS.c.platform_ref).where(
                        POSTS.c.id == checkpoint.post_id,
                        POSTS.c.claimed_by == checkpoint.worker)).scalar()
                rows.append((checkpoint.post_id, checkpoint.worker, {
                    "platform_ref": {**(current or {}), **checkpoint.ref},
                    "updated_at": checkpoint.now}))
            ops = statements_for(connection)
            written = ops.update_claimed_many(connection, rows)
            if len(written) < len(batch):
                raise _Lost
            ops.add_events(connection, [{
                "post_id": c.post_id, "kind": "checkpoint", "actor": c.worker, "now": c.now,
                "from_status": PostStatus.PUBLISHING.value,
                "to_status": PostStatus.PUBLISHING.value, "details": dict(c.ref)}
                for c in batch])
            return written
    except _Lost:
        return set()
