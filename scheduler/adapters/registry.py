"""Find the adapters: every one, built-in or third-party, is an entry point in the
"siar.adapters" group (built-ins are declared in pyproject.toml like any plugin)."""

import functools
import inspect
from importlib.metadata import EntryPoint, entry_points

from scheduler.adapters.base import Adapter, PlatformLimits
from scheduler.errors import ConfigError, NotFoundError

ENTRY_POINT_GROUP = "siar.adapters"


def load_adapters() -> dict[str, type[Adapter]]:
    """Every registered adapter class by name, checked against the contract."""
    return dict(_load_all())


def get_adapter(name: str) -> type[Adapter]:
    adapters = _load_all()
    try:
        return adapters[name]
    except KeyError:
        known = ", ".join(sorted(adapters)) or "-"
        raise NotFoundError(f"Adapter tidak dikenal: {name!r} (tersedia: {known})") from None


def clear_adapter_cache() -> None:
    """Forget the loaded adapters (tests that install or remove entry points)."""
    _load_all.cache_clear()


@functools.cache
def _load_all() -> dict[str, type[Adapter]]:
    adapters: dict[str, type[Adapter]] = {}
    for entry_point in entry_points(group=ENTRY_POINT_GROUP):
        if entry_point.name in adapters:
            raise ConfigError(f"Adapter {entry_point.name!r} terdaftar lebih dari sekali "
                              f"(grup {ENTRY_POINT_GROUP}); hapus salah satu paketnya")
        adapters[entry_point.name] = _load_one(entry_point)
    return adapters


def _load_one(entry_point: EntryPoint) -> type[Adapter]:
    where = f"{entry_point.name} = {entry_point.value}"
    try:
        loaded = entry_point.load()
    except Exception as exc:  # a broken plugin must name itself, whatever it raised
        raise ConfigError(f"Adapter gagal dimuat ({where}): {type(exc).__name__}: {exc}") from exc
    if not (inspect.isclass(loaded) and issubclass(loaded, Adapter)):
        raise ConfigError(f"Adapter {where} bukan turunan Adapter "
                          "(scheduler.adapters.base.Adapter)")
    if inspect.isabstract(loaded):
        raise ConfigError(f"Adapter {where} masih abstrak: method publish belum dibuat")
    if getattr(loaded, "name", None) != entry_point.name:
        raise ConfigError(f"Adapter {where} bernama {getattr(loaded, 'name', None)!r}; "
                          f"atribut name harus sama dengan nama entry point {entry_point.name!r}")
    label = getattr(loaded, "label", None)
    if not (isinstance(label, str) and label):  # every message names the platform by it
        raise ConfigError(f"Adapter {where} tidak punya label (nama tampilan untuk pesan, "
                          "mis. 'Mastodon')")
    if not isinstance(getattr(loaded, "limits", None), PlatformLimits):
        raise ConfigError(f"Adapter {where} tidak punya limits (PlatformLimits)")
    return loaded
