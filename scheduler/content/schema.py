"""The shape of every content file, as pydantic models (unknown fields are refused)."""

import re
from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

PLATFORMS = ("facebook", "instagram", "x", "threads", "telegram", "webhook")
Key = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=64)]
Tag = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
EnvName = Annotated[str, Field(pattern=r"^[A-Z_][A-Z0-9_]*$")]
_OFFSET = re.compile(r"^H(?:([+-])(\d{1,3}))?$")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- elections -----------------------------------------------------------------------


class StageSpec(Strict):
    key: Key
    name: str = Field(min_length=1)
    name_en: str | None = None
    start: date | None = None
    end: date | None = None
    parent: Key | None = None
    tags: tuple[Tag, ...] = ()
    unconfirmed: bool = False
    notes: str | None = None
    sources: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _dates(self) -> "StageSpec":
        if (self.start is None) != (self.end is None):
            raise ValueError("start dan end harus diisi keduanya, atau dikosongkan keduanya")
        if self.start and self.end and self.end < self.start:
            raise ValueError(f"end ({self.end}) lebih awal dari start ({self.start})")
        return self


class ElectionSpec(Strict):
    key: Key
    name: str
    short_name: str
    timezone: str = "Asia/Jakarta"
    legal_basis: str | None = None
    hashtags: tuple[str, ...] = ()
    notes: str | None = None
    sources: dict[str, str] = Field(default_factory=dict)
    stages: tuple[StageSpec, ...] = Field(min_length=1)


# --- regions and accounts ---------------------------------------------------------------


class AccountSpec(Strict):
    platform: Literal["facebook", "instagram", "x", "threads", "telegram", "webhook"]
    handle: str = Field(min_length=1)
    placeholder: bool = False
    enabled: bool = True
    url: str | None = None
    credentials: dict[str, EnvName] = Field(default_factory=dict)


class RegionSpec(Strict):
    key: Key
    name: str = Field(min_length=1)
    area: str = Field(min_length=1)
    kind: Literal["provinsi", "kabupaten", "kota"]
    bps_code: str | None = None
    website: str
    website_verified: bool = True
    hashtag: str = Field(pattern=r"^#\w+$")
    accounts: tuple[AccountSpec, ...] = ()

    @field_validator("accounts")
    @classmethod
    def _one_per_platform(cls, accounts: tuple[AccountSpec, ...]) -> tuple[AccountSpec, ...]:
        seen = [a.platform for a in accounts]
        doubles = sorted({p for p in seen if seen.count(p) > 1})
        if doubles:
            raise ValueError(f"lebih dari satu akun untuk platform: {', '.join(doubles)}")
        return accounts


class RegionFileSpec(Strict):
    timezone: str = "Asia/Jakarta"
    province: RegionSpec
    regencies: tuple[RegionSpec, ...] = ()


# --- plan rules -------------------------------------------------------------------------


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
    platforms: tuple[str, ...] = ("facebook", "instagram", "x", "threads", "telegram")
    regions: RegionSelector = "all"
    cadence: str = "0 9 * * *"


class PlanSpec(Strict):
    defaults: PlanDefaults = PlanDefaults()
    rules: tuple[RuleSpec, ...] = Field(min_length=1)


# --- neutrality -------------------------------------------------------------------------


class NeutralTermSpec(Strict):
    term: str = Field(min_length=2)
    category: Literal["partai", "kandidat", "nomor_urut", "slogan", "lainnya"]
    note: str | None = None


class NeutralitySpec(Strict):
    terms: tuple[NeutralTermSpec, ...] = ()
