"""The last decision before a request leaves: is this post still on time and still safe?

Approval looked at the post's scheduled time; a post can be held (a paused account,
missing credentials), retried, reconciled or released by an operator and so leave much
later, possibly inside the quiet period or on voting day. So every attempt is decided
again against the actual instant, inside the claim's transaction:

- later than its lateness limit (SIAR_MAX_LATENESS, or the rule's `max_lateness`):
  `missed`, never sent automatically (an operator reschedules or cancels it);
- a calendar problem now (quiet period, voting day, results held back) that an admin
  did not override at approval: back to `pending`, with the problem recorded.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from scheduler.checks.post_checks import (
    PostDraft,
    Releases,
    calendar_problems,
    problems_as_json,
)
from scheduler.content.model import Catalog
from scheduler.models import PostStatus


class GateFields(Protocol):
    """What the gate reads of a post (a claimed row or an ORM Post)."""

    @property
    def text(self) -> str: ...
    @property
    def platform(self) -> str: ...
    @property
    def region_key(self) -> str: ...
    @property
    def image(self) -> str | None: ...
    @property
    def image_alt(self) -> str | None: ...
    @property
    def scheduled_at(self) -> datetime: ...
    @property
    def election_key(self) -> str | None: ...
    @property
    def template(self) -> str | None: ...
    @property
    def rule_key(self) -> str | None: ...
    @property
    def stage_key(self) -> str | None: ...
    @property
    def problems(self) -> Sequence[dict[str, Any]]: ...


@dataclass(frozen=True)
class Hold:
    """Why a post must not be sent now, and where it goes instead."""

    status: str  # missed | pending
    kind: str  # the event: missed | unsafe
    reason: str
    problems: list[dict[str, Any]]


@dataclass(frozen=True)
class Gate:
    catalog: Catalog
    max_lateness: timedelta

    def lateness_limit(self, rule_key: str | None) -> timedelta:
        rule = self.catalog.rule(rule_key)
        if rule is not None and rule.max_lateness is not None:
            return timedelta(minutes=rule.max_lateness)
        return self.max_lateness

    def shortest_limit(self) -> timedelta:
        """The smallest lateness limit of any rule (to find overdue posts in one query)."""
        limits = [timedelta(minutes=r.max_lateness) for r in self.catalog.rules
                  if r.max_lateness is not None]
        return min([self.max_lateness, *limits])

    def too_late(self, post: GateFields, now: datetime) -> Hold | None:
        limit = self.lateness_limit(post.rule_key)
        late = now - post.scheduled_at
        if late <= limit:
            return None
        reason = (f"terlambat {_minutes(late)} dari jadwal (batas {_minutes(limit)}); tidak "
                  "diterbitkan otomatis: jadwalkan ulang atau batalkan")
        return Hold(PostStatus.MISSED.value, "missed", reason, list(post.problems))

    def decide(self, post: GateFields, now: datetime,
               releases: Callable[[], Releases] | None = None) -> Hold | None:
        """None: send it now. Otherwise where the post goes instead, and why. `releases`
        reads the recorded results announcements (only asked for a results post)."""
        late = self.too_late(post, now)
        if late is not None:
            return late
        info = self.catalog.templates.get(post.template or "")
        recorded = releases() if releases is not None and info is not None and info.results else {}
        found = calendar_problems(PostDraft(
            text=post.text, platform=post.platform, region_key=post.region_key,
            scheduled_at=now, image=post.image, election_key=post.election_key,
            template=post.template, stage_key=post.stage_key, image_alt=post.image_alt),
            self.catalog, recorded)
        # Problems on an approved post are ones an admin overrode, with a written reason.
        accepted = {p.get("code") for p in post.problems}
        new = [p for p in found if p.code not in accepted]
        if not new:
            return None
        reason = "tidak aman diterbitkan sekarang: " + "; ".join(p.message for p in new)
        return Hold(PostStatus.PENDING.value, "unsafe", reason,
                    [*post.problems, *problems_as_json(new)])


def _minutes(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes < 120:
        return f"{minutes} menit"
    hours, rest = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} jam {rest} menit" if rest else f"{hours} jam"
    return f"{hours // 24} hari"
