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
from functools import partial
from pathlib import Path
from typing import Any

from scheduler.checks.post_checks import (
    CheckSettings,
    PostDraft,
    problems_as_json,
    text_problems,
)
from scheduler.content.model import Account, Catalog, Stage
from scheduler.content.partner_model import Activity, Partner
from scheduler.content.yamlsource import read_yaml
from scheduler.errors import ContentError, Problem
from scheduler.models import PostStatus
from scheduler.planning_keys import Candidates
from scheduler.planning_rows import PostRows
from scheduler.postcontext import slot_vars, stage_vars


class ActivityRows:
    """The activities of a planning run: inside its dates, regions and platforms."""

    def __init__(self, post_rows: PostRows, ids: dict[tuple[str, str], int], *,
                 regions: tuple[str, ...], platforms: tuple[str, ...]) -> None:
        self.base = post_rows
        self.ids = ids
        catalog = post_rows.catalog
        self.activities = [
            a for a in catalog.activities
            if post_rows.date_from <= a.date <= post_rows.date_to
            and (not regions or a.region_key in regions)]
        self.platforms = set(platforms)

    def accounts(self, activity: Activity) -> list[Account]:
        """The enabled accounts of the activity's region that post it."""
        region = self.base.catalog.regions[activity.region_key]
        return [a for a in region.accounts if a.enabled
                and (not self.platforms or a.platform in self.platforms)]

    def count(self) -> int:
        return sum(1 for a in self.activities for account in self.accounts(a)
                   if (account.region_key, account.platform) in self.ids)

    def candidates(self, run_id: int, now: datetime) -> Iterator[Candidates]:
        """Every post of the activities as its natural key (one group per activity),
        rendered only when asked."""
        for activity in self.activities:
            stage = self.stage_on(activity.region_key, activity.date)[1]
            accounts = [(account, self.ids[(account.region_key, account.platform)])
                        for account in self.accounts(activity)
                        if (account.region_key, account.platform) in self.ids]
            if accounts:
                yield Candidates(
                    [f"activity:{activity.key}|{account.key}" for account, _ in accounts],
                    stage.key if stage else None, [a.platform for a, _ in accounts],
                    partial(self._account_row, activity, accounts, run_id, now))

    def _account_row(self, activity: Activity, accounts: list[tuple[Account, int]],
                     run_id: int, now: datetime, index: int) -> dict[str, Any]:
        account, account_id = accounts[index]
        return self._row(activity, account, account_id, run_id, now)

    def stage_on(self, region_key: str, day: dt.date) -> tuple[str | None, Stage | None]:
        catalog = self.base.catalog
        for election_key in catalog.elections:
            calendar = catalog.calendar(election_key, region_key)
            active = calendar.active_stages(day)
            if active:
                return election_key, max(active, key=calendar.depth)
        return None, None

    def drafts_of(self, activity: Activity) -> Iterator[tuple[Account, PostDraft]]:
        """The activity's rendered (unchecked) post for each of its accounts."""
        for account in self.accounts(activity):
            yield account, self.draft(activity, account)

    def draft(self, activity: Activity, account: Account) -> PostDraft:
        """The activity's rendered (unchecked) post for one of its accounts."""
        catalog = self.base.catalog
        region = catalog.regions[activity.region_key]
        partner = catalog.partners[activity.partner_key]
        at = datetime.combine(activity.date, activity.local_time, tzinfo=region.timezone)
        election_key, stage = self.stage_on(region.key, activity.date)
        context: dict[str, Any] = {"slot": at, "today": activity.date, "election": None,
                                   "stage": None, **activity_vars(activity, partner)}
        if election_key is not None and stage is not None:
            context.update(election=self.base.election_ctx[election_key],
                           stage=stage_vars(stage),
                           **slot_vars(catalog.calendar(election_key, region.key), stage, at))
        context.update(self.base.region_ctx(region.key, election_key or ""),
                       platform=account.platform, account={"handle": account.handle})
        template = catalog.templates[activity.template]
        text = self.base.renderer.render(template.file_for(account.platform), context)
        return PostDraft(
            text=text, platform=account.platform, region_key=region.key,
            scheduled_at=at.astimezone(UTC), image=activity.image,
            election_key=election_key, template=activity.template,
            stage_key=stage.key if stage else None, image_alt=activity_alt(activity, catalog))

    def _row(self, activity: Activity, account: Account, account_id: int, run_id: int,
             now: datetime) -> dict[str, Any]:
        draft = self.draft(activity, account)
        problems = self.base.check(draft)
        at = draft.scheduled_at
        return {
            "account_id": account_id,
            "region_key": account.region_key,
            "platform": account.platform,
            "election_key": draft.election_key,
            "stage_key": draft.stage_key,
            "template": activity.template,
            "rule_key": None,
            "batch": f"kegiatan-{activity.key}@{activity.date}T"
                     f"{activity.local_time:%H:%M}",
            "plan_key": f"activity:{activity.key}|{account.key}",
            "plan_run_id": run_id,
            "scheduled_at": at,
            "due_at": at,
            "text": draft.text,
            "image": activity.image,
            "image_alt": draft.image_alt,
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


def activity_problems(catalog: Catalog, templates_dir: Path, checks: CheckSettings,
                      path: Path) -> list[Problem]:
    """`siar check` for joint activities: each one rendered for every account of its region
    and checked like a post's text (length, hashtags, neutrality), at the activity's line
    of `path` (content/partners.yaml)."""
    if not catalog.activities:
        return []
    doc, problems = read_yaml(path)
    where = {a.key: i for i, a in enumerate(catalog.activities)}

    def located(activity: Activity, message: str) -> Problem:
        text = f"kegiatan {activity.key}: {message}"
        loc = ("activities", where[activity.key])
        return doc.problem(text, loc) if doc is not None else Problem(str(path), text)

    rows = ActivityRows(PostRows(catalog, templates_dir, {}, date_from=dt.date.min,
                                 date_to=dt.date.max, created_by="check", checks=checks),
                        {}, regions=(), platforms=())
    for activity in rows.activities:
        try:
            drafts = list(rows.drafts_of(activity))
        except ContentError as exc:
            problems += [located(activity, f"{p.source}: {p.message}") for p in exc.problems]
            continue
        except (ArithmeticError, AttributeError, LookupError, TypeError, ValueError) as exc:
            problems.append(located(activity, f"templat {activity.template} gagal dirender: "
                                              f"{type(exc).__name__}: {exc}"))
            continue
        for account, draft in drafts:
            problems += [located(activity, f"{account.key}: {p.message}")
                         for p in text_problems(draft, catalog, checks)]
    return problems


def activity_alt(activity: Activity, catalog: Catalog) -> str | None:
    """The activity's image described: its own `image_alt`, else content/media/alt.yaml."""
    if not activity.image:
        return None
    return activity.image_alt or catalog.image_alts.get(activity.image)
