"""Status changes and the append-only event log that records them."""

from datetime import datetime
from typing import Any

from sqlmodel import Session

from scheduler.clock import real_now
from scheduler.models import Post, PostEvent


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

