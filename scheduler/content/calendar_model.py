"""The election calendar as the rest of Siar sees it: elections, their stages with dates
and tags, and a region's own dates for a stage (re-exported by scheduler.content.model)."""

import datetime as dt
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

QUIET_PERIOD = "quiet_period"
VOTING_DAY = "voting_day"
RESULTS = "results"
VOTER_LIST = "voter_list"


@dataclass(frozen=True)
class Stage:
    election_key: str
    key: str
    name: str
    name_en: str | None
    start: date | None
    end: date | None
    parent: str | None
    tags: tuple[str, ...]
    unconfirmed: bool
    notes: str | None
    time: dt.time | None = None  # local time it began on its first day, where recorded
    regional: bool = False  # dates from a region or group, not the election-wide ones

    def active_on(self, day: date) -> bool:
        return self.start is not None and self.end is not None and self.start <= day <= self.end

    @property
    def scheduled(self) -> bool:
        return self.start is not None

    def begins_at(self, zone: ZoneInfo) -> datetime | None:
        """The instant the stage began in `zone`: its first day at its recorded time, or
        at midnight when none is recorded."""
        if self.start is None:
            return None
        return datetime.combine(self.start, self.time or dt.time(0, 0), tzinfo=zone)

    def with_dates(self, dates: "StageDates") -> "Stage":
        return replace(self, start=dates.start, end=dates.end, time=dates.time,
                       unconfirmed=dates.unconfirmed, notes=dates.notes or self.notes,
                       regional=True)


@dataclass(frozen=True)
class StageDates:
    """A stage's own dates in one region (from the region, its group or its province)."""

    start: date
    end: date
    time: dt.time | None = None
    unconfirmed: bool = False
    notes: str | None = None


@dataclass(frozen=True)
class Election:
    key: str
    name: str
    short_name: str
    timezone: ZoneInfo
    hashtags: tuple[str, ...]
    stages: tuple[Stage, ...]

    def stage(self, key: str) -> Stage:
        for stage in self.stages:
            if stage.key == key:
                return stage
        raise KeyError(key)

    @property
    def voting_day(self) -> date | None:
        for stage in self.stages:
            if VOTING_DAY in stage.tags and stage.start is not None:
                return stage.start
        return None

    @property
    def final_voter_list_from(self) -> date | None:
        """The first day after the election's main voter-list stages: by then each office
        has set its final list (DPT), so an unregistered voter is pointed to the DPK."""
        ends = [s.end for s in self.stages
                if VOTER_LIST in s.tags and s.parent is None and s.end is not None]
        return max(ends) + timedelta(days=1) if ends else None

    def active_stages(self, day: date) -> list[Stage]:
        return [s for s in self.stages if s.active_on(day)]

    def depth(self, stage: Stage) -> int:
        depth, parent = 0, stage.parent
        while parent is not None and depth < len(self.stages):
            depth, parent = depth + 1, self.stage(parent).parent
        return depth
