"""Planning's rows: each rule's accounts grouped by their region's time zone, the rule's
local slots in each zone, and one rendered, checked post row per account and slot.

A cadence is local wall-clock time and stage dates are local calendar dates, both in
each region's own zone: 09.00 is 02:00 UTC for a WIB office and 01:00 UTC for a WITA
one. A post's slot therefore depends only on its own region, never on which other
regions are planned with it, so its natural key (rule, account, UTC instant) is stable
and re-planning one region never adds a second post.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from scheduler.accounts import account_ids
from scheduler.checks.post_checks import CheckSettings, PostDraft, check_post, problems_as_json
from scheduler.content.model import Account, Catalog, Region, Rule
from scheduler.models import PostStatus
from scheduler.postcontext import election_vars, region_vars, slot_vars, stage_vars
from scheduler.rendering import PostRenderer
from scheduler.slots import Slot, rule_slots


@dataclass(frozen=True)
class Member:
    """One account a rule posts to."""

    region: Region
    account: Account
    account_id: int


ZoneMembers = dict[ZoneInfo, list[Member]]  # a rule's accounts by their region's zone


def rule_members(session: Session, catalog: Catalog, regions: tuple[str, ...],
                 platforms: tuple[str, ...]) -> dict[str, ZoneMembers]:
    """For each rule, the enabled accounts it posts to (in region order), by zone.
    Empty `regions` or `platforms` means all of them."""
    ids = account_ids(session)
    wanted_regions, wanted_platforms = set(regions), set(platforms)
    result: dict[str, ZoneMembers] = {}
    for rule in catalog.rules:
        by_zone: ZoneMembers = {}
        for region_key in rule.regions:
            if wanted_regions and region_key not in wanted_regions:
                continue
            region = catalog.regions[region_key]
            for account in region.accounts:
                if account.platform not in rule.platforms or not account.enabled:
                    continue
                if wanted_platforms and account.platform not in wanted_platforms:
                    continue
                row = ids[(region_key, account.platform)]
                by_zone.setdefault(region.timezone, []).append(
                    Member(region, account, row.id or 0))
        result[rule.key] = by_zone
    return result


class PostRows:
    """Expands rules into post rows; holds the per-run caches (slots per rule and zone,
    templates, region and election variables)."""

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
        self.region_ctx = {
            key: {"region": region_vars(r),
                  "province": region_vars(catalog.regions[r.province_key])}
            for key, r in catalog.regions.items()
        }
        self.election_ctx = {key: election_vars(e) for key, e in catalog.elections.items()}
        self._slots: dict[tuple[str, ZoneInfo], list[Slot]] = {}

    def count(self) -> int:
        """How many rows rows() yields (the progress bar's total)."""
        return sum(len(members) * len(self.slots(rule, zone))
                   for rule in self.catalog.rules
                   for zone, members in self.members.get(rule.key, {}).items())

    def slots(self, rule: Rule, zone: ZoneInfo) -> list[Slot]:
        """The rule's slots in local time of `zone`, computed once per run (count() and
        rows() both need them, and every account in the zone shares them)."""
        key = (rule.key, zone)
        found = self._slots.get(key)
        if found is None:
            found = self._slots[key] = list(
                rule_slots(self.catalog, rule, self.date_from, self.date_to, zone))
        return found

    def rows(self, run_id: int, now: datetime) -> Iterator[dict[str, Any]]:
        for rule in self.catalog.rules:
            for zone, members in self.members.get(rule.key, {}).items():
                for slot in self.slots(rule, zone):
                    yield from self._slot_rows(rule, slot, members, run_id, now)

    def _slot_rows(self, rule: Rule, slot: Slot, members: list[Member], run_id: int,
                   now: datetime) -> Iterator[dict[str, Any]]:
        election = self.catalog.elections[rule.election]
        base = {"election": self.election_ctx[rule.election], "stage": stage_vars(slot.stage),
                **slot_vars(election, slot.stage, slot.at)}
        template = self.catalog.templates[rule.template]
        at_utc = slot.at.astimezone(UTC)
        # Local wall time: offices in WIB and WITA posting at 09.00 their time share one
        # batch, so a reviewer still decides once per rule and slot.
        batch = f"{rule.key}@{slot.at:%Y-%m-%dT%H:%M}"
        stamp = f"{at_utc:%Y%m%dT%H%MZ}"
        for member in members:
            account = member.account
            context = {**base, **self.region_ctx[account.region_key],
                       "platform": account.platform, "account": {"handle": account.handle}}
            text = self.renderer.render(template.file_for(account.platform), context)
            problems = check_post(PostDraft(
                text=text, platform=account.platform, region_key=account.region_key,
                scheduled_at=at_utc, image=rule.image, election_key=rule.election,
                template=rule.template), self.catalog, self.checks)
            yield {
                "account_id": member.account_id,
                "region_key": account.region_key,
                "platform": account.platform,
                "election_key": rule.election,
                "stage_key": slot.stage.key,
                "template": rule.template,
                "rule_key": rule.key,
                "batch": batch,
                "plan_key": f"{rule.key}|{account.key}|{stamp}",
                "plan_run_id": run_id,
                "scheduled_at": at_utc,
                "due_at": at_utc,
                "text": text,
                "image": rule.image,
                "status": PostStatus.PENDING.value,
                "problems": problems_as_json(problems),
                "created_by": self.created_by,
                "created_at": now,
                "updated_at": now,
                "attempts": 0,
                "platform_ref": {},
            }
