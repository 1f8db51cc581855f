"""Tulis: one ad-hoc text for several platforms and regions at once, checked as a whole
before anything is written (the web composer's service).

A composition becomes one post per region x platform (scheduler.editing.create_posts),
drafts or submitted for review at once. What makes a post impossible (too long, in the
past, outside the author's regions, an image without its description) refuses the whole
composition; what the checks merely flag (neutrality, the quiet period, hashtags) needs
the author's explicit acknowledgement, and reviewers see it on every post."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, tzinfo

from sqlmodel import Session, col, select

from scheduler.checks.post_checks import (
    CheckSettings,
    LengthFit,
    PostDraft,
    check_post,
    length_and_limit,
    length_problem,
)
from scheduler.content.model import NATION_KIND, PROVINCE_KIND, REGENCY_KINDS, Catalog
from scheduler.editing import NewPost, create_posts, submit, validate_new_post
from scheduler.errors import InputError, SiarError
from scheduler.models import Post, PostStatus, Region
from scheduler.permissions import Action, require, require_role, scope_condition
from scheduler.platforms import platform_limit, social_platforms
from scheduler.users import Actor

MAX_ALT_LENGTH = 1000  # X's limit for image descriptions, the strictest of the five


@dataclass(frozen=True)
class Composition:
    """What the author filled in, as entered (kept when the form comes back)."""

    text: str = ""
    platforms: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    all_regencies: bool = False
    day: str = ""  # YYYY-MM-DD, the author's local date
    at: str = ""  # HH:MM, the author's local time
    image: str | None = None  # relative to SIAR_MEDIA_DIR, already stored
    image_alt: str = ""
    accept_problems: bool = False


Count = LengthFit  # a composed text's length on one platform


@dataclass(frozen=True)
class RegionChoice:
    key: str
    name: str
    regency: bool  # a kabupaten/kota (part of "semua kabupaten/kota")


@dataclass(frozen=True)
class DraftBatch:
    """Drafts written together, not yet submitted for review."""

    batch: str
    posts: int
    first_at: datetime
    text: str
    places: tuple[str, ...]  # "region/platform"


@dataclass
class Checked:
    composition: Composition
    counts: list[Count]
    errors: list[str] = field(default_factory=list)  # refusals
    problems: list[str] = field(default_factory=list)  # need acknowledging
    items: list[NewPost] = field(default_factory=list)
    outside_scope: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors and (not self.problems or self.composition.accept_problems)


def count_for(platform: str, text: str, *, with_image: bool) -> Count:
    length, limit = length_and_limit(platform, text.strip(), "image" if with_image else None)
    return Count(platform, length, limit, platform_limit(platform).counted_as)


def counts_for(text: str, platforms: Sequence[str], *, with_image: bool) -> list[Count]:
    return [count_for(p, text, with_image=with_image) for p in social_platforms() if p in platforms]


def region_choices(session: Session, *, actor: Actor) -> list[RegionChoice]:
    """The regions the actor may write for: its own, and for a province user every
    kabupaten/kota of the province (its own office first; a user of the nation: the
    nation, then every province, then every kabupaten/kota)."""
    rows = session.exec(select(Region).order_by(col(Region.key))).all()
    mine = [r for r in rows if actor.covers(r, r.key)]
    order = {NATION_KIND: 0, PROVINCE_KIND: 1}
    mine.sort(key=lambda r: (order.get(r.kind, 2), r.key))
    return [RegionChoice(r.key, r.name, r.kind in REGENCY_KINDS) for r in mine]


def check_composition(session: Session, *, actor: Actor, catalog: Catalog,
                      checks: CheckSettings, now: datetime, tz: tzinfo,
                      composition: Composition) -> Checked:
    """Everything wrong with a composition, writing nothing."""
    require_role(actor, Action.CREATE)
    c = composition
    checked = Checked(c, counts_for(c.text, c.platforms, with_image=bool(c.image)))
    errors = checked.errors
    regions = _regions(session, actor, c, errors)
    checked.outside_scope = _outside_scope(session, actor, regions, errors)
    when = _form_errors(c, tz, now, errors)
    if when is not None and not errors:
        items = [NewPost(region, platform, when, c.text, c.image, c.image_alt.strip() or None)
                 for region in regions for platform in c.platforms]
        for item in items:
            try:
                validate_new_post(session, catalog=catalog, item=item, now=now, checks=checks)
            except SiarError as exc:  # e.g. a region without an active account
                errors.append(str(exc))
                continue
            checked.problems += [p.message for p in check_post(_draft(item), catalog, checks)]
        checked.items = [] if errors else items
    checked.errors, checked.problems = _unique(errors), _unique(checked.problems)
    return checked


def create_composition(session: Session, *, actor: Actor, catalog: Catalog,
                       checks: CheckSettings, now: datetime, tz: tzinfo,
                       composition: Composition, submit_now: bool) -> list[Post]:
    """Create the composition's posts as drafts, and submit them for review if asked;
    InputError (nothing written) if it is not ready."""
    checked = check_composition(session, actor=actor, catalog=catalog, checks=checks,
                                now=now, tz=tz, composition=composition)
    if not checked.ok:
        raise InputError("; ".join(checked.errors) or
                         "ada masalah yang belum dinyatakan diterima: "
                         + "; ".join(checked.problems))
    posts = create_posts(session, actor=actor, catalog=catalog, items=checked.items,
                         checks=checks, now=now, note="ditulis di web")
    if submit_now:
        submit(session, actor=actor, target=posts[0].batch or "", now=now)
    return posts


def draft_batches(session: Session, *, actor: Actor, limit: int = 20) -> list[DraftBatch]:
    """The batches of drafts in the actor's scope, newest first."""
    rows = session.exec(
        select(Post).where(col(Post.status) == PostStatus.DRAFT, col(Post.batch).is_not(None),
                           scope_condition(session, actor))
        .order_by(col(Post.created_at).desc(), col(Post.id)).limit(limit * 40))
    grouped: dict[str, list[Post]] = {}
    for post in rows:
        grouped.setdefault(post.batch or "", []).append(post)
    return [DraftBatch(batch, len(posts), min(p.scheduled_at for p in posts), posts[0].text,
                       tuple(f"{p.region_key}/{p.platform}" for p in posts))
            for batch, posts in list(grouped.items())[:limit]]


def _regions(session: Session, actor: Actor, c: Composition, errors: list[str]) -> list[str]:
    choices = region_choices(session, actor=actor)
    wanted = list(dict.fromkeys(c.regions))
    if c.all_regencies:
        wanted += [r.key for r in choices if r.regency and r.key not in wanted]
    if not wanted and len(choices) == 1:
        wanted = [choices[0].key]  # a regency's author writes for their own office
    if not wanted:
        errors.append("pilih sedikitnya satu wilayah")
    return wanted


def _outside_scope(session: Session, actor: Actor, regions: list[str],
                   errors: list[str]) -> bool:
    try:
        require(session, actor, Action.CREATE, regions)
    except SiarError as exc:
        errors.append(str(exc))
        return True
    return False


def _form_errors(c: Composition, tz: tzinfo, now: datetime,
                 errors: list[str]) -> datetime | None:
    """What is wrong whatever the region: each said once for the whole composition, not
    once per post. Returns the composition's time if it could be read."""
    choices = social_platforms()
    unknown = [p for p in c.platforms if p not in choices]
    if unknown:
        errors.append(f"platform tidak dikenal: {', '.join(unknown)} (pilihan: "
                      f"{', '.join(choices)})")
    if not c.platforms:
        errors.append("pilih sedikitnya satu platform")
    if not c.text.strip():
        errors.append("teks unggahan kosong")
    for platform in (p for p in c.platforms if p in choices):
        too_long = length_problem(platform, c.text.strip(), c.image)
        if too_long:
            errors.append(f"{too_long.message}: perpendek teksnya")
    alt = c.image_alt.strip()
    if c.image and not alt:
        errors.append("teks alternatif gambar wajib diisi (deskripsi gambar untuk pembaca "
                      "layar)")
    if len(alt) > MAX_ALT_LENGTH:
        errors.append(f"teks alternatif gambar terlalu panjang: {len(alt)} karakter (paling "
                      f"banyak {MAX_ALT_LENGTH})")
    when = _local_time(c, tz, errors)
    if when is not None and when <= now:
        errors.append(f"waktu {when.isoformat()} sudah lewat")
    return when


def _local_time(c: Composition, tz: tzinfo, errors: list[str]) -> datetime | None:
    try:
        day = date.fromisoformat(c.day.strip())
    except ValueError:
        errors.append(f"tanggal tidak valid: {c.day!r} (contoh: 2024-02-14)")
        return None
    try:
        at = time.fromisoformat(c.at.strip())
    except ValueError:
        errors.append(f"jam tidak valid: {c.at!r} (contoh: 09:00)")
        return None
    return datetime.combine(day, at.replace(second=0, microsecond=0, tzinfo=None), tzinfo=tz)


def _draft(item: NewPost) -> PostDraft:
    return PostDraft(text=item.text.strip(), platform=item.platform, region_key=item.region,
                     scheduled_at=item.scheduled_at, image=item.image, image_alt=item.image_alt)


def _unique(messages: list[str]) -> list[str]:
    return list(dict.fromkeys(messages))
