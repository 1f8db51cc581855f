"""Checks as plugins (issue 12, item 2). Every check, built-in or third-party, is an entry
point in the "siar.checks" group naming a `Check`: a name, an Indonesian line saying what
it looks for, what it reads, and where it runs.

Where it runs, each check says: PLANNING, APPROVAL (also when a post is edited,
composed or imported) and PUBLISHING (the last look before a post leaves: the checks whose
answer can change after approval, such as the calendar, results announcements and
partners' agreements).

What it reads decides how planning may remember its answer (scheduler.checks.memo): a
CONTENT check reads only the text, platform, image and its description; a TEXT check
only the text and the image's description (the same for every platform); a CALENDAR check
reads the region, the day (a results template: the instant), the template, the election
and the stage, never the text; a PARTNERS check finds nothing in a text that names no
partner; a POST check may read anything and is never remembered.
"""

import functools
from collections.abc import Callable, Collection
from dataclasses import dataclass

from scheduler.checks.drafts import CheckSettings, PostDraft, PostProblem
from scheduler.content.model import Catalog
from scheduler.errors import ConfigError
from scheduler.plugins import load_group

ENTRY_POINT_GROUP = "siar.checks"

PLANNING, APPROVAL, PUBLISHING = "planning", "approval", "publishing"
STAGES = (PLANNING, APPROVAL, PUBLISHING)
CONTENT, TEXT, CALENDAR, PARTNERS, POST = "content", "text", "calendar", "partners", "post"
READS = (CONTENT, TEXT, CALENDAR, PARTNERS, POST)

Finder = Callable[[PostDraft, Catalog, CheckSettings], list[PostProblem]]


@dataclass(frozen=True)
class Check:
    """One check. `find` returns its problems for a draft (empty: nothing to say);
    `order` places it among the others (problems are listed in that order); `on_sample`:
    it also runs on a template's sample render (`siar check`), which has no real date."""

    name: str
    message: str
    reads: str
    find: Finder
    runs: frozenset[str] = frozenset(STAGES)
    order: int = 100
    on_sample: bool = False


def registered_checks() -> tuple[Check, ...]:
    """Every registered check, in order."""
    return _load_all()


def clear_check_cache() -> None:
    """Forget the loaded checks (tests that install or remove entry points)."""
    _load_all.cache_clear()
    _selected.cache_clear()


def run_checks(draft: PostDraft, catalog: Catalog, settings: CheckSettings, *,
               stage: str = APPROVAL, reads: Collection[str] = READS,
               sample: bool = False) -> list[PostProblem]:
    """The problems found in `draft` by the checks that run at `stage` and read one of
    `reads` (on a sample render, `sample`: by those marked `on_sample`, whatever their
    stage), in the checks' order."""
    return [problem for check in _selected(stage, tuple(reads), sample)
            for problem in check.find(draft, catalog, settings)]


@functools.cache
def _selected(stage: str, reads: tuple[str, ...], sample: bool) -> tuple[Check, ...]:
    """The checks run_checks runs for these arguments (it runs for every planned post)."""
    return tuple(check for check in _load_all()
                 if (check.on_sample if sample else stage in check.runs)
                 and check.reads in reads)


@functools.cache
def _load_all() -> tuple[Check, ...]:
    loaded = load_group(ENTRY_POINT_GROUP, "Pemeriksaan", _accept)
    return tuple(sorted(loaded.values(), key=lambda c: (c.order, c.name)))


def _accept(name: str, where: str, loaded: object) -> Check:
    if not isinstance(loaded, Check):
        raise ConfigError(f"Pemeriksaan {where} bukan Check (scheduler.checks.registry.Check)")
    if loaded.name != name:
        raise ConfigError(f"Pemeriksaan {where} bernama {loaded.name!r}; namanya harus sama "
                          f"dengan nama entry point {name!r}")
    if loaded.reads not in READS:
        raise ConfigError(f"Pemeriksaan {where}: reads {loaded.reads!r} tidak dikenal "
                          f"(pilihan: {', '.join(READS)})")
    unknown = set(loaded.runs) - set(STAGES)
    if unknown or not loaded.runs:
        raise ConfigError(f"Pemeriksaan {where}: runs {sorted(loaded.runs)!r} tidak sah "
                          f"(pilihan: {', '.join(STAGES)})")
    if not loaded.message.strip():
        raise ConfigError(f"Pemeriksaan {where} tidak punya message (apa yang diperiksa)")
    return loaded
