"""Plugins by entry point: adapters ("siar.adapters") and checks ("siar.checks") are found
the same way, built-ins declared in pyproject.toml exactly as a third-party package would
declare its own."""

from collections.abc import Callable
from importlib.metadata import entry_points
from typing import TypeVar

from scheduler.errors import ConfigError

T = TypeVar("T")


def group_names(group: str) -> tuple[str, ...]:
    """The names registered in `group`, sorted, read from the installed packages' metadata
    without importing any plugin."""
    return tuple(sorted({entry_point.name for entry_point in entry_points(group=group)}))


def load_group(group: str, what: str, accept: Callable[[str, str, object], T]) -> dict[str, T]:
    """Every entry point of `group` loaded and passed through `accept(name, where, loaded)`,
    which returns the plugin or raises ConfigError naming `where`. A name registered twice
    and a plugin that fails to load are refused with a message naming them (`what`:
    "Adapter", "Pemeriksaan")."""
    found: dict[str, T] = {}
    for entry_point in entry_points(group=group):
        if entry_point.name in found:
            raise ConfigError(f"{what} {entry_point.name!r} terdaftar lebih dari sekali "
                              f"(grup {group}); hapus salah satu paketnya")
        where = f"{entry_point.name} = {entry_point.value}"
        try:
            loaded = entry_point.load()
        except Exception as exc:  # a broken plugin must name itself, whatever it raised
            raise ConfigError(
                f"{what} gagal dimuat ({where}): {type(exc).__name__}: {exc}") from exc
        found[entry_point.name] = accept(entry_point.name, where, loaded)
    return found
