"""Status changes and the append-only event log that records them."""

from datetime import datetime
from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.engine import Connection
from sqlmodel import Session

from scheduler.models import Post, PostEvent

EVENTS: Table = PostEvent.__table__  # type: ignore[attr-defined]


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
                      to_status=to_status or before, note=note, details=details)
    session.add(event)
    return event


def insert_event(connection: Connection, post_id: int, *, kind: str, actor: str, now: datetime,
                 from_status: str | None, to_status: str | None, note: str | None = None,
                 details: dict[str, Any] | None = None) -> None:
    """The same event as `record`, written with Core (the worker's hot path)."""
    connection.execute(_INSERT_EVENT, {
        "post_id": post_id, "at": now, "actor": actor, "kind": kind,
        "from_status": from_status, "to_status": to_status, "note": note, "details": details})


_INSERT_EVENT = insert(EVENTS)  # built once; executed with parameters
