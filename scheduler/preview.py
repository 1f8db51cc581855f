"""Render one post without planning it: exactly as planning would, for one account and day."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from scheduler.content.cadence import cron_trigger
from scheduler.content.model import Catalog, Election, Region, Rule, Stage
from scheduler.errors import InputError, UnknownPlatformError, UnknownRegionError
from scheduler.localtime import local_midnight_utc
from scheduler.postcontext import post_context
from scheduler.rendering import PostRenderer
from scheduler.slots import rule_slots

DEFAULT_TIME = time(9, 0)


@dataclass(frozen=True)
class Preview:
    text: str
    template_file: str
    region: str
    platform: str
    stage: Stage
    election: Election
    slot: datetime


def preview_post(
    catalog: Catalog,
    renderer: PostRenderer,
    *,
    template: str,
    region: str,
    platform: str,
    on: date,
    at: time | None = None,
    stage: str | None = None,
) -> Preview:
    """One post exactly as planning would render it for that account and day."""
    if template not in catalog.templates:
        raise InputError(f"templat tidak dikenal: {template!r} (pilihan: "
                         f"{', '.join(sorted(catalog.templates))})")
    if region not in catalog.regions:
        raise UnknownRegionError(f"wilayah tidak dikenal: {region!r}")
    if platform not in catalog.platforms:
        raise UnknownPlatformError(
            f"platform tidak dikenal: {platform!r} (pilihan: {', '.join(catalog.platforms)})")
    the_region = catalog.regions[region]
    account = next((a for a in the_region.accounts if a.platform == platform), None)
    if account is None:
        raise UnknownPlatformError(f"{the_region.name} tidak punya akun {platform}")
    election, the_stage, rule = _stage_for(catalog, template, on, stage, the_region)
    slot_time = at or (_first_fire(rule, on, the_region.timezone) if rule else None) or DEFAULT_TIME
    slot = datetime.combine(on, slot_time, tzinfo=the_region.timezone)
    file = catalog.templates[template].file_for(platform)
    context = post_context(region=the_region, province=catalog.regions[the_region.province_key],
                           election=election, stage=the_stage, slot=slot, account=account,
                           links=catalog.links_for(region))
    return Preview(renderer.render(file, context), file, region, platform, the_stage, election,
                   slot)


def _stage_for(catalog: Catalog, template: str, on: date, stage_key: str | None,
               region: Region) -> tuple[Election, Stage, Rule | None]:
    """The stage (and rule) a template posts in on `on`, a local date in the region's zone
    and calendar (as planning reads it)."""
    rules = [r for r in catalog.rules if r.template == template]
    if stage_key is not None:
        try:
            election_key = catalog.stage(stage_key).election_key
        except KeyError:
            raise InputError(f"tahapan tidak dikenal: {stage_key!r}") from None
        election = catalog.calendar(election_key, region.key)
        rule = next((r for r in rules if stage_key in (*r.during, r.offset_stage)), None)
        return election, election.stage(stage_key), rule
    for rule in rules:
        election = catalog.calendar(rule.election, region.key)
        for slot in rule_slots(catalog, rule, on, on, region.timezone, region_key=region.key,
                               cadence=rule.cadence):
            return election, slot.stage, rule
    for key in catalog.elections:
        election = catalog.calendar(key, region.key)
        active = election.active_stages(on)
        if active:
            return election, max(active, key=election.depth), None
    raise InputError(
        f"tidak ada tahapan aktif pada {on} untuk templat {template!r}; pilih dengan --stage")


def _first_fire(rule: Rule, on: date, tz: tzinfo) -> time | None:
    start = local_midnight_utc(on, tz)
    fire = cron_trigger(rule.cadence, tz).get_next_fire_time(None, start)
    if fire is not None and fire < start + timedelta(days=1):
        return fire.time().replace(tzinfo=None)  # type: ignore[no-any-return]
    return None
