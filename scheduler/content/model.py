"""Typed content, as the rest of Siar sees it: elections and stages, regions and accounts,
plan rules and neutrality terms. Built by scheduler.content.catalog from the YAML files."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from zoneinfo import ZoneInfo

from scheduler.rendering import TemplateInfo

QUIET_PERIOD = "quiet_period"
VOTING_DAY = "voting_day"
RESULTS = "results"


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

    def active_on(self, day: date) -> bool:
        return self.start is not None and self.end is not None and self.start <= day <= self.end

    @property
    def scheduled(self) -> bool:
        return self.start is not None


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

    def active_stages(self, day: date) -> list[Stage]:
        return [s for s in self.stages if s.active_on(day)]

    def depth(self, stage: Stage) -> int:
        depth, parent = 0, stage.parent
        while parent is not None and depth < len(self.stages):
            depth, parent = depth + 1, self.stage(parent).parent
        return depth


@dataclass(frozen=True)
class Account:
    region_key: str
    platform: str
    handle: str
    placeholder: bool
    enabled: bool
    url: str | None
    credentials: Mapping[str, str]  # field -> name of the environment variable

    @property
    def key(self) -> str:
        return f"{self.region_key}/{self.platform}"


@dataclass(frozen=True)
class Region:
    key: str
    name: str  # the office: KPU Kota Blitar
    area: str  # the area: Kota Blitar
    kind: str  # provinsi | kabupaten | kota
    website: str
    website_verified: bool
    hashtag: str
    timezone: ZoneInfo
    province_key: str  # itself for a province
    bps_code: str | None
    accounts: tuple[Account, ...]

    @property
    def is_province(self) -> bool:
        return self.kind == "provinsi"


@dataclass(frozen=True)
class Rule:
    key: str
    template: str
    election: str
    during: tuple[str, ...]
    offset_stage: str | None
    offset_days: tuple[int, ...]
    cadence: str
    platforms: tuple[str, ...]
    regions: tuple[str, ...]
    image: str | None
    max_lateness: int | None = None  # minutes; None: the SIAR_MAX_LATENESS setting


@dataclass(frozen=True)
class NeutralTerm:
    term: str
    category: str
    note: str | None


@dataclass(frozen=True)
class Catalog:
    elections: Mapping[str, Election]
    regions: Mapping[str, Region]  # provinces first, then regencies in file order
    rules: tuple[Rule, ...]
    neutral_terms: tuple[NeutralTerm, ...]
    templates: Mapping[str, TemplateInfo]
    platforms: tuple[str, ...] = field(default=())

    def region(self, key: str) -> Region:
        return self.regions[key]

    def rule(self, key: str | None) -> Rule | None:
        return self._rules_by_key.get(key or "")

    @cached_property
    def _rules_by_key(self) -> dict[str, Rule]:
        return {rule.key: rule for rule in self.rules}

    def accounts(self) -> list[Account]:
        return [a for r in self.regions.values() for a in r.accounts]

    def stage(self, key: str) -> Stage:
        for election in self.elections.values():
            for stage in election.stages:
                if stage.key == key:
                    return stage
        raise KeyError(key)

    def tagged_stage_on(self, tag: str, day: date) -> Stage | None:
        """The first dated stage carrying `tag` (e.g. quiet_period) that is active on `day`."""
        for stage in self._tagged.get(tag, ()):
            if stage.active_on(day):
                return stage
        return None

    @cached_property
    def _tagged(self) -> dict[str, tuple[Stage, ...]]:
        # Checks ask this for every planned post; index once instead of scanning every stage.
        index: dict[str, list[Stage]] = {}
        for election in self.elections.values():
            for stage in election.stages:
                if stage.scheduled:
                    for tag in stage.tags:
                        index.setdefault(tag, []).append(stage)
        return {tag: tuple(stages) for tag, stages in index.items()}
