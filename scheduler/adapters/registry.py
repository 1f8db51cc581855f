"""Find the adapters: every one, built-in or third-party, is an entry point in the
"siar.adapters" group (built-ins are declared in pyproject.toml like any plugin).
scheduler.platforms loads them and reads what each declares; this checks the classes
against the adapter contract."""

import functools
import inspect

from scheduler.adapters.base import Adapter
from scheduler.errors import ConfigError, NotFoundError
from scheduler.platforms import ENTRY_POINT_GROUP as ENTRY_POINT_GROUP
from scheduler.platforms import clear_cache, plugin_classes, registered


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
    clear_cache()


@functools.cache
def _load_all() -> dict[str, type[Adapter]]:
    adapters: dict[str, type[Adapter]] = {}
    for name, loaded in plugin_classes().items():
        where = f"{name} = {getattr(loaded, '__module__', '?')}:" \
                f"{getattr(loaded, '__qualname__', '?')}"
        if not (inspect.isclass(loaded) and issubclass(loaded, Adapter)):
            raise ConfigError(f"Adapter {where} bukan turunan Adapter "
                              "(scheduler.adapters.base.Adapter)")
        if inspect.isabstract(loaded):
            raise ConfigError(f"Adapter {where} masih abstrak: method publish belum dibuat")
        adapters[name] = loaded
    declared = registered()  # name, label and limits, as the platform list reads them
    return {name: adapters[name] for name in declared}
