"""The shape of every content file, as pydantic models (unknown fields are refused)."""

import datetime as dt
from datetime import date
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from scheduler.platforms import content_platforms

Key = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=64)]
Tag = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
EnvName = Annotated[str, Field(pattern=r"^[A-Z_][A-Z0-9_]*$")]


def _registered_platform(value: str) -> str:
    """An account's platform: any registered one but the outbox (scheduler.platforms)."""
    allowed = content_platforms()
    if value not in allowed:
        raise PydanticCustomError("literal_error", "Input should be {expected}",
                                  {"expected": ", ".join(repr(p) for p in allowed)})
    return value


PlatformName = Annotated[str, AfterValidator(_registered_platform)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- elections -----------------------------------------------------------------------


def _check_span(start: date | None, end: date | None, at: dt.time | None) -> None:
    if (start is None) != (end is None):
        raise ValueError("start dan end harus diisi keduanya, atau dikosongkan keduanya")
    if start and end and end < start:
        raise ValueError(f"end ({end}) lebih awal dari start ({start})")
    if at is not None and start is None:
        raise ValueError("time (jam mulai) perlu tanggal start")


def _clock(value: object) -> object:
    """YAML 1.1 reads an unquoted 22:19 as the sexagesimal number 1339 (minutes): take it
    back as the time it was written as."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 24 * 60:
        return dt.time(value // 60, value % 60)
    return value


Clock = Annotated[dt.time, BeforeValidator(_clock)]


class StageSpec(Strict):
    key: Key
    name: str = Field(min_length=1)
    name_en: str | None = None
    start: date | None = None
    end: date | None = None
    # Local time the stage began on its first day, where it matters: a results stage is
    # released from this minute (the national plenary of 20 March 2024 ended at 22.19).
    time: Clock | None = None
    parent: Key | None = None
    tags: tuple[Tag, ...] = ()
    unconfirmed: bool = False
    notes: str | None = None
    sources: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _dates(self) -> "StageSpec":
        _check_span(self.start, self.end, self.time)
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
    platform: PlatformName
    handle: str = Field(min_length=1)
    placeholder: bool = False
    enabled: bool = True
    url: str | None = None
    credentials: dict[str, EnvName] = Field(default_factory=dict)


class StageDatesSpec(Strict):
    """A stage's dates for one region or group, replacing the election-wide ones."""

    start: date
    end: date
    time: Clock | None = None
    unconfirmed: bool = False
    notes: str | None = None
    sources: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _dates(self) -> "StageDatesSpec":
        _check_span(self.start, self.end, self.time)
        return self


Hashtag = Annotated[str, Field(pattern=r"^#\w+$")]


class FactsSpec(Strict):
    """What an office's templates may say about it for one election (templates/README.md)."""

    dpt: int | None = Field(default=None, ge=0)  # voters in the final voter list
    dpt_date: date | None = None  # the plenary that set that figure
    tps: int | None = Field(default=None, ge=0)  # polling stations
    single_candidate: bool = False  # one pair against the empty column (kolom kosong)
    short_name: str | None = None  # the race, short: "Pilgub Jatim", "Pilwali Surabaya"
    mascot: str | None = None
    mascot_meaning: str | None = None
    tagline: str | None = None
    hashtags: tuple[Hashtag, ...] = ()
    notes: str | None = None
    sources: tuple[str, ...] = ()


class RegionElectionSpec(Strict):
    """One region's (or group's) own calendar and facts for one election."""

    dates: dict[Key, StageDatesSpec] = Field(default_factory=dict)
    facts: FactsSpec | None = None


class RegionSpec(Strict):
    key: Key
    name: str = Field(min_length=1)
    area: str = Field(min_length=1)
    # How the area is commonly shortened in a race's name: "Jatim" (Pilgub Jatim).
    short_area: str | None = None
    kind: Literal["nasional", "provinsi", "kabupaten", "kota"]
    bps_code: str | None = None
    website: str
    website_verified: bool = True
    hashtag: str = Field(pattern=r"^#\w+$")
    accounts: tuple[AccountSpec, ...] = ()
    elections: dict[Key, RegionElectionSpec] = Field(default_factory=dict)
    # The office's own pages templates may cite as `tautan.KEY` (its PPID, a Pilkada page),
    # beside content/links.yaml; a province's reach its regencies.
    links: dict[Key, Annotated[str, Field(pattern=r"^https://\S+$")]] = Field(
        default_factory=dict)

    @field_validator("accounts")
    @classmethod
    def _one_per_platform(cls, accounts: tuple[AccountSpec, ...]) -> tuple[AccountSpec, ...]:
        seen = [a.platform for a in accounts]
        doubles = sorted({p for p in seen if seen.count(p) > 1})
        if doubles:
            raise ValueError(f"lebih dari satu akun untuk platform: {', '.join(doubles)}")
        return accounts


class RegionGroupSpec(Strict):
    """Regions of one file that share dates or facts (the five single-candidate Pilkada,
    say): a region's own entry wins over its group's, a group's over the province's."""

    key: Key
    name: str = Field(min_length=1)
    regions: tuple[Key, ...] = Field(min_length=1)
    elections: dict[Key, RegionElectionSpec] = Field(default_factory=dict)
    notes: str | None = None
    sources: tuple[str, ...] = ()


class RegionFileSpec(Strict):
    timezone: str = "Asia/Jakarta"
    province: RegionSpec
    regencies: tuple[RegionSpec, ...] = ()
    groups: tuple[RegionGroupSpec, ...] = ()


class NationFileSpec(Strict):
    """content/nation.yaml: the nation (KPU RI), parent of every province."""

    timezone: str = "Asia/Jakarta"
    nation: RegionSpec


# --- links ------------------------------------------------------------------------------


class LinkSpec(Strict):
    key: Key
    url: str = Field(pattern=r"^https://\S+$")
    title: str = Field(min_length=1)
    # A page that shows counts that are not the official result (Sirekap, a quick count):
    # a post that carries it must say so, in these words.
    unofficial_note: str | None = None
    sources: tuple[str, ...] = ()


class LinksSpec(Strict):
    links: tuple[LinkSpec, ...] = Field(min_length=1)


# --- neutrality -------------------------------------------------------------------------


class NeutralTermSpec(Strict):
    term: str = Field(min_length=2)
    category: Literal["partai", "kandidat", "nomor_urut", "slogan", "lainnya"]
    note: str | None = None


class NeutralitySpec(Strict):
    terms: tuple[NeutralTermSpec, ...] = ()
