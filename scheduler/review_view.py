"""What a reviewer sees of one batch: one card per distinct text, with the offices and
platforms that share it, each platform's length against its limit, the image, and the
problems found; plus the helpers the review pages need (media files, ticked post ids)."""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlmodel import Session, col, select

from scheduler.checks.post_checks import LengthFit, length_and_limit
from scheduler.content.model import Catalog
from scheduler.errors import InputError, NotFoundError, PermissionDenied
from scheduler.models import Post, PostStatus, Region
from scheduler.permissions import Action, require_role, scope_condition
from scheduler.platforms import platform_limit
from scheduler.review import authors_of
from scheduler.users import Actor

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".gif", ".webp"})


@dataclass(frozen=True)
class PlatformFit(LengthFit):
    """A card's longest text on one platform, and how many of its posts go there."""

    posts: int = 0


@dataclass(frozen=True)
class CardPost:
    post: Post
    region_name: str
    own: bool  # the viewer wrote or edited it: the four-eyes rule forbids their approval


@dataclass
class Card:
    """Posts of one batch that share a text and an image, once each office's own words
    (its name, area, hashtag and website) are set aside: templates write every office's
    name into its post, so the same words for 38 offices are one card, not 38."""

    text: str  # the first office's text
    shape: str  # the text with the office's own words as «kantor», «wilayah», ...
    image: str | None
    image_alt: str | None
    image_found: bool
    posts: list[CardPost] = field(default_factory=list)
    platforms: list[PlatformFit] = field(default_factory=list)
    problems: dict[str, list[int]] = field(default_factory=dict)  # message -> post ids

    @property
    def regions(self) -> list[tuple[str, str]]:
        """The offices sharing this text, (key, name), in order."""
        return sorted({(p.post.region_key, p.region_name) for p in self.posts})

    @property
    def per_office(self) -> bool:
        """The offices' texts differ in their own words (each post shows its text)."""
        return self.shape != self.text or len({p.post.text for p in self.posts}) > 1

    @property
    def pending_ids(self) -> list[int]:
        return [p.post.id or 0 for p in self.posts if p.post.status == PostStatus.PENDING]


@dataclass(frozen=True)
class BatchView:
    batch: str
    first_at: datetime
    stage: str | None
    template: str | None
    cards: list[Card]
    statuses: dict[str, int]  # status -> posts in the viewer's scope

    @property
    def pending(self) -> int:
        return self.statuses.get(PostStatus.PENDING, 0)

    @property
    def with_problems(self) -> int:
        return sum(1 for c in self.cards for p in c.posts if p.post.problems)

    @property
    def regions(self) -> int:
        return len({p.post.region_key for c in self.cards for p in c.posts})


def batch_view(session: Session, *, actor: Actor, batch: str, media_dir: Path) -> BatchView:
    """The batch's posts in the actor's scope, grouped by text and image."""
    require_role(actor, Action.VIEW)
    posts = list(session.exec(select(Post).where(
        col(Post.batch) == batch, scope_condition(session, actor)).order_by(col(Post.id))))
    if not posts:
        if session.exec(select(Post.id).where(col(Post.batch) == batch).limit(1)).first():
            raise PermissionDenied(
                f"batch {batch} tidak berisi unggahan wilayah {actor.region_key}")
        raise NotFoundError(f"batch tidak dikenal: {batch!r}")
    regions = {r.key: r for r in session.exec(select(Region).where(
        col(Region.key).in_({p.region_key for p in posts})))}
    authors = authors_of(session, posts=posts)
    cards: dict[tuple[str, str | None], Card] = {}
    for post in posts:
        region = regions.get(post.region_key)
        shape = office_shape(post.text, region)
        card = cards.get((shape, post.image))
        if card is None:
            card = cards[(shape, post.image)] = Card(
                text=post.text, shape=shape, image=post.image, image_alt=post.image_alt,
                image_found=bool(post.image and media_file(media_dir, post.image)))
        card.posts.append(CardPost(post, region.name if region else post.region_key,
                                   own=actor.name in authors[post.id or 0]))
        for problem in post.problems or []:
            card.problems.setdefault(str(problem.get("message", "")), []).append(post.id or 0)
    for card in cards.values():
        card.platforms = _fits(card)
    return BatchView(
        batch=batch, first_at=min(p.scheduled_at for p in posts), stage=posts[0].stage_key,
        template=posts[0].template, cards=list(cards.values()),
        statuses=dict(Counter(p.status for p in posts)))


def office_shape(text: str, region: Region | None) -> str:
    """The text with the office's own words replaced by placeholders (longest first, so
    "KPU Kota Blitar" goes before "Kota Blitar")."""
    if region is None:
        return text
    from scheduler.rendering import bare_links  # Jinja and YAML only for a batch's view

    words = [(region.name, "«kantor»"), (region.area, "«wilayah»"),
             (region.hashtag, "«tagar»"), (region.website, "«situs»"),
             (bare_links(region.website), "«situs»")]  # as Instagram captions write it
    words += [(value.upper(), mark) for value, mark in words]
    for value, mark in sorted(words, key=lambda w: -len(w[0])):
        if len(value) >= 3:
            text = text.replace(value, mark)
    return text


def _fits(card: Card) -> list[PlatformFit]:
    """Each platform's longest text of the card, as the platform counts it."""
    longest: dict[str, tuple[int, int]] = {}
    counts = Counter(p.post.platform for p in card.posts)
    for card_post in card.posts:
        post = card_post.post
        length, limit = length_and_limit(post.platform, post.text, post.image)
        if post.platform not in longest or length > longest[post.platform][0]:
            longest[post.platform] = (length, limit)
    return [PlatformFit(platform=platform, length=longest[platform][0],
                        limit=longest[platform][1], counted_as=platform_limit(platform).counted_as,
                        posts=counts[platform]) for platform in sorted(longest)]


def media_file(media_dir: Path, relative: str) -> Path | None:
    """The image file `relative` names inside `media_dir`, or None: nothing outside the
    folder (no `..`, absolute paths or symlinks leading out) and only image files."""
    root = media_dir.resolve()
    try:
        target = (root / relative).resolve()
    except (OSError, ValueError):
        return None
    if not target.is_relative_to(root) or target.suffix.lower() not in IMAGE_SUFFIXES:
        return None
    return target if target.is_file() else None


def ticked_ids(values: Iterable[str]) -> list[int]:
    """Post ids from form fields, each one id or several separated by commas."""
    ids: list[int] = []
    for value in values:
        for part in value.split(","):
            part = part.strip()
            if not part:
                continue
            if not part.isdigit():
                raise InputError(f"kecuali: bukan ID unggahan: {part!r}")
            ids.append(int(part))
    return sorted(set(ids))


def stage_names(catalog: Catalog) -> dict[str, str]:
    """Stage key -> "Election: stage name", for pages that show a stage."""
    return {s.key: f"{e.short_name}: {s.name}" for e in catalog.elections.values()
            for s in e.stages}


def not_a_post_id(batch: str) -> str:
    """A batch key from an address; a bare number would name one post instead."""
    if not batch.strip() or batch.strip().isdigit():
        raise NotFoundError(f"batch tidak dikenal: {batch!r}")
    return batch
