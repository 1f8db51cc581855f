"""What several pages show beside their content: the filter choices in the viewer's
scope (regions, platforms, stages, statuses)."""

import threading
from dataclasses import dataclass

from sqlmodel import Session

from scheduler.content.model import Catalog
from scheduler.labels import EVENT_LABELS as EVENT_LABELS
from scheduler.labels import STATUS_LABELS as STATUS_LABELS
from scheduler.models import PostStatus
from scheduler.platforms import registered
from scheduler.users import Actor


@dataclass(frozen=True)
class FilterChoices:
    regions: tuple[tuple[str, str], ...]  # key, name
    platforms: tuple[str, ...]
    stages: tuple[tuple[str, str], ...]  # key, "Election: stage name"
    statuses: tuple[str, ...]


_CHOICES: dict[tuple[int, str, bool, bool], tuple[Catalog, FilterChoices]] = {}
_CHOICES_LOCK = threading.Lock()


def filter_choices(session: Session, catalog: Catalog, actor: Actor) -> FilterChoices:
    """From the content in memory (the region rows are synced from it): no query, and
    made once per scope (every page with filters asks for them)."""
    key = (id(catalog), actor.region_key, actor.province_wide, actor.everywhere)
    with _CHOICES_LOCK:
        found = _CHOICES.get(key)
    if found is not None and found[0] is catalog:
        return found[1]
    regions = tuple(sorted((r.key, r.name) for r in catalog.regions.values()
                           if actor.everywhere or r.key == actor.region_key
                           or (actor.province_wide and r.province_key == actor.region_key)))
    stages = tuple((s.key, f"{e.short_name}: {s.name}") for e in catalog.elections.values()
                   for s in e.stages)
    choices = FilterChoices(regions=regions, platforms=tuple(registered()), stages=stages,
                            statuses=tuple(s.value for s in PostStatus))
    with _CHOICES_LOCK:
        if len(_CHOICES) > 1000:
            _CHOICES.clear()
        _CHOICES[key] = (catalog, choices)
    return choices


STATUS_TONE = {"published": "ok", "approved": "ok", "failed": "bad", "uncertain": "bad",
               "missed": "bad", "rejected": "bad", "retrying": "warn", "pending": "warn"}
