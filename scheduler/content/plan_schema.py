"""The shape of content/plan.yaml, as pydantic models (unknown fields are refused): rules
of what to post when, for which regions and platforms."""

import re
from typing import Literal

from pydantic import Field, field_validator, model_validator

from scheduler.content.schema import Key, Strict
from scheduler.platforms import social_platforms

_OFFSET = re.compile(r"^H(?:([+-])(\d{1,3}))?$")


class OffsetSpec(Strict):
    stage: Key
    at: tuple[str, ...] = Field(min_length=1)

    @field_validator("at")
    @classmethod
    def _offsets(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        for value in values:
            if not _OFFSET.match(value.strip()):
                raise ValueError(f"offset tidak valid: {value!r} (contoh: H-7, H-1, H, H+1)")
        return values

    def days(self) -> tuple[int, ...]:
        """Offsets in days relative to the stage's first day: H-7 is -7."""
        result = []
        for value in self.at:
            match = _OFFSET.match(value.strip())
            assert match is not None
            sign, number = match.groups()
            result.append(0 if number is None else (-int(number) if sign == "-" else int(number)))
        return tuple(result)


RegionSelector = Literal["all", "province", "regencies"] | tuple[Key, ...]


class RuleSpec(Strict):
    key: Key
    template: Key
    election: Key | None = None
    during: tuple[Key, ...] = ()
    offsets: OffsetSpec | None = None
    cadence: str | None = None
    platforms: tuple[str, ...] | None = None
    regions: RegionSelector | None = None
    image: str | None = None
    # The image described for screen readers (Indonesian); else the template's `alt`.
    image_alt: str | None = Field(default=None, min_length=1, max_length=1000)
    # Send each account's post 0..spread minutes after the slot (deterministic per
    # account), so dozens of offices do not publish one text at one second.
    spread: int | None = Field(default=None, ge=0, le=120)  # None: the plan's default
    # A platform that needs fewer posts gets its own cadence: {x: "0 9 * * 1"}.
    platform_cadence: dict[str, str] = Field(default_factory=dict)
    # Minutes after its slot a post of this rule may still go out (default:
    # SIAR_MAX_LATENESS); a "tomorrow is voting day" post must not go out the day after.
    max_lateness: int | None = Field(default=None, ge=1, le=7 * 24 * 60)
    enabled: bool = True
    notes: str | None = None

    @model_validator(mode="after")
    def _when(self) -> "RuleSpec":
        if bool(self.during) == bool(self.offsets):
            raise ValueError("isi tepat salah satu: 'during' (tahapan) atau 'offsets' (H-n)")
        return self


class PlanDefaults(Strict):
    election: Key | None = None
    platforms: tuple[str, ...] = Field(default_factory=social_platforms)
    regions: RegionSelector = "all"
    cadence: str = "0 9 * * *"
    spread: int = Field(default=0, ge=0, le=120)


class PlanSpec(Strict):
    defaults: PlanDefaults = Field(default_factory=PlanDefaults)
    rules: tuple[RuleSpec, ...] = Field(min_length=1)
