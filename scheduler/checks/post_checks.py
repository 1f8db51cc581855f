"""The checks every post goes through when it is created, edited and approved.

A problem blocks approval unless an admin overrides it with a written reason. Checks:
platform limits (length as the platform counts it, hashtag cap, required image), the
image's description for screen readers (alt text: present, within the limit), neutrality
(participants' names, parties, ballot numbers; in the alt text too), the quiet period and
voting day (only templates marked safe), and results held until their official
publication.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from scheduler import localtime

# Re-exported: most callers import the draft and problem types from here.
from scheduler.checks.drafts import PostDraft as PostDraft
from scheduler.checks.drafts import PostProblem as PostProblem
from scheduler.checks.length import count_hashtags, length_for
from scheduler.checks.links import unofficial_links
from scheduler.checks.partners import partner_problems
from scheduler.checks.terms import fold, terms_pattern
from scheduler.config import Settings
from scheduler.content.model import (
    QUIET_PERIOD,
    RESULTS,
    VOTING_DAY,
    Catalog,
    Region,
    Stage,
)
from scheduler.platforms import MAX_ALT_TEXT, platform_limit

# (election, stage, region) -> when an authorised user recorded that region's results
# as announced (`siar results announce`; scheduler.results.releases reads them).
Releases = Mapping[tuple[str, str, str], datetime]


@dataclass(frozen=True)
class CheckSettings:
    instagram_max_hashtags: int = 5
    media_dir: Path | None = None  # where images live; None skips the file check
    releases: Releases = field(default_factory=dict)

    @classmethod
    def of(cls, settings: Settings) -> "CheckSettings":
        return cls(settings.instagram_max_hashtags, settings.media_dir)


def check_post(draft: PostDraft, catalog: Catalog, settings: CheckSettings) -> list[PostProblem]:
    """Every check: the text's own (content_problems), then the calendar's. Planning
    memoises both halves (scheduler.checks.memo): keep their inputs as documented."""
    return content_problems(draft, catalog, settings) + calendar_problems(
        draft, catalog, settings.releases)


def content_problems(draft: PostDraft, catalog: Catalog,
                     settings: CheckSettings) -> list[PostProblem]:
    """The checks that read only the text, platform, image and its description.
    (scheduler.checks.memo.CheckMemo repeats these steps, in this order.)"""
    problems = length_problems(draft, settings)
    problems += image_alt_problems(draft.image, draft.image_alt)
    # The description is published with the image: it stays neutral too.
    problems += neutrality_problems(draft.text, catalog, draft.image_alt)
    problems += link_problems(draft.text, catalog)
    return problems


def image_alt_problems(image: str | None, alt: str | None) -> list[PostProblem]:
    """An image needs a description for screen readers (alt text), short enough for
    every platform that takes one. Platforms without alt text (Telegram) still get an
    image that has one: the post is the same everywhere."""
    if not image:
        return []
    text = (alt or "").strip()
    if not text:
        return [PostProblem("image_alt_missing", (
            f"gambar {image} tanpa teks alternatif (alt text) untuk pembaca layar: isi "
            "deskripsi gambarnya"))]
    if len(text) > MAX_ALT_TEXT:
        return [PostProblem("image_alt_too_long", (
            f"teks alternatif gambar {len(text)}/{MAX_ALT_TEXT} karakter: terlalu panjang "
            "untuk platform; persingkat"))]
    return []


def text_problems(draft: PostDraft, catalog: Catalog, settings: CheckSettings) -> list[PostProblem]:
    """The checks that depend on the text, platform and image alone, not on the date: what
    a template's sample render can tell (`siar check`). An empty text is a problem too."""
    problems = [] if draft.text.strip() else [
        PostProblem("empty", f"teks kosong untuk {draft.platform}")]
    problems += length_problems(draft, settings)
    problems += neutrality_problems(draft.text, catalog, draft.image_alt)
    problems += link_problems(draft.text, catalog)
    return problems


@dataclass(frozen=True)
class LengthFit:
    """A text's length on one platform as that platform counts it, against its limit."""

    platform: str
    length: int
    limit: int
    counted_as: str

    @property
    def over(self) -> bool:
        return self.length > self.limit


def length_and_limit(platform: str, text: str, image: str | None) -> tuple[int, int]:
    """`text`'s length as the platform counts it, and the most it allows (a caption's
    limit when an image is attached)."""
    limits = platform_limit(platform)
    maximum = limits.caption_length if image and limits.caption_length else limits.max_length
    return length_for(platform, text), maximum


def length_problem(platform: str, text: str, image: str | None) -> PostProblem | None:
    """Too long as the platform counts it (a caption when an image is attached)."""
    limits = platform_limit(platform)
    length, maximum = length_and_limit(platform, text, image)
    if length <= maximum:
        return None
    what = "keterangan gambar" if maximum != limits.max_length else "teks"
    return PostProblem("too_long",
                       f"{what} {length}/{maximum} {limits.counted_as} untuk {platform}")


def length_problems(draft: PostDraft, settings: CheckSettings) -> list[PostProblem]:
    limits = platform_limit(draft.platform)
    too_long = length_problem(draft.platform, draft.text, draft.image)
    problems = [too_long] if too_long else []
    cap = settings.instagram_max_hashtags if draft.platform == "instagram" else limits.max_hashtags
    if cap is not None:
        hashtags = count_hashtags(draft.text)
        if hashtags > cap:
            problems.append(PostProblem(
                "too_many_hashtags", f"{hashtags} tagar, {draft.platform} paling banyak {cap}"))
    if limits.image_required and not draft.image:
        problems.append(PostProblem("image_required", f"{draft.platform} wajib menyertakan gambar"))
    if draft.image and settings.media_dir and not (settings.media_dir / draft.image).is_file():
        problems.append(PostProblem(
            "image_missing", f"gambar tidak ditemukan: {settings.media_dir / draft.image}"))
    return problems


def neutrality_problems(text: str, catalog: Catalog, alt: str | None = None) -> list[PostProblem]:
    """Participants named in the text or in the image's alt text."""
    pattern = terms_pattern(catalog.neutral_terms)
    if pattern is None:
        return []
    found = {" ".join(m.group(0).split()) for part in (text, alt or "")
             for m in pattern.finditer(fold(part))}
    if not found:
        return []
    names = sorted(t.term for t in catalog.neutral_terms if fold(t.term) in found)
    return [PostProblem("neutrality", "menyebut peserta pemilu (netralitas): " + ", ".join(names))]


def link_problems(text: str, catalog: Catalog) -> list[PostProblem]:
    return [PostProblem("unofficial_link", (
        f"{link.url} memuat data yang bukan hasil resmi; sertakan: {link.unofficial_note}"))
        for link in unofficial_links(text, catalog.links)]


def calendar_problems(draft: PostDraft, catalog: Catalog,
                      releases: Releases | None = None) -> list[PostProblem]:
    """The quiet period, voting day and results release, in the region's own calendar;
    partners named without a valid MoU and PKS that day."""
    return date_problems(draft, catalog, releases) + partner_problems(draft, catalog)


def date_problems(draft: PostDraft, catalog: Catalog,
                  releases: Releases | None = None) -> list[PostProblem]:
    """The quiet period, voting day and results release, in the region's own calendar.
    Reads the region, the local day (for a results template: the instant), the template,
    the election and the stage; never the text."""
    region = catalog.regions.get(draft.region_key)
    zone = region.timezone if region else next(iter(catalog.elections.values())).timezone
    day = draft.scheduled_at.astimezone(zone).date()
    info = catalog.templates.get(draft.template) if draft.template else None
    problems = []
    for tag, code, safe in (
        (QUIET_PERIOD, "quiet_period", info.quiet_period_safe if info else False),
        (VOTING_DAY, "voting_day", info.voting_day_safe if info else False),
    ):
        stage = catalog.tagged_stage_on(tag, day, draft.region_key)
        if stage is not None and not safe:
            kind = f"templat {draft.template!r}" if draft.template else "unggahan ad hoc"
            problems.append(PostProblem(code, (
                f"{stage.name} ({_span(stage)}): {kind} tidak ditandai aman untuk "
                f"{'masa tenang' if tag == QUIET_PERIOD else 'hari pemungutan suara'}")))
    if info is not None and info.results:
        problem = results_problem(draft, catalog, releases or {})
        if problem is not None:
            problems.append(problem)
    return problems


def problems_as_json(problems: Sequence[PostProblem]) -> list[dict[str, Any]]:
    return [p.as_dict() for p in problems]


def results_problem(draft: PostDraft, catalog: Catalog,
                    releases: Releases) -> PostProblem | None:
    """A results post waits for its region's results: the results stage it was planned in
    (any results stage of its election, for a post planned outside one) must have begun in
    the region's own calendar, at its recorded time, or have been recorded as announced
    for the region or its province."""
    election_key = draft.election_key
    if election_key is None or election_key not in catalog.elections:
        return PostProblem("results_held", "konten hasil ditahan: pemilihannya tidak diketahui")
    calendar = catalog.calendar(election_key, draft.region_key)
    region = catalog.regions.get(draft.region_key)
    zone = region.timezone if region else calendar.timezone
    where = region.area if region else draft.region_key
    stages = [s for s in calendar.stages if RESULTS in s.tags]
    if draft.stage_key in {s.key for s in stages}:
        stages = [s for s in stages if s.key == draft.stage_key]
    opens = [t for t in (_release(s, region, zone, releases) for s in stages) if t is not None]
    if not opens:
        names = ", ".join(s.name for s in stages) or "tahapan hasil"
        return PostProblem("results_held", (
            f"konten hasil ditahan: {names} di {where} belum bertanggal dan belum dicatat "
            "diumumkan (siar results announce)"))
    first = min(opens)
    if draft.scheduled_at < first:
        return PostProblem("results_held", (
            f"konten hasil ditahan sampai hasil resmi di {where} "
            f"({localtime.format_datetime(first, zone)})"))
    return None


def _release(stage: Stage, region: Region | None, zone: ZoneInfo,
             releases: Releases) -> datetime | None:
    """When `stage`'s results are out in `region`: its calendar start, or a recorded
    announcement for the region or its province, whichever is first."""
    found = [stage.begins_at(zone)]
    if region is not None:
        for key in {region.key, region.province_key}:
            found.append(releases.get((stage.election_key, stage.key, key)))
    dated = [t for t in found if t is not None]
    return min(dated) if dated else None


def _span(stage: Stage) -> str:
    assert stage.start is not None
    assert stage.end is not None
    if stage.start == stage.end:
        return localtime.format_date_short(stage.start)
    return f"{localtime.format_date_short(stage.start)} – {localtime.format_date_short(stage.end)}"
