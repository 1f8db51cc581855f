"""Load and cross-check everything in content/ and templates/ into one Catalog.

Every problem in every file is collected before anything is reported, so a user fixes
them all in one pass instead of one per run.
"""

from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

from scheduler.content import plan_schema, schema
from scheduler.content.cadence import cron_trigger
from scheduler.content.media_alt import load_media_alts
from scheduler.content.model import (
    VOTING_DAY,
    Catalog,
    Election,
    Link,
    NeutralTerm,
    Region,
    Rule,
    Stage,
)
from scheduler.content.partners import load_partners
from scheduler.content.regions import load_nation, load_regions, time_zone
from scheduler.content.templates import TemplateInfo, scan_templates
from scheduler.content.yamlsource import YamlDocument, documents, yaml_files
from scheduler.errors import ContentError, Problem
from scheduler.platforms import content_platforms
from scheduler.rendering import make_environment, template_problem

M = TypeVar("M", bound=schema.Strict)


def load_catalog(content_dir: Path, templates_dir: Path) -> Catalog:
    """Read and validate all content; raise ContentError listing every problem."""
    problems: list[Problem] = []
    elections = _load_elections(content_dir / "elections", problems)
    after_elections = len(problems)
    links = _load_links(content_dir / "links.yaml", problems)
    known = elections if after_elections == 0 else None
    nation = load_nation(content_dir / "nation.yaml", known, problems, official=set(links))
    regions = load_regions(content_dir / "regions", known, problems, official=set(links),
                           nation=nation)
    after_regions = len(problems)
    templates, template_problems = scan_templates(templates_dir)
    problems.extend(template_problems)
    problems.extend(_syntax_problems(templates_dir, templates))
    # A file that failed to load would make every rule that refers to it fail too; those
    # echoes would bury the real problem, so cross-references are only checked against
    # the kinds of content that loaded cleanly.
    loaded = _Loaded(elections=after_elections == 0, regions=after_regions == after_elections,
                     templates=len(problems) == after_regions)
    rules = _load_rules(content_dir / "plan.yaml", elections, regions, templates, loaded,
                        problems)
    terms = _load_neutrality(content_dir / "neutrality.yaml", problems)
    partners, activities = load_partners(
        content_dir / "partners.yaml", regions=regions if loaded.regions else None,
        templates=templates if loaded.templates else None, terms=tuple(terms), problems=problems)
    image_alts = load_media_alts(content_dir, problems)
    if problems:
        raise ContentError(problems)
    return Catalog(
        elections=elections,
        regions=regions,
        rules=tuple(rules),
        neutral_terms=tuple(terms),
        templates=templates,
        platforms=content_platforms(),
        links=links,
        partners=partners,
        activities=activities,
        image_alts=image_alts,
        nation_key=nation.key if nation else None,
    )


@dataclass(frozen=True)
class _Loaded:
    elections: bool
    regions: bool
    templates: bool


def _load_elections(folder: Path, problems: list[Problem]) -> dict[str, Election]:
    elections: dict[str, Election] = {}
    stage_owner: dict[str, str] = {}
    for doc, spec in documents(yaml_files(folder, problems), schema.ElectionSpec, problems):
        zone = time_zone(spec.timezone, doc, ("timezone",), problems)
        if spec.key in elections:
            problems.append(doc.problem(f"kunci pemilihan ganda: {spec.key!r}", ("key",)))
        keys = {s.key for s in spec.stages}
        for index, stage in enumerate(spec.stages):
            if stage.key in stage_owner:
                problems.append(doc.problem(
                    f"kunci tahapan ganda: {stage.key!r} (sudah ada di {stage_owner[stage.key]})",
                    ("stages", index, "key")))
            stage_owner[stage.key] = spec.key
            if stage.parent is not None and stage.parent not in keys:
                problems.append(doc.problem(
                    f"induk tahapan tidak dikenal: {stage.parent!r}", ("stages", index, "parent")))
        voting = [i for i, s in enumerate(spec.stages) if VOTING_DAY in s.tags]
        if len(voting) > 1:
            problems.append(doc.problem(
                "lebih dari satu tahapan bertanda voting_day", ("stages", voting[1], "tags")))
        if zone is None:
            continue
        elections[spec.key] = Election(
            key=spec.key, name=spec.name, short_name=spec.short_name, timezone=zone,
            hashtags=spec.hashtags,
            stages=tuple(
                Stage(spec.key, s.key, s.name, s.name_en, s.start, s.end, s.parent, s.tags,
                      s.unconfirmed, s.notes, s.time)
                for s in spec.stages
            ),
        )
    return elections


def _syntax_problems(templates_dir: Path, templates: dict[str, TemplateInfo]) -> list[Problem]:
    env = make_environment(templates_dir, ZoneInfo("UTC"))
    problems: list[Problem] = []
    files = {
        f for info in templates.values() for f in [*info.variants.values(), info.default_file] if f
    }
    for file in sorted(files):
        try:
            env.get_template(file)
        except Exception as exc:  # a syntax error, or a template too deep or odd to parse
            problems.append(template_problem(templates_dir, exc, file))
    return problems


def _load_rules(
    path: Path,
    elections: dict[str, Election],
    regions: dict[str, Region],
    templates: dict[str, TemplateInfo],
    loaded: _Loaded,
    problems: list[Problem],
) -> list[Rule]:
    plan = next(documents([path], plan_schema.PlanSpec, problems), None)
    if plan is None:
        return []
    doc, spec = plan
    rules: list[Rule] = []
    seen: set[str] = set()
    for index, rule in enumerate(spec.rules):
        loc: tuple[str | int, ...] = ("rules", index)
        if rule.key in seen:
            problems.append(doc.problem(f"kunci aturan ganda: {rule.key!r}", (*loc, "key")))
        seen.add(rule.key)
        before = len(problems)
        resolved = _resolve_rule(rule, spec.defaults, doc, loc, elections, regions, templates,
                                 loaded, problems)
        if resolved is not None and len(problems) == before and rule.enabled:
            rules.append(resolved)
    return rules


def _resolve_rule(
    rule: plan_schema.RuleSpec,
    defaults: plan_schema.PlanDefaults,
    doc: YamlDocument,
    loc: tuple[str | int, ...],
    elections: dict[str, Election],
    regions: dict[str, Region],
    templates: dict[str, TemplateInfo],
    loaded: _Loaded,
    problems: list[Problem],
) -> Rule | None:
    def problem(message: str, *field: str | int) -> None:
        problems.append(doc.problem(f"aturan {rule.key}: {message}", (*loc, *field)))

    if rule.template not in templates and loaded.templates:
        problem(f"templat tidak dikenal: {rule.template!r}", "template")
    election_key = rule.election or defaults.election
    election = elections.get(election_key or "")
    if election is None and loaded.elections:
        where = (*loc, "election") if rule.election else ("defaults", "election")
        problems.append(doc.problem(f"aturan {rule.key}: pemilihan tidak dikenal: "
                                    f"{election_key!r}", where))
    stage_keys = {s.key for s in election.stages} if election else set()
    for i, stage in enumerate(rule.during):
        if election and stage not in stage_keys:
            problem(f"tahapan tidak dikenal di {election_key}: {stage!r}", "during", i)
    if rule.offsets and election and rule.offsets.stage not in stage_keys:
        problem(f"tahapan tidak dikenal di {election_key}: {rule.offsets.stage!r}",
                "offsets", "stage")
    cadence = rule.cadence or defaults.cadence
    try:
        cron_trigger(cadence, ZoneInfo("UTC"))
    except ValueError as exc:
        problem(str(exc), "cadence")
    platforms = rule.platforms or defaults.platforms
    for platform, own in rule.platform_cadence.items():
        if platform not in platforms:
            problem(f"platform_cadence: {platform!r} bukan platform aturan ini",
                    "platform_cadence", platform)
        try:
            cron_trigger(own, ZoneInfo("UTC"))
        except ValueError as exc:
            problem(f"platform_cadence {platform}: {exc}", "platform_cadence", platform)
    for i, platform in enumerate(platforms):
        if platform not in content_platforms():
            problem(f"platform tidak dikenal: {platform!r} (pilihan: "
                    f"{', '.join(content_platforms())})", "platforms", i)
    region_keys = _select_regions(rule.regions or defaults.regions, regions)
    if isinstance(rule.regions, tuple) and loaded.regions:
        for i, key in enumerate(rule.regions):
            if key not in regions:
                problem(f"wilayah tidak dikenal: {key!r}", "regions", i)
    if election is None or election_key is None:
        return None
    return Rule(
        key=rule.key, template=rule.template, election=election_key, during=rule.during,
        offset_stage=rule.offsets.stage if rule.offsets else None,
        offset_days=rule.offsets.days() if rule.offsets else (),
        cadence=cadence, platforms=tuple(platforms), regions=region_keys, image=rule.image,
        max_lateness=rule.max_lateness, image_alt=rule.image_alt,
        spread=defaults.spread if rule.spread is None else rule.spread,
        platform_cadence=dict(rule.platform_cadence),
    )


def _select_regions(selector: plan_schema.RegionSelector,
                    regions: dict[str, Region]) -> tuple[str, ...]:
    if selector == "all":
        return tuple(regions)
    if selector == "province":
        return tuple(k for k, r in regions.items() if r.is_province)
    if selector == "regencies":
        return tuple(k for k, r in regions.items() if r.is_regency)
    return tuple(k for k in selector if k in regions)


def _load_neutrality(path: Path, problems: list[Problem]) -> list[NeutralTerm]:
    loaded = next(documents([path], schema.NeutralitySpec, problems), None)
    if loaded is None:
        return []
    return [NeutralTerm(t.term, t.category, t.note) for t in loaded[1].terms]


def _load_links(path: Path, problems: list[Problem]) -> dict[str, Link]:
    """content/links.yaml, the addresses templates may cite (`tautan.KEY`); optional."""
    if not path.exists():
        return {}
    loaded = next(documents([path], schema.LinksSpec, problems), None)
    if loaded is None:
        return {}
    doc, spec = loaded
    links: dict[str, Link] = {}
    for i, link in enumerate(spec.links):
        if link.key in links:
            problems.append(doc.problem(f"kunci tautan ganda: {link.key!r}", ("links", i, "key")))
        links[link.key] = Link(link.key, link.url, link.title, link.unofficial_note)
    return links

