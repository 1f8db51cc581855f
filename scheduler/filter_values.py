"""Checking filter values (regions, platforms, stages, statuses, elections) against the
catalog and the known post statuses, so that a mistyped value is an error that names it
and suggests the nearest valid ones, never a silently empty list.

Pure functions: they read the catalog they are given and raise InputError (or its
UnknownRegionError / UnknownPlatformError) on the first unknown value. `option` names
the command-line option or form field in the message; None leaves it out."""

from collections.abc import Iterable, Sequence
from difflib import get_close_matches
from typing import TYPE_CHECKING

from scheduler.errors import InputError, UnknownPlatformError, UnknownRegionError
from scheduler.models import PostStatus

if TYPE_CHECKING:  # the catalog is given; its module is not needed to read it
    from scheduler.content.model import Catalog

SUGGESTIONS = 3  # nearest values offered for a typo
LISTED = 12  # when nothing is close: every value when there are at most this many
EXAMPLES = 5  # ... otherwise the first few of them


def hint(value: str, choices: Sequence[str]) -> str:
    """The nearest valid values to `value`, or when none is close, a few valid values."""
    close = get_close_matches(value, choices, n=SUGGESTIONS, cutoff=0.6)
    if close:
        return f"mungkin maksud Anda: {', '.join(close)}"
    if not choices:
        return "belum ada pilihan"
    if len(choices) <= LISTED:
        return f"pilihan: {', '.join(choices)}"
    return f"contoh: {', '.join(choices[:EXAMPLES])}, …"


def unknown_message(kind: str, value: str, choices: Sequence[str], option: str | None) -> str:
    """E.g. "--region: wilayah tidak dikenal: 'kota-blitr' (mungkin maksud Anda: kota-blitar)"."""
    prefix = f"{option}: " if option else ""
    return f"{prefix}{kind} tidak dikenal: {value!r} ({hint(value, choices)})"


def region_keys(catalog: "Catalog") -> tuple[str, ...]:
    return tuple(catalog.regions)


def stage_keys(catalog: "Catalog") -> tuple[str, ...]:
    """Every stage key of every election, in calendar order, each once."""
    return tuple(dict.fromkeys(s.key for e in catalog.elections.values() for s in e.stages))


def status_values() -> tuple[str, ...]:
    return tuple(s.value for s in PostStatus)


def check_regions(catalog: "Catalog", values: Iterable[str], *,
                  option: str | None = "--region") -> None:
    choices = region_keys(catalog)
    for value in values:
        if value not in catalog.regions:
            raise UnknownRegionError(unknown_message("wilayah", value, choices, option))


def check_platforms(catalog: "Catalog", values: Iterable[str], *,
                    option: str | None = "--platform") -> None:
    for value in values:
        if value not in catalog.platforms:
            raise UnknownPlatformError(
                unknown_message("platform", value, catalog.platforms, option))


def check_stages(catalog: "Catalog", values: Iterable[str], *,
                 option: str | None = "--stage") -> None:
    """Stage keys of any election (a filter may span several)."""
    choices = stage_keys(catalog)
    for value in values:
        if value not in choices:
            raise InputError(unknown_message("tahapan", value, choices, option))


def check_statuses(values: Iterable[str], *, option: str | None = "--status") -> None:
    choices = status_values()
    for value in values:
        if value not in choices:
            raise InputError(unknown_message("status", value, choices, option))


def check_elections(catalog: "Catalog", values: Iterable[str], *,
                    option: str | None = "--election") -> None:
    choices = tuple(catalog.elections)
    for value in values:
        if value not in catalog.elections:
            raise InputError(unknown_message("pemilihan", value, choices, option))
