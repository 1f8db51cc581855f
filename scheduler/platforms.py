"""The registered platforms: what each adapter declares about its platform, read from the
"siar.adapters" entry points (built-ins are declared in pyproject.toml like any plugin).

Every platform list of Siar (the content schema, the checks, quotas, forms and filters)
comes from here; nothing lists platforms by hand. Loading is lazy (the first call loads
the entry points, then the answer is cached): importing this module loads no adapter.
Each adapter declares its platform in its own file as class attributes: `name`, `label`,
`limits` (a PlatformLimits), `credential_fields` and `default_base_url`."""

import functools
from dataclasses import dataclass
from typing import Literal

from scheduler.config import Setting
from scheduler.errors import ConfigError
from scheduler.plugins import group_names, load_group

ENTRY_POINT_GROUP = "siar.adapters"

# An image's description (alt text), the same limit everywhere: X's media metadata takes
# at most 1000 characters (docs.x.com, "Create Media metadata"; v1.1
# media/metadata/create); Meta documents no limit for Facebook's `alt_text_custom`,
# Instagram's or Threads' `alt_text`, so X's holds for all.
MAX_ALT_TEXT = 1000

# How a platform counts a text's length; scheduler.checks.length has one counter each.
Counter = Literal["plain", "x_weighted", "utf8_emoji", "utf16"]
# "social": people write for it (plan rules' and the compose form's default choice);
# "service": an account may publish to it, but nobody writes for it by default (webhook);
# "fallback": never an account's platform, it stands in for any of them (outbox).
Role = Literal["social", "service", "fallback"]


@dataclass(frozen=True)
class PlatformLimits:
    """What a platform allows and how it counts; declared by its adapter."""

    max_length: int
    counted_as: str = "karakter"  # how the platform counts, for people
    caption_length: int | None = None  # when an image is attached, if different
    image_required: bool = False
    max_hashtags: int | None = None
    daily_quota: int | None = None  # API-published posts per rolling 24 hours
    counter: Counter = "plain"  # how `counted_as` is computed
    hashtag_setting: str | None = None  # a setting that overrides max_hashtags
    links_clickable: bool = True  # False: links are left bare (no markup) in its texts
    role: Role = "social"
    order: int = 100  # place in lists and columns (then by name)


@dataclass(frozen=True)
class Platform:
    """One registered platform, as its adapter declares it."""

    name: str
    label: str  # display name in messages, e.g. "Instagram"
    limits: PlatformLimits
    credentials: tuple[str, ...]  # field names; values live in the environment or sealed
    default_address: str  # empty: the adapter sends nowhere (writes locally, or per account)

    @property
    def address_setting(self) -> str | None:
        """The variable that points the adapter at another base address."""
        return f"SIAR_{self.name.upper()}_API_URL" if self.default_address else None


def registered() -> dict[str, Platform]:
    """Every registered platform by name, in display order."""
    return dict(_platforms())


def declared_names() -> tuple[str, ...]:
    """The registered platforms' names, sorted, read from the entry points without
    importing any adapter: for what needs only the names (the review queue's counts per
    platform, which `siar review list` pays at every start). Checked when loaded: an
    adapter's `name` must be its entry point's (see `registered`)."""
    return _names()


def platform(name: str) -> Platform:
    """A registered platform (KeyError if none is registered by that name)."""
    return _platforms()[name]


def platform_limit(name: str) -> PlatformLimits:
    return _platforms()[name].limits


def content_platforms() -> tuple[str, ...]:
    """Platforms an account (and so a rule or a template variant) may name."""
    return tuple(n for n, p in _platforms().items() if p.limits.role != "fallback")


def social_platforms() -> tuple[str, ...]:
    """Platforms people write for: a rule's default, the compose form's choices."""
    return tuple(n for n, p in _platforms().items() if p.limits.role == "social")


def links_clickable(name: str) -> bool:
    found = _platforms().get(name)
    return found is None or found.limits.links_clickable


def platform_settings() -> list[Setting]:
    """The settings the registered platforms declare: where each adapter sends, and the
    caps a setting may change (config.example.env documents each)."""
    found = []
    for p in _platforms().values():
        if p.address_setting:
            found.append(Setting(p.address_setting, "",
                                 f"{p.label} API address (empty: {p.default_address})"))
        if p.limits.hashtag_setting:
            found.append(Setting(p.limits.hashtag_setting, str(p.limits.max_hashtags or ""),
                                 f"Hashtags allowed in a {p.label} post"))
    return found


def plugin_classes() -> dict[str, object]:
    """The loaded entry point objects by name (scheduler.adapters.registry checks them
    against the adapter contract)."""
    return dict(_loaded())


def clear_cache() -> None:
    """Forget the loaded entry points (tests that install or remove one)."""
    _loaded.cache_clear()
    _platforms.cache_clear()
    _names.cache_clear()


@functools.cache
def _names() -> tuple[str, ...]:
    return group_names(ENTRY_POINT_GROUP)


@functools.cache
def _loaded() -> dict[str, object]:
    return load_group(ENTRY_POINT_GROUP, "Adapter", lambda name, where, obj: obj)


@functools.cache
def _platforms() -> dict[str, Platform]:
    found = [_declared(name, obj) for name, obj in _loaded().items()]
    return {p.name: p for p in sorted(found, key=lambda p: (p.limits.order, p.name))}


def _declared(name: str, obj: object) -> Platform:
    where = f"{name} = {getattr(obj, '__module__', '?')}:{getattr(obj, '__qualname__', '?')}"
    if getattr(obj, "name", None) != name:
        raise ConfigError(f"Adapter {where} bernama {getattr(obj, 'name', None)!r}; "
                          f"atribut name harus sama dengan nama entry point {name!r}")
    label = getattr(obj, "label", None)
    if not (isinstance(label, str) and label):  # every message names the platform by it
        raise ConfigError(f"Adapter {where} tidak punya label (nama tampilan untuk pesan, "
                          "mis. 'Mastodon')")
    limits = getattr(obj, "limits", None)
    if not isinstance(limits, PlatformLimits):
        raise ConfigError(f"Adapter {where} tidak punya limits (PlatformLimits)")
    credentials = tuple(str(f) for f in getattr(obj, "credential_fields", ()))
    return Platform(name=name, label=label, limits=limits, credentials=credentials,
                    default_address=str(getattr(obj, "default_base_url", "") or ""))
