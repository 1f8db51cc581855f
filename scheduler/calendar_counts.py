"""Posts counted per local day and status (and platform), in the actor's scope, by the
database: a province month of thousands of posts comes back as a few hundred rows.

A day is the viewer's local day. PostgreSQL turns each instant into a local day with the
zone itself. SQLite stores instants as fixed-width UTC text
("2024-02-14T02:00:00.000000+00:00", see db.UTCDateTime), so the count groups by the UTC
date and whether the UTC time of day is past the zone's midnight, found from the zone's
UTC offset: plain text comparisons that SQLite does from an index. Indonesia's zones
(WIB +7, WITA +8, WIT +9) have no daylight saving time, so one offset holds for the whole
range; should a zone's offset change inside the range, the rows are bucketed in Python
instead (slower, still right).
"""

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, func, true
from sqlmodel import Session, col, select

from scheduler.localtime import local_date
from scheduler.models import Post, PostStatus
from scheduler.permissions import Action, province_alone, require_role, scope_condition
from scheduler.platforms import registered
from scheduler.posts import PostFilter, post_conditions
from scheduler.users import Actor

STATUS_ORDER = [s.value for s in PostStatus]
DayOf = Callable[[Sequence[Any]], date]


@dataclass
class DayCount:
    """One day's posts: how many, per status and (when asked) per platform."""

    statuses: dict[str, int] = field(default_factory=dict)
    platforms: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.statuses.values())


def count_days(session: Session, *, actor: Actor, filters: PostFilter, first: date,
               last: date, tz: ZoneInfo, by_platform: bool = False) -> dict[date, DayCount]:
    """Posts per local day from `first` to `last` (inclusive) by status, and by platform
    when asked; days without posts are absent."""
    require_role(actor, Action.VIEW)
    ranged = replace(filters, date_from=first, date_to=last, limit=None)
    ranged.validate()
    where = [*post_conditions(ranged, tz), _scope(session, actor)]
    if not ranged.statuses:
        # Always true, but it lets SQLite count from the (status, scheduled_at) index
        # alone, without reading a single post row.
        where.append(col(Post.status).in_(STATUS_ORDER))
    counts: dict[date, DayCount] = {}
    for day, status, platform, n in _rows(session, where, tz, first, last, by_platform):
        entry = counts.setdefault(day, DayCount())
        entry.statuses[status] = entry.statuses.get(status, 0) + n
        if platform is not None:
            entry.platforms[platform] = entry.platforms.get(platform, 0) + n
    for entry in counts.values():
        entry.statuses = _ordered(entry.statuses, STATUS_ORDER)
        entry.platforms = _ordered(entry.platforms, list(registered()))
    return counts


def _scope(session: Session, actor: Actor) -> ColumnElement[bool]:
    """The actor's scope; for a province user in a database of that province alone (one
    KPU Provinsi and its regencies) that is every post, which needs no condition at all."""
    if actor.province_wide and not actor.everywhere and \
            province_alone(session, actor.region_key):
        return true()
    return scope_condition(session, actor)


def _rows(session: Session, where: list[ColumnElement[bool]], tz: ZoneInfo, first: date,
          last: date, by_platform: bool) -> list[tuple[date, str, str | None, int]]:
    """(local day, status, platform or None, count) rows; a day may come more than once."""
    grouping = _day_grouping(session, tz, first, last)
    if grouping is None:
        return _python_rows(session, where, tz, by_platform)
    keys, day_of = grouping
    width = len(keys)
    group = [*keys, col(Post.status), *([col(Post.platform)] if by_platform else [])]
    # Rows of (count, *group); typed loosely, as their width depends on the grouping.
    rows: Sequence[Any] = session.exec(
        select(func.count(), *group).where(*where).group_by(*group)).all()
    return [(day_of(row[1:width + 1]), row[width + 1],
             row[width + 2] if by_platform else None, row[0]) for row in rows]


def _day_grouping(session: Session, tz: ZoneInfo, first: date,
                  last: date) -> tuple[list[ColumnElement[Any]], DayOf] | None:
    """SQL expressions to group by, and how their values make the local day; None when
    SQL cannot say it simply."""
    if session.get_bind().dialect.name == "postgresql":
        return [func.date(func.timezone(tz.key, col(Post.scheduled_at)))], lambda v: v[0]
    offset = datetime.combine(first, time(0), tzinfo=tz).utcoffset() or timedelta(0)
    after = datetime.combine(last + timedelta(days=1), time(0), tzinfo=tz).utcoffset()
    if offset != (after or timedelta(0)) or offset.total_seconds() % 60:
        return None
    utc_day = func.substr(col(Post.scheduled_at), 1, 10)  # "2024-02-14"
    utc_time = func.substr(col(Post.scheduled_at), 12, 8)  # "17:30:00"
    if not offset:
        return [utc_day], lambda v: date.fromisoformat(v[0])
    if offset > timedelta(0):  # east of UTC: from (24 h - offset) UTC it is tomorrow there
        midnight = (datetime.min + timedelta(days=1) - offset).strftime("%H:%M:%S")
        shift = timedelta(days=1)
        return ([utc_day, utc_time >= midnight],
                lambda v: date.fromisoformat(v[0]) + (shift if v[1] else timedelta(0)))
    midnight = (datetime.min - offset).strftime("%H:%M:%S")  # west: before it, yesterday
    return ([utc_day, utc_time < midnight],
            lambda v: date.fromisoformat(v[0]) - (timedelta(days=1) if v[1] else timedelta(0)))


def _python_rows(session: Session, where: list[ColumnElement[bool]], tz: ZoneInfo,
                 by_platform: bool) -> list[tuple[date, str, str | None, int]]:
    found: Counter[tuple[date, str, str | None]] = Counter()
    statement = select(col(Post.scheduled_at), col(Post.status), col(Post.platform)).where(*where)
    for at, status, platform in session.exec(statement):
        found[(local_date(at, tz), status, platform if by_platform else None)] += 1
    return [(*key, n) for key, n in found.items()]


def _ordered(found: dict[str, int], order: list[str]) -> dict[str, int]:
    keys = sorted(found, key=lambda k: (order.index(k) if k in order else len(order), k))
    return {k: found[k] for k in keys}
