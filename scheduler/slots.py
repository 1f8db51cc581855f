"""When a rule posts: its stages (or H-n offsets) x its cadence, as local slot times."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from scheduler.content.cadence import cron_trigger, fire_times
from scheduler.content.model import Catalog, Rule, Stage
from scheduler.localtime import local_midnight_utc


@dataclass(frozen=True)
class Slot:
    rule: Rule
    stage: Stage
    at: datetime  # aware, in the zone the slots were computed for
    calendar: str | None = None  # the region whose calendar it follows; None: election-wide


def calendar_keys(catalog: Catalog, rule: Rule) -> dict[str | None, list[str]]:
    """The rule's regions by the calendar they follow: None for the election-wide one, else
    the first region with the same dates of its own (Catalog.calendar_owner)."""
    found: dict[str | None, list[str]] = {}
    for key in rule.regions:
        found.setdefault(catalog.calendar_owner(rule.election, key), []).append(key)
    return found


def rule_slots(
    catalog: Catalog, rule: Rule, date_from: date, date_to: date, tz: tzinfo, *,
    region_key: str | None = None, cadence: str | None = None,
) -> Iterator[Slot]:
    """Every slot of `rule` on local days date_from..date_to (inclusive), in time order,
    in `region_key`'s calendar (the election-wide one when None), on `cadence` (the
    rule's own when None: a platform may have its own)."""
    election = catalog.calendar(rule.election, region_key)
    trigger = cron_trigger(cadence or rule.cadence, tz)
    if rule.offset_stage is not None:
        stage = election.stage(rule.offset_stage)
        if stage.start is None:
            return
        days = sorted({stage.start + timedelta(days=d) for d in rule.offset_days})
        for day in days:
            if date_from <= day <= date_to:
                for fire in _fires_on_days(trigger, day, day, tz):
                    yield Slot(rule, stage, fire, region_key)
        return
    stages = [election.stage(key) for key in rule.during]
    for first, last in _merged_ranges(stages, date_from, date_to):
        for fire in _fires_on_days(trigger, first, last, tz):
            day = fire.date()
            stage = next(s for s in stages if s.active_on(day))
            yield Slot(rule, stage, fire, region_key)


def _fires_on_days(trigger: object, first: date, last: date, tz: tzinfo) -> Iterator[datetime]:
    start = local_midnight_utc(first, tz).astimezone(tz)
    end = local_midnight_utc(last + timedelta(days=1), tz).astimezone(tz)
    yield from fire_times(trigger, start, end)


def _merged_ranges(stages: list[Stage], date_from: date, date_to: date) -> list[tuple[date, date]]:
    """The stages' date ranges clipped to the request and merged where they overlap."""
    ranges = sorted(
        (max(s.start, date_from), min(s.end, date_to))
        for s in stages
        if s.start is not None and s.end is not None and s.start <= date_to and s.end >= date_from
    )
    merged: list[tuple[date, date]] = []
    for first, last in ranges:
        if merged and first <= merged[-1][1] + timedelta(days=1):
            merged[-1] = (merged[-1][0], max(merged[-1][1], last))
        else:
            merged.append((first, last))
    return merged
