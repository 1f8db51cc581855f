"""A rule's schedule against the calendar, for `siar check`: a rule that never posts (a
cadence on a date that never exists, or never inside its stages), and a rule whose posts
the quiet period, voting day or the results embargo would always hold."""

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from scheduler import localtime
from scheduler.checks.post_checks import PostDraft, calendar_problems
from scheduler.content.cadence import cron_trigger
from scheduler.content.model import RESULTS, Catalog, Rule, Stage
from scheduler.content.yamlsource import YamlDocument, read_yaml
from scheduler.errors import Problem
from scheduler.localtime import local_midnight_utc
from scheduler.slots import Slot, calendar_keys, rule_slots

# rule_slots only walks the days of the rule's own stages (or its H-n days), so this wide
# range costs nothing; it only has to hold every calendar.
CALENDAR_START, CALENDAR_END = date(1900, 1, 1), date(2200, 12, 31)


@dataclass(frozen=True)
class PlanLines:
    """Where each rule is in plan.yaml. The catalog's rules carry no line numbers; the plan
    is small, so reading it once more is simpler than threading lines through the model."""

    label: str
    doc: YamlDocument | None
    index: dict[str, int]  # rule key -> position in `rules`

    @classmethod
    def read(cls, path: Path) -> "PlanLines":
        doc, _ = read_yaml(path)
        rules = doc.data.get("rules") if doc and isinstance(doc.data, dict) else None
        index: dict[str, int] = {}
        for position, item in enumerate(rules if isinstance(rules, list) else []):
            if isinstance(item, dict) and isinstance(item.get("key"), str):
                index.setdefault(item["key"], position)
        return cls(str(path), doc, index)

    def problem(self, rule: Rule, key: str, message: str) -> Problem:
        """A problem at the rule's `key` (or at the rule itself when it inherits that key
        from the plan's defaults)."""
        position = self.index.get(rule.key)
        line = (self.doc.line_of(("rules", position, key))
                if self.doc is not None and position is not None else None)
        return Problem(self.label, message, line)


def calendar_slots(catalog: Catalog, rule: Rule) -> list[Slot] | None:
    """Every slot of `rule` in every calendar its regions follow (the election-wide one,
    and each region's own), or None when its cadence never fires at all."""
    tz = catalog.elections[rule.election].timezone
    # On a date that never exists (30 February) APScheduler searches up to year 9999 and
    # gives up, in about 0.2 s: ask once here, so rule_slots never repeats it per stage.
    for cadence in {rule.cadence, *rule.platform_cadence.values()}:
        trigger = cron_trigger(cadence, tz)
        if trigger.get_next_fire_time(None, local_midnight_utc(CALENDAR_START, tz)) is None:
            return None
    return [slot for calendar in calendar_keys(catalog, rule) or {None: []}
            for slot in rule_slots(catalog, rule, CALENDAR_START, CALENDAR_END, tz,
                                   region_key=calendar)]


def schedule_problems(catalog: Catalog, rule: Rule, slots: list[Slot] | None,
                      plan: PlanLines) -> list[Problem]:
    if slots is None:
        return [plan.problem(rule, "cadence", (
            f"aturan {rule.key}: cadence {rule.cadence!r} tidak pernah berjalan: tanggal atau "
            "hari itu tidak pernah ada di kalender"))]
    if not slots:
        if _awaits_announcement(catalog, rule):
            return []
        return [_no_slot_problem(catalog, rule, plan)]
    return _held_problems(catalog, rule, slots, plan)


def _awaits_announcement(catalog: Catalog, rule: Rule) -> bool:
    """A rule that posts only in results stages nobody dated (a regency's winner
    declaration, which waits for the Constitutional Court): its posts are planned once
    `siar results announce` records the announcement, which dates the stage."""
    election = catalog.elections[rule.election]
    keys = (rule.offset_stage,) if rule.offset_stage else rule.during
    stages = [election.stage(k) for k in keys if k is not None]
    return all(s.start is None and RESULTS in s.tags for s in stages)


def _no_slot_problem(catalog: Catalog, rule: Rule, plan: PlanLines) -> Problem:
    election = catalog.elections[rule.election]
    stages = [election.stage(k) for k in ((rule.offset_stage,) if rule.offset_stage
                                          else rule.during)]
    if all(stage.start is None for stage in stages):
        names = ", ".join(stage.key for stage in stages)
        return plan.problem(rule, _stage_key(rule), (
            f"aturan {rule.key}: tahapan {names} belum bertanggal, jadi aturan ini tidak pernah "
            "berjalan (isi tanggalnya, atau nonaktifkan aturan dengan enabled: false)"))
    return plan.problem(rule, "cadence", (
        f"aturan {rule.key}: cadence {rule.cadence!r} tidak pernah jatuh pada "
        f"{_when(rule, stages)}"))


def _when(rule: Rule, stages: list[Stage]) -> str:
    """The days a rule may post on, for people: its stages, or its H-n days."""
    if rule.offset_stage is None:
        return ", ".join(f"{s.name} ({_span(s)})" for s in stages if s.start is not None)
    start = stages[0].start
    assert start is not None
    days = ", ".join(
        f"{_offset_label(d)} ({localtime.format_date_short(start + timedelta(days=d))})"
        for d in rule.offset_days)
    return f"{days} dari {stages[0].name}"


def _held_problems(catalog: Catalog, rule: Rule, slots: list[Slot],
                   plan: PlanLines) -> list[Problem]:
    """A template not marked safe for a quiet period or voting day that the rule posts in
    is held on each of those slots; a results template is held when every slot comes
    before the official results. Both are content mistakes, whatever day it is now."""
    held: dict[str, int] = {}  # the calendar check's message -> slots it holds
    results_held, results_message = 0, ""
    for slot in slots:
        draft = PostDraft(text="", platform=rule.platforms[0] if rule.platforms else "",
                          region_key=slot.calendar or (rule.regions[0] if rule.regions else ""),
                          scheduled_at=slot.at, election_key=rule.election,
                          template=rule.template, stage_key=slot.stage.key,
                          image=rule.image, image_alt=catalog.image_alt(rule))
        for problem in calendar_problems(draft, catalog):
            if problem.code == "results_held":
                results_held, results_message = results_held + 1, problem.message
            else:
                held[problem.message] = held.get(problem.message, 0) + 1
    key = _stage_key(rule)
    problems = [plan.problem(rule, key, f"aturan {rule.key}: {message} — {count} jadwalnya "
                                        "pasti ditahan") for message, count in held.items()]
    if results_held == len(slots):
        problems.append(plan.problem(rule, key, f"aturan {rule.key}: {results_message} — semua "
                                                f"{results_held} jadwalnya pasti ditahan"))
    return problems


def _stage_key(rule: Rule) -> str:
    return "offsets" if rule.offset_stage is not None else "during"


def _offset_label(days: int) -> str:
    return f"H{days:+d}" if days else "H"


def _span(stage: Stage) -> str:
    first = stage.start
    assert first is not None
    last = stage.end or first
    if first == last:
        return localtime.format_date_short(first)
    return f"{localtime.format_date_short(first)} – {localtime.format_date_short(last)}"
