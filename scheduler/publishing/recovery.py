"""Recovering what dead workers left: posts in `publishing` whose worker died become
`uncertain` (the request may have left), and lookups they held are let go."""

import logging
from collections.abc import Collection
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.engine import Connection, Engine
from sqlmodel import col
from sqlmodel import select as model_select

from scheduler.db import session_scope, write_connection
from scheduler.models import Post, PostStatus
from scheduler.processes import dead_local_process
from scheduler.publishing.statements import POSTS, statements_for
from scheduler.publishing.store import store_for

log = logging.getLogger(__name__)

ABANDONED = "pekerja berhenti di tengah pengiriman; status tidak diketahui"


def recover_abandoned(engine: Engine, now: datetime, lease: float, worker: str,
                      live: Collection[int] = ()) -> list[int]:
    """Posts left in `publishing` by a worker that died (on this machine: its process is
    gone; anywhere: its lease ran out, as its owner renews it while alive) become
    `uncertain`: the request may have left. This worker's own posts count only once their
    lease ran out and they are not in `live` (its requests in flight). Each change is
    guarded on status, owner and the lapsed lease, so a renewal or an outcome recorded
    in the meantime wins."""
    with session_scope(engine) as session:
        rows = session.exec(model_select(
            Post.id, Post.claimed_by, Post.claimed_at, Post.lease_until).where(
            col(Post.status) == PostStatus.PUBLISHING.value)).all()
    abandoned: list[tuple[int, str | None, bool]] = []
    for post_id, owner, claimed_at, lease_until in rows:
        until = lease_until or (claimed_at + timedelta(seconds=lease) if claimed_at else None)
        lapsed = until is None or until < now
        if owner == worker:
            if lapsed and post_id not in live:
                abandoned.append((post_id or 0, owner, True))
        elif lapsed or dead_local_process(owner or ""):
            abandoned.append((post_id or 0, owner, lapsed))
    recovered = []
    with write_connection(engine) as connection:
        store, ops = store_for(connection), statements_for(connection)
        _release_lookups_of_the_dead(connection, now)
        for post_id, owner, lapsed in abandoned:
            if not store.transition(connection, post_id, status=PostStatus.PUBLISHING.value,
                                    owner=owner, lapsed_at=now if lapsed else None, values={
                                        "status": PostStatus.UNCERTAIN.value,
                                        "last_error": ABANDONED, "lease_until": None,
                                        # for an uncertain post: when to look it up
                                        "due_at": now, "updated_at": now}):
                log.info("unggahan #%s tidak dipulihkan: pemiliknya sudah mencatat atau "
                         "memperpanjang klaimnya", post_id)
                continue
            ops.add_event(connection, post_id, kind="uncertain", actor=worker, now=now,
                          from_status=PostStatus.PUBLISHING.value,
                          to_status=PostStatus.UNCERTAIN.value, note=ABANDONED,
                          details={"claimed_by": owner})
            recovered.append(post_id)
    return recovered


def _release_lookups_of_the_dead(connection: Connection, now: datetime) -> None:
    """An uncertain post held for a lookup by a worker of this machine that died would
    keep its account busy until the hold ran out: let it go now (guarded on the owner)."""
    held = connection.execute(select(POSTS.c.id, POSTS.c.claimed_by).where(
        POSTS.c.status == PostStatus.UNCERTAIN.value, POSTS.c.lease_until > now)).all()
    store = store_for(connection)
    for post_id, owner in held:
        if dead_local_process(owner or ""):
            store.transition(connection, post_id, status=PostStatus.UNCERTAIN.value,
                             owner=owner, values={"lease_until": None})
