"""`siar check` beyond loading: every rule rendered for every account it covers and checked
like a post, and every rule's schedule checked against the calendar (see rule_schedule)."""

import traceback
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from scheduler.checks.length import length_for
from scheduler.checks.post_checks import (
    CheckSettings,
    PostDraft,
    PostProblem,
    image_alt_problems,
    text_problems,
)
from scheduler.content.model import Account, Catalog, Rule, Stage
from scheduler.errors import ContentError, Problem
from scheduler.postcontext import post_context
from scheduler.rendering import PostRenderer
from scheduler.rule_schedule import PlanLines, calendar_slots, schedule_problems
from scheduler.slots import Slot, calendar_keys

FALLBACK_TIME = time(9, 0)
# Problems that are the rule's doing, not its template's: located at this key of the rule.
_RULE_KEYS = {"image_required": "image", "no_variant": "platforms"}


def check_rules(catalog: Catalog, renderer: PostRenderer, plan_file: Path,
                checks: CheckSettings) -> list[Problem]:
    """Every problem of every rule at once; a problem shared by many accounts is listed
    once, with how many accounts it concerns and one of them as an example."""
    plan = PlanLines.read(plan_file)
    found = _Findings(plan, str(renderer.templates_dir))
    # The image file is checked once per rule below, not once per rendered account.
    text_checks = replace(checks, media_dir=None)
    problems: list[Problem] = []
    for rule in catalog.rules:
        slots = calendar_slots(catalog, rule)
        problems += schedule_problems(catalog, rule, slots, plan)
        problems += _image_problems(rule, checks.media_dir, plan)
        problems += _alt_problems(catalog, rule, plan)
        by_calendar = calendar_keys(catalog, rule)
        for stage, at, calendar in _samples(catalog, rule, slots):
            _check_renders(catalog, renderer, rule, stage, at, by_calendar.get(calendar, []),
                           text_checks, found)
    return problems + found.problems()


def _image_problems(rule: Rule, media_dir: Path | None, plan: PlanLines) -> list[Problem]:
    if rule.image is None or media_dir is None or (media_dir / rule.image).is_file():
        return []
    return [plan.problem(rule, "image",
                         f"aturan {rule.key}: gambar tidak ditemukan: {media_dir / rule.image}")]


def _alt_problems(catalog: Catalog, rule: Rule, plan: PlanLines) -> list[Problem]:
    """An image rule whose image nobody describes (not the rule's `image_alt`, its
    template's `alt`, nor content/media/alt.yaml): every post of it would be held."""
    return [plan.problem(rule, "image", f"aturan {rule.key}: {p.message} (image_alt di "
                                        "aturan, alt di templat, atau content/media/alt.yaml)")
            for p in image_alt_problems(rule.image, catalog.image_alt(rule))]


Sample = tuple[Stage, datetime, str | None]  # stage, slot, calendar (None: election-wide)


def _samples(catalog: Catalog, rule: Rule, slots: list[Slot] | None) -> list[Sample]:
    """The first slot in each stage the rule posts in (each H-n day for an offset rule):
    the stage's name and the countdowns change a text's length, the rest only its date."""
    if not slots:
        return _fallback_sample(catalog, rule)
    first: dict[tuple[str | None, str, date | None], Slot] = {}
    for slot in slots:
        first.setdefault((slot.calendar, slot.stage.key,
                          slot.at.date() if rule.offset_stage else None), slot)
    return [(slot.stage, slot.at, slot.calendar) for slot in first.values()]


def _fallback_sample(catalog: Catalog, rule: Rule) -> list[Sample]:
    """A rule that never posts is reported as such, and its template is still rendered (on
    its stage's first day) so that its template errors show up too; not on a stage without
    dates, which a template may rightly assume it has."""
    election = catalog.elections[rule.election]
    keys = (rule.offset_stage,) if rule.offset_stage else rule.during
    stage = next((s for s in map(election.stage, keys) if s.start is not None), None)
    if stage is None or stage.start is None:
        return []
    return [(stage, datetime.combine(stage.start, FALLBACK_TIME, tzinfo=election.timezone),
             None)]


def _check_renders(catalog: Catalog, renderer: PostRenderer, rule: Rule, stage: Stage,
                   at: datetime, region_keys: list[str], checks: CheckSettings,
                   found: "_Findings") -> None:
    """Render the rule at `at` for every account of `region_keys` (the regions that share
    the sample's calendar) and check each text."""
    info = catalog.templates[rule.template]
    for region_key in region_keys:
        region = catalog.regions[region_key]
        election = catalog.calendar(rule.election, region_key)
        for account in region.accounts:
            if account.platform not in rule.platforms:
                continue
            try:
                file = info.file_for(account.platform)
            except LookupError as exc:  # only variants, none for this platform
                found.add(rule, account, None, PostProblem("no_variant", str(exc)), 0)
                continue
            text = _render(renderer, file, post_context(
                region=region, province=catalog.regions[region.province_key],
                election=election, stage=stage, slot=at, account=account,
                links=catalog.links_for(region_key)), rule, account, found)
            if text is None:
                continue
            draft = PostDraft(text=text, platform=account.platform, region_key=region_key,
                              scheduled_at=at, image=rule.image, election_key=rule.election,
                              template=rule.template, image_alt=catalog.image_alt(rule))
            for problem in text_problems(draft, catalog, checks):
                weight = length_for(account.platform, text) if problem.code == "too_long" else 0
                found.add(rule, account, file, problem, weight)


def _render(renderer: PostRenderer, file: str, context: dict[str, Any], rule: Rule,
            account: Account, found: "_Findings") -> str | None:
    try:
        return renderer.render(file, context)
    except ContentError as exc:
        found.template_errors(rule, account, exc.problems)
    except (ArithmeticError, AttributeError, LookupError, TypeError, ValueError) as exc:
        # A filter that raised (a date filter given none): planning would crash on it.
        found.template_errors(rule, account, [_crash_problem(renderer.templates_dir, exc, file)])
    return None


def _crash_problem(templates_dir: Path, exc: Exception, file: str) -> Problem:
    """Located like a template error: Jinja rewrites the traceback so that its innermost
    frame inside the templates is where the template called what raised."""
    root = str(templates_dir.resolve())
    source, line = f"{templates_dir}/{file}", None
    for frame in traceback.extract_tb(exc.__traceback__):
        if str(Path(frame.filename).resolve()).startswith(root):
            source, line = frame.filename, frame.lineno
    return Problem(source, f"gagal dirender: {type(exc).__name__}: {exc}", line)


@dataclass
class _Group:
    """One problem of one rule's template variant, over every account that has it."""

    problem: Problem
    rule: str
    example: str
    weight: int  # how bad the example is (its length for a text too long): the worst wins
    accounts: set[str] = field(default_factory=set)

    def reported(self) -> Problem:
        count = len(self.accounts)
        who = f"akun {self.example}" if count == 1 else f"{count} akun, mis. {self.example}"
        return replace(self.problem, message=f"{self.problem.message} (aturan {self.rule}, {who})")


class _Findings:
    """Problems of rendered texts, grouped by rule, template file and kind."""

    def __init__(self, plan: PlanLines, templates_dir: str) -> None:
        self.plan = plan
        self.templates_dir = templates_dir
        self.groups: dict[tuple[str, str | None, str], _Group] = {}
        # A template error is the template's, whichever rule met it first: listed once.
        self.errors: dict[tuple[str, int | None, str], Problem] = {}

    def add(self, rule: Rule, account: Account, file: str | None, problem: PostProblem,
            weight: int) -> None:
        key = _RULE_KEYS.get(problem.code)
        where = (self.plan.problem(rule, key, problem.message) if key is not None
                 else Problem(f"{self.templates_dir}/{file}", problem.message))
        group = self.groups.setdefault((rule.key, file, problem.code),
                                       _Group(where, rule.key, account.key, weight))
        group.accounts.add(account.key)
        if weight > group.weight:
            group.problem, group.example, group.weight = where, account.key, weight

    def template_errors(self, rule: Rule, account: Account, problems: list[Problem]) -> None:
        for p in problems:
            self.errors.setdefault((p.source, p.line, p.message), replace(
                p, message=f"{p.message} (aturan {rule.key}, mis. {account.key})"))

    def problems(self) -> list[Problem]:
        return [*self.errors.values(), *(g.reported() for g in self.groups.values())]
