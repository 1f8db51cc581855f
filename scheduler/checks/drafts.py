"""What the checks look at (a draft of a post, the settings), and what they find (a
problem)."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from scheduler.config import Settings, positive_int_setting
from scheduler.platforms import registered


@dataclass(frozen=True)
class PostProblem:
    code: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


@dataclass(frozen=True)
class PostDraft:
    """What the checks look at; planned, ad-hoc and imported posts all fit."""

    text: str
    platform: str
    region_key: str
    scheduled_at: datetime  # aware
    image: str | None = None
    election_key: str | None = None
    template: str | None = None
    stage_key: str | None = None  # the stage it was planned in (results: which release)
    image_alt: str | None = None  # the image's description for screen readers


# (election, stage, region) -> when an authorised user recorded that region's results
# as announced (`siar results announce`; scheduler.results.releases reads them).
Releases = Mapping[tuple[str, str, str], datetime]


@dataclass(frozen=True)
class CheckSettings:
    # Hashtag caps set by a platform's `hashtag_setting` (e.g. Instagram's), by platform;
    # a platform not named here keeps the cap its adapter declares.
    max_hashtags: Mapping[str, int] = field(default_factory=dict)
    media_dir: Path | None = None  # where images live; None skips the file check
    releases: Releases = field(default_factory=dict)

    @classmethod
    def of(cls, settings: Settings) -> "CheckSettings":
        caps = {name: positive_int_setting(settings, p.limits.hashtag_setting,
                                           p.limits.max_hashtags or 1)
                for name, p in registered().items() if p.limits.hashtag_setting}
        return cls(caps, settings.media_dir)
