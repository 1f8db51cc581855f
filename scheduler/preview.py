"""Render one post without planning it, exactly as planning would for one account and day:
the slot and stage of the template's own rule (scheduler.preview_slots), the rule's image,
alt text and spread, and every check approval runs."""

from dataclasses import dataclass
from datetime import date, datetime, time

from scheduler.checks.post_checks import CheckSettings, PostDraft, PostProblem, check_post
from scheduler.content.model import Catalog, Election, Rule, Stage
from scheduler.errors import InputError, UnknownPlatformError, UnknownRegionError
from scheduler.planning_rows import spread_offset
from scheduler.postcontext import post_context
from scheduler.preview_slots import choose_slot, did_you_mean, rule_named, template_named
from scheduler.rendering import PostRenderer

RESULTS_NOTE = ("pratinjau tidak membaca basis data: penahanan hasil dicabut lebih awal bila "
                "pengumuman hasil wilayah ini dicatat (siar results announce)")


@dataclass(frozen=True)
class Preview:
    text: str
    template_file: str
    region: str
    platform: str
    stage: Stage
    election: Election
    slot: datetime  # the rule's slot (what the template sees), in the region's zone
    template: str = ""
    rule: Rule | None = None
    send_at: datetime | None = None  # the slot plus the account's spread: when it goes out
    image: str | None = None
    image_alt: str | None = None
    problems: tuple[PostProblem, ...] = ()
    notes: tuple[str, ...] = ()  # what the reader should know: a nearest slot, a held result


def preview_post(
    catalog: Catalog,
    renderer: PostRenderer,
    *,
    template: str | None = None,
    region: str,
    platform: str,
    on: date,
    at: time | None = None,
    stage: str | None = None,
    rule: str | None = None,
    checks: CheckSettings | None = None,
) -> Preview:
    """One post exactly as planning would render and check it for that account and day
    (`checks` without releases: a recorded announcement is not known here)."""
    the_rule = rule_named(catalog, rule) if rule is not None else None
    if the_rule is not None and template is not None and template != the_rule.template:
        raise InputError(f"aturan {the_rule.key!r} memakai templat {the_rule.template!r}, "
                         f"bukan {template!r}")
    if the_rule is None and template is None:
        raise InputError("sebutkan --template atau --rule")
    template = template_named(catalog, the_rule.template if the_rule else template or "")
    if region not in catalog.regions:
        raise UnknownRegionError(f"wilayah tidak dikenal: {region!r}"
                                 f"{did_you_mean(region, list(catalog.regions))}")
    if platform not in catalog.platforms:
        raise UnknownPlatformError(
            f"platform tidak dikenal: {platform!r} (pilihan: {', '.join(catalog.platforms)})")
    the_region = catalog.regions[region]
    account = next((a for a in the_region.accounts if a.platform == platform), None)
    if account is None:
        raise UnknownPlatformError(f"{the_region.name} tidak punya akun {platform}")
    choice = choose_slot(catalog, template=template, rule=the_rule, region=the_region,
                         platform=platform, on=on, at=at, stage=stage)
    file = catalog.templates[template].file_for(platform)
    context = post_context(region=the_region, province=catalog.regions[the_region.province_key],
                           election=choice.election, stage=choice.stage, slot=choice.slot,
                           account=account, links=catalog.links_for(region))
    text = renderer.render(file, context)
    used = choice.rule
    send_at = choice.slot + spread_offset(used, account.key) if used else choice.slot
    image = used.image if used else None
    image_alt = catalog.image_alt(used) if used else None
    problems = check_post(PostDraft(
        text=text, platform=platform, region_key=region, scheduled_at=send_at, image=image,
        election_key=choice.election.key, template=template, stage_key=choice.stage.key,
        image_alt=image_alt), catalog, checks or CheckSettings())
    notes = choice.notes
    if any(p.code == "results_held" for p in problems):
        notes += (RESULTS_NOTE,)
    return Preview(text, file, region, platform, choice.stage, choice.election, choice.slot,
                   template=template, rule=used, send_at=send_at, image=image,
                   image_alt=image_alt, problems=tuple(problems), notes=notes)
