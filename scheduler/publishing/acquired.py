"""What the publishing store's acquisition is asked for and gives back
(scheduler.publishing.store; scheduler.publishing.batch for many posts at once)."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Wanted:
    """One post a claim asks for: through adapter `via`, with its platform's daily quota
    (None: no quota)."""

    post_id: int
    via: str
    quota: int | None = None


@dataclass(frozen=True)
class Acquired:
    row: dict[str, Any]  # CLAIMED_COLUMNS of the claimed post
    before: str  # the status it was claimed from


@dataclass(frozen=True)
class OverQuota:
    """The account's platform quota is used up (published and in flight); the post may
    go once the oldest of those leaves the 24-hour window."""

    times: list[datetime]  # published_at of the posts in the window (now for in flight)


Got = Acquired | OverQuota | None


def over(times: list[datetime], quota: int | None) -> OverQuota | None:
    return OverQuota(times) if quota is not None and len(times) >= quota else None
