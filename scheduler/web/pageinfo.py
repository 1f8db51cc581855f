"""What several pages show beside their content: the filter choices in the viewer's
scope (regions, platforms, stages, statuses)."""

from dataclasses import dataclass

from sqlmodel import Session

from scheduler.content.model import Catalog
from scheduler.models import PostStatus
from scheduler.platforms import PLATFORM_LIMITS
from scheduler.users import Actor


@dataclass(frozen=True)
class FilterChoices:
    regions: list[tuple[str, str]]  # key, name
    platforms: list[str]
    stages: list[tuple[str, str]]  # key, "Election: stage name"
    statuses: list[str]


def filter_choices(session: Session, catalog: Catalog, actor: Actor) -> FilterChoices:
    # From the content in memory (the region rows are synced from it): no query.
    regions = sorted((r.key, r.name) for r in catalog.regions.values()
                     if actor.everywhere or r.key == actor.region_key
                     or (actor.province_wide and r.province_key == actor.region_key))
    stages = [(s.key, f"{e.short_name}: {s.name}") for e in catalog.elections.values()
              for s in e.stages]
    return FilterChoices(regions=regions, platforms=list(PLATFORM_LIMITS), stages=stages,
                         statuses=[s.value for s in PostStatus])


STATUS_LABELS = {
    "draft": "draf", "pending": "menunggu tinjauan", "approved": "disetujui",
    "rejected": "ditolak", "cancelled": "dibatalkan", "publishing": "sedang diterbitkan",
    "retrying": "akan dicoba lagi", "published": "terbit", "failed": "gagal",
    "uncertain": "belum pasti", "missed": "terlewat",
}
STATUS_TONE = {"published": "ok", "approved": "ok", "failed": "bad", "uncertain": "bad",
               "missed": "bad", "rejected": "bad", "retrying": "warn", "pending": "warn"}
EVENT_LABELS = {
    "planned": "direncanakan", "created": "dibuat", "submitted": "diajukan",
    "edited": "disunting", "approved": "disetujui", "rejected": "ditolak",
    "cancelled": "dibatalkan", "rescheduled": "dijadwal ulang", "claimed": "diambil pekerja",
    "published": "terbit", "failed": "gagal", "retrying": "akan dicoba lagi",
    "uncertain": "belum pasti", "resolved": "diselesaikan", "missed": "terlewat",
    "held": "ditahan", "reconciled": "dicocokkan",
}
