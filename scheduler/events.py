"""Status changes and the append-only event log that records them."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Table, bindparam, insert, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session

from scheduler.clock import real_now
from scheduler.errors import ReviewError
from scheduler.models import Post, PostEvent

POSTS: Table = Post.__table__  # type: ignore[attr-defined]
EVENTS: Table = PostEvent.__table__  # type: ignore[attr-defined]
_CHUNK = 1000  # posts per executemany


def record(session: Session, post: Post, *, kind: str, actor: str, now: datetime,
           to_status: str | None = None, note: str | None = None,
           details: dict[str, Any] | None = None) -> PostEvent:
    """Append an event; when `to_status` is given, move the post to it first."""
    before = post.status
    if to_status is not None:
        post.status = to_status
    post.updated_at = now
    session.add(post)
    assert post.id is not None
    event = PostEvent(post_id=post.id, at=now, actor=actor, kind=kind, from_status=before,
                      to_status=to_status or before, note=note, details=details,
                      recorded_at=real_now())
    session.add(event)
    return event



@dataclass(frozen=True)
class Move:
    """One post of a decision taken on many: its own values beside the shared ones."""

    post: Post
    values: Mapping[str, Any] = field(default_factory=dict)  # columns set on this post only
    details: dict[str, Any] | None = None  # its event's details


def record_moves(session: Session, moves: Sequence[Move], *, kind: str, actor: str,
                 now: datetime, from_status: str, to_status: str, note: str | None = None,
                 values: Mapping[str, Any] | None = None) -> None:
    """What `record` does for each post, for many posts at once: one UPDATE of the posts,
    each guarded on still being `from_status` (the caller has locked them; if one moved
    anyway, ReviewError is raised and the caller's transaction changes nothing), and one
    INSERT of their events. The session's copies of the posts are brought up to date
    without a second write."""
    if not moves:
        return
    shared = {**(values or {}), "status": to_status, "updated_at": now}
    own = sorted({key for move in moves for key in move.values})
    statement = update(POSTS).where(POSTS.c.id == bindparam("b_id"),
                                    POSTS.c.status == from_status).values(
        **shared, **{key: bindparam(f"b_{key}") for key in own})
    rows = [{"b_id": move.post.id, **{f"b_{key}": move.values.get(key) for key in own}}
            for move in moves]
    connection = session.connection()
    changed = sum(connection.execute(statement, rows[start:start + _CHUNK]).rowcount
                  for start in range(0, len(rows), _CHUNK))
    if changed != len(moves):
        raise ReviewError(
            f"{len(moves) - changed} unggahan berubah status sementara keputusan diambil; "
            "tidak ada yang diubah, muat ulang lalu coba lagi")
    recorded_at = real_now()
    connection.execute(insert(EVENTS), [
        {"post_id": move.post.id, "at": now, "actor": actor, "kind": kind,
         "from_status": from_status, "to_status": to_status, "note": note,
         "details": move.details, "recorded_at": recorded_at} for move in moves])
    for move in moves:  # what the database now holds, without marking the posts changed
        for key, value in {**shared, **move.values}.items():
            set_committed_value(move.post, key, value)
