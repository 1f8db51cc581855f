"""content/partners.yaml (optional): partners with their MoU with KPU RI, each office's
PKS with them, and joint activities. Validated strictly; every problem names its line.

A political party, candidate or campaign team can never be a partner: a partner whose
name, alias or handle contains a neutrality term (content/neutrality.yaml) is refused.
"""

import datetime as dt
from collections.abc import Container, Mapping
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, model_validator

from scheduler.content.model import NeutralTerm, Region
from scheduler.content.partner_model import Activity, Agreement, Mou, Partner
from scheduler.content.schema import Clock, Key, Strict
from scheduler.content.terms import fold, neutral_terms_in
from scheduler.content.yamlsource import YamlDocument, read_yaml
from scheduler.errors import Problem

Handle = Annotated[str, Field(pattern=r"^@[A-Za-z0-9_.]+$")]
Name = Annotated[str, Field(min_length=2)]


def _span(start: dt.date, end: dt.date, names: tuple[str, str]) -> None:
    if end < start:
        raise ValueError(f"{names[1]} ({end}) lebih awal dari {names[0]} ({start})")


class MouSpec(Strict):
    """The MoU (nota kesepahaman) the partner signed with KPU RI."""

    number: str = Field(min_length=1)
    signed: dt.date
    valid_until: dt.date
    unconfirmed: bool = False
    notes: str | None = None
    sources: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _dates(self) -> "MouSpec":
        _span(self.signed, self.valid_until, ("signed", "valid_until"))
        return self


class AgreementSpec(Strict):
    """One office's PKS (perjanjian kerja sama) with the partner."""

    region: Key
    number: str = Field(min_length=1)
    start: dt.date
    end: dt.date
    scope: str | None = None
    unconfirmed: bool = False
    notes: str | None = None

    @model_validator(mode="after")
    def _dates(self) -> "AgreementSpec":
        _span(self.start, self.end, ("start", "end"))
        return self


class PartnerSpec(Strict):
    key: Key
    name: Name
    kind: Literal["kementerian_lembaga", "pemerintah_daerah", "perguruan_tinggi",
                  "organisasi_masyarakat", "media"]
    aliases: tuple[Name, ...] = ()  # other names a post may use: "Unesa"
    handles: tuple[Handle, ...] = ()  # its accounts, as a post tags them: "@unesa"
    mou: MouSpec | None = None
    agreements: tuple[AgreementSpec, ...] = ()
    unconfirmed: bool = False
    notes: str | None = None


class ActivitySpec(Strict):
    key: Key
    partner: Key
    region: Key
    date: dt.date
    time: Clock | None = None  # local; 09.00 when left out
    title: str = Field(min_length=1)
    template: Key
    image: str | None = None  # under the media folder, as a rule's image
    image_alt: str | None = None
    notes: str | None = None


class PartnersFileSpec(Strict):
    partners: tuple[PartnerSpec, ...] = ()
    activities: tuple[ActivitySpec, ...] = ()


def load_partners(
    path: Path,
    *,
    regions: Mapping[str, Region] | None,
    templates: Container[str] | None,
    terms: tuple[NeutralTerm, ...],
    problems: list[Problem],
) -> tuple[dict[str, Partner], tuple[Activity, ...]]:
    """Partners by key and joint activities; a missing file means none. `regions` and
    `templates` are None when they failed to load (their keys are then not checked)."""
    if not path.exists():
        return {}, ()
    doc, found = read_yaml(path)
    problems.extend(found)
    if doc is None:
        return {}, ()
    spec, found = doc.validate(PartnersFileSpec)
    problems.extend(found)
    if spec is None:
        return {}, ()
    partners = {}
    owners: dict[str, str] = {}  # folded name -> partner key
    for i, entry in enumerate(spec.partners):
        partner = _partner(doc, ("partners", i), entry, regions, terms, problems)
        if partner.key in partners:
            problems.append(doc.problem(f"kunci mitra ganda: {partner.key!r}",
                                        ("partners", i, "key")))
        for name in partner.names:
            owner = owners.setdefault(" ".join(fold(name).split()), partner.key)
            if owner != partner.key:
                problems.append(doc.problem(f"mitra {partner.key}: nama {name!r} sudah "
                                            f"dipakai mitra {owner}", ("partners", i)))
        partners[partner.key] = partner
    activities: dict[str, Activity] = {}
    for i, act in enumerate(spec.activities):
        loc: tuple[str | int, ...] = ("activities", i)
        if act.key in activities:
            problems.append(doc.problem(f"kunci kegiatan ganda: {act.key!r}", (*loc, "key")))
        if act.partner not in partners:
            problems.append(doc.problem(f"kegiatan {act.key}: mitra tidak dikenal: "
                                        f"{act.partner!r}", (*loc, "partner")))
        _check_region(doc, (*loc, "region"), act.region, regions, problems)
        if templates is not None and act.template not in templates:
            problems.append(doc.problem(f"kegiatan {act.key}: templat tidak dikenal: "
                                        f"{act.template!r}", (*loc, "template")))
        activities[act.key] = Activity(act.key, act.partner, act.region, act.date, act.title,
                                       act.template, act.time, act.image,
                                       act.image_alt)
    return partners, tuple(activities.values())


def _partner(doc: YamlDocument, loc: tuple[str | int, ...], spec: PartnerSpec,
             regions: Mapping[str, Region] | None, terms: tuple[NeutralTerm, ...],
             problems: list[Problem]) -> Partner:
    named = [("name", spec.name), *(("aliases", a) for a in spec.aliases),
             *(("handles", h) for h in spec.handles)]
    for index, (field, value) in enumerate(named):
        found = neutral_terms_in(value.lstrip("@"), terms)
        if found:
            where = (*loc, field) if field == "name" else (*loc, field, _index(named, index))
            problems.append(doc.problem(
                f"mitra {spec.key}: {value!r} memuat istilah netralitas {', '.join(found)}: "
                "partai politik, peserta pemilu, calon dan tim kampanye tidak boleh menjadi "
                "mitra KPU", where))
    for j, agreement in enumerate(spec.agreements):
        _check_region(doc, (*loc, "agreements", j, "region"), agreement.region, regions,
                      problems)
    mou = spec.mou
    return Partner(
        key=spec.key, name=spec.name, kind=spec.kind,
        aliases=(*spec.aliases, *spec.handles),
        mou=Mou(mou.number, mou.signed, mou.valid_until, mou.unconfirmed) if mou else None,
        agreements=tuple(Agreement(a.region, a.number, a.start, a.end, a.scope, a.unconfirmed)
                         for a in spec.agreements),
        unconfirmed=spec.unconfirmed)


def _index(named: list[tuple[str, str]], index: int) -> int:
    """The position of named[index] inside its own list (aliases or handles)."""
    field = named[index][0]
    return sum(1 for f, _ in named[:index] if f == field)


def _check_region(doc: YamlDocument, loc: tuple[str | int, ...], key: str,
                  regions: Mapping[str, Region] | None, problems: list[Problem]) -> None:
    if regions is not None and key not in regions:
        problems.append(doc.problem(f"wilayah tidak dikenal: {key!r}", loc))
