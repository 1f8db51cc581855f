"""Which slot a preview shows: the one the template's own rule would use on the asked day in
the region's calendar and zone, else that rule's nearest slot (said so), else the stage
forced with --stage, else (a template no rule uses) the deepest stage active that day."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from difflib import get_close_matches

from scheduler import localtime
from scheduler.content.cadence import cron_trigger
from scheduler.content.model import Catalog, Election, Region, Rule, Stage
from scheduler.errors import InputError
from scheduler.localtime import local_midnight_utc
from scheduler.slots import Slot, rule_slots

DEFAULT_TIME = time(9, 0)
# How far from the asked day the nearest slot is looked for: the rules' stages are clipped
# to it, so a wide window costs nothing where a rule does not post.
SEARCH_YEARS = 6


@dataclass(frozen=True)
class Choice:
    election: Election
    stage: Stage
    rule: Rule | None
    slot: datetime  # aware, in the region's zone: the slot itself, before any spread
    notes: tuple[str, ...] = ()


def rule_named(catalog: Catalog, key: str) -> Rule:
    rule = catalog.rule(key)
    if rule is None:
        raise InputError(f"aturan tidak dikenal: {key!r}{did_you_mean(key, _rule_keys(catalog))}")
    return rule


def template_named(catalog: Catalog, key: str) -> str:
    if key not in catalog.templates:
        raise InputError(f"templat tidak dikenal: {key!r}"
                         f"{did_you_mean(key, sorted(catalog.templates))}")
    return key


def choose_slot(catalog: Catalog, *, template: str, rule: Rule | None, region: Region,
                platform: str, on: date, at: time | None, stage: str | None) -> Choice:
    """The stage, rule and slot a preview of `template` (or `rule`) for the region's
    `platform` account on local day `on` shows."""
    notes: list[str] = []
    if rule is not None:
        if region.key not in rule.regions or platform not in rule.platforms:
            raise InputError(f"aturan {rule.key!r} tidak mengunggah untuk {region.key} di "
                             f"{platform}")
        candidates = [rule]
    else:
        rules = [r for r in catalog.rules if r.template == template]
        candidates = [r for r in rules if region.key in r.regions and platform in r.platforms]
        if rules and not candidates:
            notes.append(f"aturan templat {template} ({', '.join(r.key for r in rules)}) tidak "
                         f"mengunggah untuk {region.key} di {platform}")
            candidates = rules
        elif not rules:
            notes.append(f"templat {template} tidak dipakai aturan mana pun")
    if stage is not None:
        return _forced(catalog, candidates, region, platform, on, at, stage, notes)
    found = _ruled(catalog, candidates, region, platform, on, at, notes)
    if found is not None:
        return found
    return _active(catalog, candidates, region, on, at, notes, template)


def _ruled(catalog: Catalog, candidates: Sequence[Rule], region: Region, platform: str,
           on: date, at: time | None, notes: list[str]) -> Choice | None:
    """The first candidate's slot on `on`, else the nearest slot of any candidate (the
    nearer day; at equal distance the later one)."""
    best: tuple[tuple[int, int, int], Slot] | None = None
    for order, rule in enumerate(candidates):
        slots = list(rule_slots(
            catalog, rule, on - timedelta(days=366 * SEARCH_YEARS),
            on + timedelta(days=366 * SEARCH_YEARS), region.timezone, region_key=region.key,
            cadence=rule.cadence_for(platform)))
        today = [s for s in slots if s.at.date() == on]
        if today:
            return _choice(catalog, today[0], region, at, notes)
        before = [s for s in slots if s.at.date() < on]
        after = [s for s in slots if s.at.date() > on]
        for slot, later in ((before[-1] if before else None, 1), (after[0] if after else None, 0)):
            if slot is not None:
                rank = (abs((slot.at.date() - on).days), later, order)
                if best is None or rank < best[0]:
                    best = (rank, slot)
    if best is None:
        return None
    slot = best[1]
    notes.append(f"aturan {slot.rule.key} tidak mengunggah pada {localtime.format_date(on)}; "
                 f"jadwal terdekat aturan {slot.rule.key}: "
                 f"{localtime.format_datetime(slot.at, region.timezone)}")
    return _choice(catalog, slot, region, at, notes)


def _choice(catalog: Catalog, slot: Slot, region: Region, at: time | None,
            notes: list[str]) -> Choice:
    when = slot.at if at is None else datetime.combine(slot.at.date(), at, region.timezone)
    return Choice(catalog.calendar(slot.rule.election, region.key), slot.stage, slot.rule,
                  when, tuple(notes))


def _forced(catalog: Catalog, candidates: Sequence[Rule], region: Region, platform: str,
            on: date, at: time | None, stage_key: str, notes: list[str]) -> Choice:
    try:
        election_key = catalog.stage(stage_key).election_key
    except KeyError:
        raise InputError(f"tahapan tidak dikenal: {stage_key!r}") from None
    election = catalog.calendar(election_key, region.key)
    same = [r for r in candidates if r.election == election_key]
    rule = next((r for r in same if stage_key in (*r.during, r.offset_stage)),
                same[0] if same else None)
    if rule is not None and stage_key not in (*rule.during, rule.offset_stage):
        notes.append(f"tahapan {stage_key} dipaksa dengan --stage: aturan {rule.key} tidak "
                     "mengunggah pada tahapan ini")
    fire = _first_fire(rule.cadence_for(platform), on, region.timezone) if rule else None
    slot = datetime.combine(on, at or fire or DEFAULT_TIME, tzinfo=region.timezone)
    return Choice(election, election.stage(stage_key), rule, slot, tuple(notes))


def _active(catalog: Catalog, candidates: Sequence[Rule], region: Region, on: date,
            at: time | None, notes: list[str], template: str) -> Choice:
    """No rule slot: the deepest stage active on `on` (the candidates' election first)."""
    keys = [*dict.fromkeys(r.election for r in candidates), *catalog.elections]
    for key in dict.fromkeys(keys):
        election = catalog.calendar(key, region.key)
        active = election.active_stages(on)
        if active:
            rule = next((r for r in candidates if r.election == key), None)
            if candidates:
                notes.append("aturannya tidak punya jadwal bertanggal: tahapan yang aktif "
                             "pada tanggal ini dipakai")
            slot = datetime.combine(on, at or DEFAULT_TIME, tzinfo=region.timezone)
            return Choice(election, max(active, key=election.depth), rule, slot, tuple(notes))
    raise InputError(
        f"tidak ada tahapan aktif pada {on} untuk templat {template!r}; pilih dengan --stage")


def _first_fire(cadence: str, on: date, tz: tzinfo) -> time | None:
    start = local_midnight_utc(on, tz)
    fire = cron_trigger(cadence, tz).get_next_fire_time(None, start)
    if fire is not None and fire < start + timedelta(days=1):
        return fire.time().replace(tzinfo=None)  # type: ignore[no-any-return]
    return None


def _rule_keys(catalog: Catalog) -> list[str]:
    return [r.key for r in catalog.rules]


def did_you_mean(value: str, choices: Sequence[str]) -> str:
    near = get_close_matches(value, choices, n=3, cutoff=0.6)
    return f" (mungkin maksud Anda: {', '.join(near)})" if near else ""
