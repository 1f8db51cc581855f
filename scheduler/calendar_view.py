"""Kalender: a month or week of posts counted per local day (scheduler.calendar_counts),
the election's stages as bands over the days they cover, and one day's posts; always in
the viewer's scope."""

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from sqlmodel import Session

from scheduler.calendar_counts import DayCount, count_days
from scheduler.content.model import Catalog
from scheduler.errors import InputError
from scheduler.posts import PostFilter, PostLine, posts_page
from scheduler.users import Actor

TONES = 8  # band colours in calendar.css (.tone-0 ... .tone-7)
YEARS = range(1900, 3000)  # beyond these a calendar is a typo (and date arithmetic overflows)


@dataclass(frozen=True)
class Span:
    """The visible days: a calendar month, or a week from Monday to Sunday."""

    kind: Literal["month", "week"]
    first: date
    last: date

    @property
    def days(self) -> list[date]:
        return [self.first + timedelta(days=i) for i in range((self.last - self.first).days + 1)]

    @property
    def param(self) -> tuple[str, str]:
        """The query field that shows this span: ("bulan", "2024-02") or ("minggu", ...)."""
        if self.kind == "month":
            return "bulan", self.first.strftime("%Y-%m")
        return "minggu", self.first.isoformat()

    def previous(self) -> "Span":
        if self.kind == "week":
            return week_span(self.first - timedelta(days=7))
        return month_span(self.first - timedelta(days=1))

    def next(self) -> "Span":
        if self.kind == "week":
            return week_span(self.first + timedelta(days=7))
        return month_span(self.last + timedelta(days=1))


def month_span(day: date) -> Span:
    first = day.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return Span("month", first, following - timedelta(days=1))


def week_span(day: date) -> Span:
    """The week (Monday first) that holds `day`."""
    monday = day - timedelta(days=day.weekday())
    return Span("week", monday, monday + timedelta(days=6))


def parse_month(raw: str) -> Span:
    """`bulan=2024-02` -> that month; anything else is an error naming the value."""
    try:
        first = datetime.strptime(raw.strip(), "%Y-%m").date()
    except ValueError:
        first = None
    if first is None or first.year not in YEARS:
        raise InputError(f"bulan tidak valid: {raw!r} (contoh: 2024-02)")
    return month_span(first)


def parse_day(raw: str, name: str = "tanggal") -> date:
    """`2024-02-14` -> that date; anything else is an error naming the value."""
    try:
        day = date.fromisoformat(raw.strip())
    except ValueError:
        day = None
    if day is None or day.year not in YEARS:
        raise InputError(f"{name} tidak valid: {raw!r} (contoh: 2024-02-14)")
    return day


@dataclass(frozen=True)
class StageBand:
    election: str  # the election's short name
    election_key: str
    key: str
    name: str
    start: date
    end: date
    depth: int  # 0 for a main stage, 1 for a sub-stage, ...
    tone: int  # colour, 0 .. TONES-1

    def covers(self, day: date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True)
class Segment:
    """The part of a band inside one week row: grid columns `column` .. column+span-1."""

    band: StageBand
    column: int  # 1 (Monday) .. 7 (Sunday)
    span: int
    from_before: bool  # the stage began before this row
    goes_on: bool  # and continues after it


@dataclass(frozen=True)
class WeekRow:
    monday: date
    days: list[date | None]  # None: a day outside the span (the grid's padding)
    segments: list[Segment]


@dataclass(frozen=True)
class CalendarView:
    span: Span
    counts: dict[date, DayCount]
    bands: list[StageBand]
    rows: list[WeekRow]
    stages_on: dict[date, list[StageBand]]  # the bands over each day of the span

    @property
    def total(self) -> int:
        return sum(c.total for c in self.counts.values())


def calendar_view(session: Session, *, actor: Actor, catalog: Catalog, filters: PostFilter,
                  span: Span, tz: ZoneInfo) -> CalendarView:
    """Everything the month or week page shows, in the actor's scope."""
    counts = count_days(session, actor=actor, filters=filters, first=span.first,
                        last=span.last, tz=tz, by_platform=span.kind == "week")
    bands = stage_bands(catalog, span.first, span.last,
                        region=calendar_region(catalog, actor, filters))
    stages_on = {day: [b for b in bands if b.covers(day)] for day in span.days}
    return CalendarView(span, counts, bands, week_rows(span, bands), stages_on)


def calendar_region(catalog: Catalog, actor: Actor, filters: PostFilter) -> str | None:
    """Whose calendar the page shows: the one office filtered on, else the viewer's own
    office (a province's dates hold for its regencies too)."""
    region = filters.regions[0] if len(filters.regions) == 1 else actor.region_key
    return region if region in catalog.regions else None


def stage_bands(catalog: Catalog, first: date, last: date, *,
                region: str | None = None) -> list[StageBand]:
    """The scheduled stages that overlap `first` .. `last` in `region`'s calendar (the
    election-wide one when None): main stages first, then sub-stages, each level in
    calendar order."""
    found = [
        (election.depth(stage), stage.start, stage.end, order, election, stage)
        for order, election in enumerate(catalog.calendar(key, region)
                                         for key in catalog.elections)
        for stage in election.stages
        if stage.start is not None and stage.end is not None
        and stage.start <= last and stage.end >= first
    ]
    found.sort(key=lambda f: f[:4])
    return [StageBand(e.short_name, e.key, s.key, s.name, start, end, depth, i % TONES)
            for i, (depth, start, end, _, e, s) in enumerate(found)]


def week_rows(span: Span, bands: list[StageBand]) -> list[WeekRow]:
    """The span as Monday-first rows of seven cells, with each band's part in each row."""
    rows: list[WeekRow] = []
    monday = span.first - timedelta(days=span.first.weekday())
    while monday <= span.last:
        sunday = monday + timedelta(days=6)
        days = [d if span.first <= d <= span.last else None
                for d in (monday + timedelta(days=i) for i in range(7))]
        shown = [d for d in days if d is not None]
        segments = []
        for band in bands:
            start, end = max(band.start, shown[0]), min(band.end, shown[-1])
            if start <= end:
                segments.append(Segment(band, (start - monday).days + 1, (end - start).days + 1,
                                        band.start < start, band.end > end))
        rows.append(WeekRow(monday, days, segments))
        monday = sunday + timedelta(days=1)
    return rows


def day_posts(session: Session, *, actor: Actor, filters: PostFilter, day: date, tz: ZoneInfo,
              after_id: int | None = None, limit: int = 100) -> list[PostLine]:
    """One day's posts in the actor's scope, in time order (keyset pages, as /unggahan)."""
    return posts_page(session, actor=actor, filters=replace(filters, date_from=day, date_to=day),
                      tz=tz, after_id=after_id, limit=limit)
