"""What each registered adapter declares about its platform, for `siar platforms`: limits,
how length is counted, quota, credentials (names only) and where its address is set."""

from collections.abc import Mapping
from dataclasses import dataclass

from scheduler.adapters.base import Adapter
from scheduler.config import Settings

FIELDS = ("name", "label", "max_length", "counted_as", "caption_length", "image_required",
          "max_hashtags", "daily_quota", "credentials", "address_setting", "address",
          "can_reconcile")


@dataclass(frozen=True)
class PlatformInfo:
    name: str
    label: str
    max_length: int
    counted_as: str
    caption_length: int | None
    image_required: bool
    max_hashtags: int | None
    daily_quota: int | None
    credentials: tuple[str, ...]  # field names; values live in the environment or sealed
    address_setting: str | None  # the variable that points the adapter elsewhere
    address: str | None  # where it sends now (None: writes locally)
    can_reconcile: bool  # can look a post up after an uncertain attempt

    def record(self) -> dict[str, object]:
        return {f: getattr(self, f) for f in FIELDS}


def platform_infos(adapters: Mapping[str, type[Adapter]],
                   settings: Settings) -> list[PlatformInfo]:
    """One entry per registered adapter, by name."""
    infos = []
    for name, cls in sorted(adapters.items()):
        limits = cls.limits
        setting = f"SIAR_{name.upper()}_API_URL" if cls.default_base_url else None
        infos.append(PlatformInfo(
            name=name, label=cls.label, max_length=limits.max_length,
            counted_as=limits.counted_as, caption_length=limits.caption_length,
            image_required=limits.image_required, max_hashtags=limits.max_hashtags,
            daily_quota=limits.daily_quota, credentials=tuple(cls.credential_fields),
            address_setting=setting,
            address=settings.api_urls.get(name) or cls.default_base_url or None,
            can_reconcile=cls.can_reconcile))
    return infos
