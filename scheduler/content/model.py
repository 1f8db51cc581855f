"""Typed content, as the rest of Siar sees it: elections and stages (their types in
scheduler.content.calendar_model), regions and accounts, plan rules and neutrality
terms. Built by scheduler.catalog from the YAML files."""

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cached_property
from types import MappingProxyType
from zoneinfo import ZoneInfo

# Re-exported: most callers import the calendar's types from here.
from scheduler.content.calendar_model import QUIET_PERIOD as QUIET_PERIOD
from scheduler.content.calendar_model import RESULTS as RESULTS
from scheduler.content.calendar_model import VOTER_LIST as VOTER_LIST
from scheduler.content.calendar_model import VOTING_DAY as VOTING_DAY
from scheduler.content.calendar_model import Election as Election
from scheduler.content.calendar_model import Stage as Stage
from scheduler.content.calendar_model import StageDates as StageDates
from scheduler.content.partner_model import Activity, Partner
from scheduler.content.templates import TemplateInfo
from scheduler.region_kinds import NATION_KIND as NATION_KIND
from scheduler.region_kinds import PROVINCE_KIND as PROVINCE_KIND
from scheduler.region_kinds import REGENCY_KINDS as REGENCY_KINDS


@dataclass(frozen=True)
class Facts:
    """What an office's templates may say about it for one election; None: not known."""

    dpt: int | None = None
    dpt_date: date | None = None
    tps: int | None = None
    single_candidate: bool = False
    short_name: str | None = None
    mascot: str | None = None
    mascot_meaning: str | None = None
    tagline: str | None = None
    hashtags: tuple[str, ...] = ()


NO_FACTS = Facts()


@dataclass(frozen=True)
class Link:
    key: str
    url: str
    title: str
    unofficial_note: str | None = None


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
    kind: str  # nasional | provinsi | kabupaten | kota
    website: str
    website_verified: bool
    hashtag: str
    timezone: ZoneInfo
    province_key: str  # itself for a province (and for the nation)
    bps_code: str | None
    accounts: tuple[Account, ...]
    short_area: str | None = None
    # election -> stage -> this region's dates (its own, else its group's, else its
    # province's); a stage not named keeps the election-wide dates.
    dates: Mapping[str, Mapping[str, StageDates]] = field(default_factory=dict)
    # election -> facts (its own, field by field over its group's)
    facts: Mapping[str, Facts] = field(default_factory=dict)
    links: Mapping[str, str] = field(default_factory=dict)  # its own, then its province's

    @property
    def is_province(self) -> bool:
        return self.kind == "provinsi"

    @property
    def is_nation(self) -> bool:
        return self.kind == NATION_KIND

    @property
    def is_regency(self) -> bool:
        return self.kind in REGENCY_KINDS

    def facts_for(self, election_key: str) -> Facts:
        return self.facts.get(election_key, NO_FACTS)


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
    image_alt: str | None = None
    spread: int = 0  # minutes: each account's post goes out 0..spread minutes after the slot
    platform_cadence: Mapping[str, str] = field(default_factory=dict)

    def cadence_for(self, platform: str) -> str:
        return self.platform_cadence.get(platform, self.cadence)


@dataclass(frozen=True)
class NeutralTerm:
    term: str
    category: str
    note: str | None


@dataclass(frozen=True)
class Catalog:
    elections: Mapping[str, Election]
    # the nation (if content/nation.yaml names it), provinces, then regencies in file order
    regions: Mapping[str, Region]
    rules: tuple[Rule, ...]
    neutral_terms: tuple[NeutralTerm, ...]
    templates: Mapping[str, TemplateInfo]
    platforms: tuple[str, ...] = field(default=())
    links: Mapping[str, Link] = field(default_factory=dict)
    partners: Mapping[str, Partner] = field(default_factory=dict)  # content/partners.yaml
    activities: tuple[Activity, ...] = ()
    image_alts: Mapping[str, str] = field(default_factory=dict)  # content/media/alt.yaml
    nation_key: str | None = None  # KPU RI, parent of every province (content/nation.yaml)

    def region(self, key: str) -> Region:
        return self.regions[key]

    def calendar(self, election_key: str, region_key: str | None) -> Election:
        """The election as `region_key` lives it: every stage with that region's own dates
        where it has them. One object per distinct calendar (the election's own for every
        region without dates of its own), so callers may group regions by it."""
        owner = self.calendar_owner(election_key, region_key)
        key = (election_key, owner or "")
        found = self._calendars.get(key)
        if found is None:
            election = self.elections[election_key]
            own = self.regions[owner].dates.get(election_key) if owner else None
            if own:
                election = replace(election, stages=tuple(
                    s.with_dates(own[s.key]) if s.key in own else s for s in election.stages))
            found = self._calendars[key] = election
        return found

    def calendar_owner(self, election_key: str, region_key: str | None) -> str | None:
        """A region (the first one asked about) whose own dates for the election are the
        same as `region_key`'s; None when it has none. A province's dates reach all its
        regencies, so most of them share one calendar: planning computes its slots once."""
        region = self.regions.get(region_key or "")
        own = region.dates.get(election_key) if region else None
        if not own:
            return None
        owners = self._owners.setdefault(election_key, {})
        signature = tuple(sorted(own.items()))
        return owners.setdefault(signature, region.key if region else "")

    @cached_property
    def _calendars(self) -> dict[tuple[str, str], Election]:
        return {}

    @cached_property
    def _owners(self) -> dict[str, dict[tuple[tuple[str, StageDates], ...], str]]:
        return {}

    @cached_property
    def link_urls(self) -> Mapping[str, str]:
        """Key -> address, as templates see them (`tautan.cekdpt`)."""
        return MappingProxyType({key: link.url for key, link in self.links.items()})

    def links_for(self, region_key: str) -> Mapping[str, str]:
        """The links a post of `region_key` cites: content/links.yaml plus the office's
        own (and its province's) pages."""
        found = self._region_links.get(region_key)
        if found is None:
            region = self.regions.get(region_key)
            own = region.links if region else {}
            found = self._region_links[region_key] = (
                MappingProxyType({**self.link_urls, **own}) if own else self.link_urls)
        return found

    @cached_property
    def _region_links(self) -> dict[str, Mapping[str, str]]:
        return {}

    def image_alt(self, rule: Rule) -> str | None:
        """The description of the rule's image: the rule's own `image_alt`, else its
        template's front matter `alt`, else content/media/alt.yaml's entry for the image.
        None without an image (or without any description: a problem for the checks)."""
        if not rule.image:
            return None
        info = self.templates.get(rule.template)
        return (rule.image_alt or (info.alt if info else None)
                or self.image_alts.get(rule.image))

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

    def tagged_stage_on(self, tag: str, day: date, region_key: str | None = None) -> Stage | None:
        """The first dated stage carrying `tag` (e.g. quiet_period) that is active on `day`
        in `region_key`'s calendar (the election-wide one when None)."""
        for stage in self._tagged(region_key or "").get(tag, ()):
            if stage.active_on(day):
                return stage
        return None

    def _tagged(self, region_key: str) -> dict[str, tuple[Stage, ...]]:
        # Checks ask this for every planned post; index once per calendar instead of
        # scanning every stage.
        found = self._tag_index.get(region_key)
        if found is None:
            index: dict[str, list[Stage]] = {}
            for key in self.elections:
                election = self.calendar(key, region_key or None)
                for stage in election.stages:
                    if stage.scheduled:
                        for tag in stage.tags:
                            index.setdefault(tag, []).append(stage)
            found = self._tag_index[region_key] = {t: tuple(s) for t, s in index.items()}
        return found

    @cached_property
    def _tag_index(self) -> dict[str, dict[str, tuple[Stage, ...]]]:
        return {}
