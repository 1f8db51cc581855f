"""Partners of the KPU offices, as the rest of Siar sees them: institutions holding an MoU
(nota kesepahaman) with KPU RI, each office's local agreement (PKS, perjanjian kerja sama)
with them, and the joint activities an office announces. Built by
scheduler.content.partners from content/partners.yaml.

KPU Provinsi Jawa Timur told every KPU Kabupaten/Kota to cooperate only with institutions
that have signed an MoU with KPU RI (/work/shared/reference/kpu-kota-blitar-2022-06-28.txt,
issue 9).
"""

import datetime as dt
from dataclasses import dataclass

# kind -> how people name it
PARTNER_KINDS = {
    "kementerian_lembaga": "kementerian/lembaga",
    "pemerintah_daerah": "pemerintah daerah",
    "perguruan_tinggi": "perguruan tinggi",
    "organisasi_masyarakat": "organisasi masyarakat",
    "media": "media",
}


@dataclass(frozen=True)
class Mou:
    """The partner's MoU with KPU RI."""

    number: str
    signed: dt.date
    valid_until: dt.date
    unconfirmed: bool = False

    def valid_on(self, day: dt.date) -> bool:
        return self.signed <= day <= self.valid_until


@dataclass(frozen=True)
class Agreement:
    """One office's PKS with the partner."""

    region_key: str
    number: str
    start: dt.date
    end: dt.date
    scope: str | None = None
    unconfirmed: bool = False

    def valid_on(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True)
class Partner:
    key: str
    name: str
    kind: str  # a key of PARTNER_KINDS
    aliases: tuple[str, ...] = ()  # other names and @handles a post may use for it
    mou: Mou | None = None
    agreements: tuple[Agreement, ...] = ()
    unconfirmed: bool = False

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)

    @property
    def kind_label(self) -> str:
        return PARTNER_KINDS.get(self.kind, self.kind)

    def agreements_of(self, region_keys: tuple[str, ...]) -> list[Agreement]:
        return [a for a in self.agreements if a.region_key in region_keys]


@dataclass(frozen=True)
class Activity:
    """A joint activity: planning gives it one post per account of its region."""

    key: str
    partner_key: str
    region_key: str
    date: dt.date
    title: str
    template: str
    time: dt.time | None = None  # local; None: 09.00
    image: str | None = None  # under the media folder, as a rule's image
    image_alt: str | None = None

    @property
    def local_time(self) -> dt.time:
        return self.time or dt.time(9, 0)
