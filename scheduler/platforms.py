"""What each platform allows, in one table (sources: shared/reference/platform-apis.md and
election-domain.md §5). The content checks and the adapters both read it."""

from dataclasses import dataclass

# An image's description (alt text), the same limit everywhere: X's media metadata takes
# at most 1000 characters (docs.x.com, "Create Media metadata"; v1.1
# media/metadata/create); Meta documents no limit for Facebook's `alt_text_custom`,
# Instagram's or Threads' `alt_text`, so X's holds for all.
MAX_ALT_TEXT = 1000


@dataclass(frozen=True)
class PlatformLimits:
    max_length: int
    counted_as: str = "karakter"  # how the platform counts, for people
    caption_length: int | None = None  # when an image is attached, if different
    image_required: bool = False
    max_hashtags: int | None = None
    daily_quota: int | None = None  # API-published posts per rolling 24 hours


PLATFORM_LIMITS: dict[str, PlatformLimits] = {
    "facebook": PlatformLimits(63_206, "karakter"),
    # 5 hashtags: Instagram's cap since Dec 2025 (configurable: SIAR_INSTAGRAM_MAX_HASHTAGS).
    # 50 API posts a day is Meta's current figure; older docs say 25.
    "instagram": PlatformLimits(2_200, "karakter", image_required=True, max_hashtags=5,
                                daily_quota=50),
    "threads": PlatformLimits(500, "karakter (emoji dihitung per bita UTF-8)", daily_quota=250),
    "x": PlatformLimits(280, "karakter berbobot (URL = 23, emoji/CJK = 2)"),
    "telegram": PlatformLimits(4_096, "unit UTF-16", caption_length=1_024),
    "webhook": PlatformLimits(1_000_000, "karakter"),
    "outbox": PlatformLimits(1_000_000, "karakter"),
}


def platform_limit(platform: str) -> PlatformLimits:
    return PLATFORM_LIMITS[platform]
