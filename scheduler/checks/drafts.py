"""What the checks look at (a draft of a post) and what they find (a problem)."""

from dataclasses import dataclass
from datetime import datetime


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
