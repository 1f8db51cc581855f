"""Planning's rows: each rule's accounts grouped into lanes (their region's time zone,
calendar and the platform's cadence), the rule's local slots in each lane, and one
rendered, checked post row per account and slot.

A cadence is local wall-clock time and stage dates are local calendar dates, both in
each region's own zone: 09.00 is 02:00 UTC for a WIB office and 01:00 UTC for a WITA
one. A post's slot therefore depends only on its own region, never on which other
regions are planned with it, so its natural key (rule, account, UTC instant) is stable
and re-planning one region never adds a second post.

A rule with `spread` sends each account's post a few minutes after the slot (the same
minutes for an account every time, from a hash of the rule and account), so that dozens
of offices do not publish one text at one second. The natural key keeps the slot itself:
changing the spread never plans a post twice.
"""

import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from scheduler.accounts import account_ids
from scheduler.checks.memo import CheckMemo
from scheduler.checks.post_checks import CheckSettings, PostDraft, problems_as_json
from scheduler.content.model import Account, Catalog, Region, Rule
from scheduler.models import PostStatus
from scheduler.planning_keys import Candidates
from scheduler.planning_texts import PlannedTexts
from scheduler.postcontext import election_vars, plain, region_vars, slot_vars, stage_vars
from scheduler.rendering import PostRenderer
from scheduler.slots import Slot, rule_slots


@dataclass(frozen=True)
class Member:
    """One account a rule posts to."""

    region: Region
    account: Account
    account_id: int


@dataclass(frozen=True)
class Lane:
    """Accounts that share a rule's slots: one zone, one calendar, one cadence."""

    zone: ZoneInfo
    calendar: str  # the region whose own dates it follows; "": the election-wide dates
    cadence: str


ZoneMembers = dict[Lane, list[Member]]  # a rule's accounts by lane


def rule_members(session: Session, catalog: Catalog, regions: tuple[str, ...],
                 platforms: tuple[str, ...]) -> dict[str, ZoneMembers]:
    """For each rule, the enabled accounts it posts to (in region order), by lane.
    Empty `regions` or `platforms` means all of them."""
    ids = account_ids(session)
    wanted_regions, wanted_platforms = set(regions), set(platforms)
    # Made once for the run, not once per rule (a national run pairs thousands of
    # accounts with each rule): each account's Member, each region's calendar per
    # election, each lane.
    members: dict[tuple[str, str], Member] = {}
    owners: dict[tuple[str, str], str] = {}
    lanes: dict[tuple[ZoneInfo, str, str], Lane] = {}
    result: dict[str, ZoneMembers] = {}
    for rule in catalog.rules:
        by_zone: dict[tuple[ZoneInfo, str, str], list[Member]] = {}
        for region_key in rule.regions:
            if wanted_regions and region_key not in wanted_regions:
                continue
            region = catalog.regions[region_key]
            owner = owners.get((rule.election, region_key))
            if owner is None:
                owner = owners[(rule.election, region_key)] = (
                    catalog.calendar_owner(rule.election, region_key) or "")
            for account in region.accounts:
                if account.platform not in rule.platforms or not account.enabled:
                    continue
                if wanted_platforms and account.platform not in wanted_platforms:
                    continue
                member = members.get((region_key, account.platform))
                if member is None:
                    row = ids[(region_key, account.platform)]
                    member = members[(region_key, account.platform)] = Member(
                        region, account, row.id or 0)
                lane = (region.timezone, owner, rule.cadence_for(account.platform))
                found = by_zone.get(lane)
                if found is None:
                    found = by_zone[lane] = []
                found.append(member)
        result[rule.key] = {lanes.get(key) or lanes.setdefault(key, Lane(*key)): found
                            for key, found in by_zone.items()}
    return result


class PostRows:
    """Expands rules into post rows; holds the per-run caches (slots per rule and zone,
    templates and texts, region and election variables)."""

    def __init__(self, catalog: Catalog, templates_dir: Path, members: dict[str, ZoneMembers],
                 *, date_from: date, date_to: date, created_by: str,
                 checks: CheckSettings) -> None:
        self.catalog = catalog
        self.members = members
        self.date_from, self.date_to = date_from, date_to
        self.created_by = created_by
        self.checks = checks
        # The zone only applies to a naive datetime; the slots templates see are aware,
        # in their region's zone, so `jam` and `waktu` show each office's local time.
        self.renderer = PostRenderer(templates_dir, next(iter(catalog.regions.values())).timezone)
        self._region_ctx: dict[tuple[str, str], dict[str, Any]] = {}
        self.election_ctx = {key: election_vars(e) for key, e in catalog.elections.items()}
        self._slots: dict[tuple[str, Lane], list[Slot]] = {}
        self.check = CheckMemo(catalog, checks).check
        # Texts rendered once for every distinct set of values a template reads.
        self.texts = PlannedTexts(self.renderer)
        self._rules: dict[str, tuple[str | None, dict[str, timedelta]]] = {}
        self._slot: Slot | None = None
        self._slot_base: dict[str, Any] = {}
        self._slot_parts: dict[str, object] = {}
        self._slot_regions: dict[str, tuple[dict[str, Any], dict[str, object]]] = {}
        self._slot_utc = datetime.min
        self._slot_batch = ""

    def region_ctx(self, region_key: str, election_key: str) -> dict[str, Any]:
        key = (region_key, election_key)
        found = self._region_ctx.get(key)
        if found is None:
            region = self.catalog.regions[region_key]
            found = self._region_ctx[key] = {
                "region": region_vars(region, election_key),
                "province": region_vars(self.catalog.regions[region.province_key], election_key),
                "tautan": self.catalog.links_for(region_key),
            }
        return found

    def count(self) -> int:
        """How many rows rows() yields (the progress bar's total)."""
        return sum(len(members) * len(self.slots(rule, lane))
                   for rule in self.catalog.rules
                   for lane, members in self.members.get(rule.key, {}).items())

    def slots(self, rule: Rule, lane: Lane) -> list[Slot]:
        """The rule's slots in `lane`'s local time and calendar, computed once per run
        (count() and rows() both need them, and every account in the lane shares them)."""
        key = (rule.key, lane)
        found = self._slots.get(key)
        if found is None:
            found = self._slots[key] = list(rule_slots(
                self.catalog, rule, self.date_from, self.date_to, lane.zone,
                region_key=lane.calendar or None, cadence=lane.cadence))
        return found

    def candidates(self, run_id: int, now: datetime) -> Iterator[Candidates]:
        """Every post of the run as its natural key, one group per rule, lane and slot;
        a post is rendered only when asked (row(i))."""
        for rule in self.catalog.rules:
            for lane, members in self.members.get(rule.key, {}).items():
                calendar_region = members[0].region.key
                prefixes = [f"{rule.key}|{m.account.key}|" for m in members]
                platforms = [m.account.platform for m in members]
                for slot in self.slots(rule, lane):
                    stamp = f"{slot.at.astimezone(UTC):%Y%m%dT%H%MZ}"
                    keys = [prefix + stamp for prefix in prefixes]
                    yield Candidates(keys, slot.stage.key, platforms, partial(
                        self._member_row, rule, slot, calendar_region, members, keys,
                        run_id, now))

    def _member_row(self, rule: Rule, slot: Slot, calendar_region: str, members: list[Member],
                    keys: list[str], run_id: int, now: datetime, index: int) -> dict[str, Any]:
        return self._row(rule, slot, calendar_region, members[index], keys[index], run_id, now)

    def _slot_context(self, rule: Rule, slot: Slot, calendar_region: str, region_key: str,
                      ) -> tuple[dict[str, Any], dict[str, object]]:
        """The context every account of one region shares in one slot, with the stand-ins
        of its values (scheduler.planning_texts). Candidates come slot by slot, so one
        slot is remembered."""
        if self._slot is not slot:
            election = self.catalog.calendar(rule.election, calendar_region)
            self._slot = slot
            stage = stage_vars(slot.stage)
            times = slot_vars(election, slot.stage, slot.at)
            self._slot_base = {"election": self.election_ctx[rule.election], "stage": stage,
                               **times}
            self._slot_parts = {"election": rule.election, "stage": plain(tuple(stage.values())),
                                **{name: plain(value) for name, value in times.items()}}
            self._slot_regions = {}
            self._slot_utc = slot.at.astimezone(UTC)
            # Local wall time: offices in WIB and WITA posting at 09.00 their time share
            # one batch, so a reviewer still decides once per rule and slot.
            self._slot_batch = f"{rule.key}@{slot.at:%Y-%m-%dT%H:%M}"
        found = self._slot_regions.get(region_key)
        if found is None:
            built = (region_key, rule.election)  # region_ctx's own key: all it depends on
            found = self._slot_regions[region_key] = (
                {**self._slot_base, **self.region_ctx(region_key, rule.election)},
                {**self._slot_parts, "region": built, "province": built, "tautan": built})
        return found

    def _rule_facts(self, rule: Rule) -> tuple[str | None, dict[str, timedelta]]:
        """The rule's image description and its accounts' spread offsets, once per run."""
        found = self._rules.get(rule.key)
        if found is None:
            found = self._rules[rule.key] = (self.catalog.image_alt(rule), {})
        return found

    def _row(self, rule: Rule, slot: Slot, calendar_region: str, member: Member,
             plan_key: str, run_id: int, now: datetime) -> dict[str, Any]:
        account = member.account
        platform = account.platform
        shared, shared_parts = self._slot_context(rule, slot, calendar_region,
                                                  account.region_key)
        handle = {"handle": account.handle}
        context = {**shared, "platform": platform, "account": handle}
        parts = {**shared_parts, "platform": (str, platform), "account": (str, account.handle)}
        text = self.texts.text(self.catalog.templates[rule.template].file_for(platform),
                               context, parts)
        image_alt, offsets = self._rule_facts(rule)
        offset = offsets.get(account.key)
        if offset is None:
            offset = offsets[account.key] = spread_offset(rule, account.key)
        send_at = self._slot_utc + offset
        problems = self.check(PostDraft(
            text=text, platform=platform, region_key=account.region_key,
            scheduled_at=send_at, image=rule.image, election_key=rule.election,
            template=rule.template, stage_key=slot.stage.key, image_alt=image_alt))
        return {
            "account_id": member.account_id,
            "region_key": account.region_key,
            "platform": platform,
            "election_key": rule.election,
            "stage_key": slot.stage.key,
            "template": rule.template,
            "rule_key": rule.key,
            "batch": self._slot_batch,
            "plan_key": plan_key,
            "plan_run_id": run_id,
            "scheduled_at": send_at,
            "due_at": send_at,
            "text": text,
            "image": rule.image,
            "image_alt": image_alt,
            "status": PostStatus.PENDING.value,
            "problems": problems_as_json(problems),
            "created_by": self.created_by,
            "created_at": now,
            "updated_at": now,
            "attempts": 0,
            "platform_ref": {},
        }


def spread_offset(rule: Rule, account_key: str) -> timedelta:
    """How long after its slot the account's post of `rule` goes out: 0 to `spread`
    whole minutes, the same for the same rule and account on every run."""
    if not rule.spread:
        return timedelta(0)
    digest = zlib.crc32(f"{rule.key}|{account_key}".encode())
    return timedelta(minutes=digest % (rule.spread + 1))
