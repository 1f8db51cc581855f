"""Planning's rows for joint activities (content/partners.yaml `activities`): one post per
enabled account of the activity's region, on its date at its local time (09.00 when none
is given), rendered from the activity's template with `partner` and `activity` in the
context. The rows have the shape of scheduler.planning_rows.PostRows' rows; the natural
key `activity:<key>|<account>` makes planning them twice a no-op.

The stage of such a post is the one active in the region's own calendar that day (the
deepest, of the first election that has one), so the quiet period and voting day checks
see it like any other post; outside every stage it has none.
"""

import datetime as dt
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from scheduler.checks.post_checks import PostDraft, check_post, problems_as_json
from scheduler.content.model import Region, Stage
from scheduler.content.partner_model import Activity, Partner
from scheduler.models import Account as AccountRow
from scheduler.models import PostStatus
from scheduler.planning_rows import PostRows
from scheduler.postcontext import slot_vars, stage_vars


class ActivityRows:
    """The activities of a planning run: inside its dates, regions and platforms."""

    def __init__(self, post_rows: PostRows, ids: dict[tuple[str, str], AccountRow], *,
                 regions: tuple[str, ...], platforms: tuple[str, ...]) -> None:
        self.base = post_rows
        self.ids = ids
        catalog = post_rows.catalog
        self.activities = [
            a for a in catalog.activities
            if post_rows.date_from <= a.date <= post_rows.date_to
            and (not regions or a.region_key in regions)]
        self.platforms = set(platforms)

    def accounts(self, activity: Activity) -> list[tuple[Region, int, str, str]]:
        """(region, account id, platform, handle) of each account that posts it."""
        region = self.base.catalog.regions[activity.region_key]
        found = []
        for account in region.accounts:
            if not account.enabled or (self.platforms and account.platform not in self.platforms):
                continue
            row = self.ids.get((region.key, account.platform))
            if row is not None:
                found.append((region, row.id or 0, account.platform, account.handle))
        return found

    def count(self) -> int:
        return sum(len(self.accounts(a)) for a in self.activities)

    def rows(self, run_id: int, now: datetime) -> Iterator[dict[str, Any]]:
        for activity in self.activities:
            yield from self._rows(activity, run_id, now)

    def stage_on(self, region_key: str, day: dt.date) -> tuple[str | None, Stage | None]:
        catalog = self.base.catalog
        for election_key in catalog.elections:
            calendar = catalog.calendar(election_key, region_key)
            active = calendar.active_stages(day)
            if active:
                return election_key, max(active, key=calendar.depth)
        return None, None

    def _rows(self, activity: Activity, run_id: int, now: datetime) -> Iterator[dict[str, Any]]:
        catalog = self.base.catalog
        region = catalog.regions[activity.region_key]
        partner = catalog.partners[activity.partner_key]
        at = datetime.combine(activity.date, activity.local_time, tzinfo=region.timezone)
        at_utc = at.astimezone(UTC)
        election_key, stage = self.stage_on(region.key, activity.date)
        base: dict[str, Any] = {"slot": at, "today": activity.date, "election": None,
                                "stage": None, **activity_vars(activity, partner)}
        if election_key is not None and stage is not None:
            base.update(election=self.base.election_ctx[election_key], stage=stage_vars(stage),
                        **slot_vars(catalog.calendar(election_key, region.key), stage, at))
        template = catalog.templates[activity.template]
        for region, account_id, platform, handle in self.accounts(activity):
            context = {**base, **self.base.region_ctx(region.key, election_key or ""),
                       "platform": platform, "account": {"handle": handle}}
            text = self.base.renderer.render(template.file_for(platform), context)
            problems = check_post(PostDraft(
                text=text, platform=platform, region_key=region.key, scheduled_at=at_utc,
                image=activity.image, election_key=election_key, template=activity.template,
                stage_key=stage.key if stage else None), catalog, self.base.checks)
            yield {
                "account_id": account_id,
                "region_key": region.key,
                "platform": platform,
                "election_key": election_key,
                "stage_key": stage.key if stage else None,
                "template": activity.template,
                "rule_key": None,
                "batch": f"kegiatan-{activity.key}@{at:%Y-%m-%dT%H:%M}",
                "plan_key": f"activity:{activity.key}|{region.key}/{platform}",
                "plan_run_id": run_id,
                "scheduled_at": at_utc,
                "due_at": at_utc,
                "text": text,
                "image": activity.image,
                "image_alt": activity.image_alt if activity.image else None,
                "status": PostStatus.PENDING.value,
                "problems": problems_as_json(problems),
                "created_by": self.base.created_by,
                "created_at": now,
                "updated_at": now,
                "attempts": 0,
                "platform_ref": {},
            }


def activity_vars(activity: Activity, partner: Partner) -> dict[str, Any]:
    """`partner` and `activity`, as an activity's template sees them."""
    mou = partner.mou
    return {
        "partner": {
            "key": partner.key, "name": partner.name, "kind": partner.kind,
            "kind_label": partner.kind_label,
            "mou": {"number": mou.number, "signed": mou.signed,
                    "valid_until": mou.valid_until} if mou else None,
        },
        "activity": {"key": activity.key, "title": activity.title, "date": activity.date,
                     "time": activity.local_time},
    }
