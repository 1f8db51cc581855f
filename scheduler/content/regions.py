"""Regions from content/nation.yaml and content/regions/*.yaml: the nation (KPU RI), each
province with its kabupaten/kota, their accounts, own dates, facts and links.

Regions nest nation > province > regency. A region file holds one province and its
regencies; the nation, when content/nation.yaml names it, is the parent of every
province. It has no dates of its own for others: the election-wide dates in
content/elections/ are the national ones. It has no accounts unless the file gives some.
"""

from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from scheduler.content import schema
from scheduler.content.model import (
    NATION_KIND,
    REGENCY_KINDS,
    Account,
    Election,
    Facts,
    Region,
    StageDates,
)
from scheduler.content.yamlsource import YamlDocument, documents, yaml_files
from scheduler.errors import Problem


def time_zone(name: str, doc: YamlDocument, loc: tuple[str | int, ...],
              problems: list[Problem]) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        problems.append(doc.problem(f"zona waktu tidak dikenal: {name!r}", loc))
        return None


def load_nation(path: Path, elections: dict[str, Election] | None, problems: list[Problem],
                *, official: set[str]) -> Region | None:
    """content/nation.yaml, optional: the nation, parent of every province."""
    if not path.exists():
        return None
    loaded = next(documents([path], schema.NationFileSpec, problems), None)
    if loaded is None:
        return None
    doc, spec = loaded
    zone = time_zone(spec.timezone, doc, ("timezone",), problems)
    nation = spec.nation
    if nation.kind != NATION_KIND:
        problems.append(doc.problem(f"nation.kind harus {NATION_KIND!r}", ("nation", "kind")))
    if elections is not None:
        _check_elections(doc, ("nation", "elections"), nation.elections, elections, problems)
    for key in sorted(set(nation.links) & official):
        problems.append(doc.problem(
            f"tautan {key!r} sudah ada di content/links.yaml; pakai kunci lain untuk "
            "halaman kantor sendiri", ("nation", "links", key)))
    if zone is None:
        return None
    return _region(nation, zone, nation.key, _own_dates(nation, [], ()), _own_facts(nation, []),
                   dict(nation.links))


def load_regions(folder: Path, elections: dict[str, Election] | None,
                 problems: list[Problem], *, official: set[str],
                 nation: Region | None = None) -> dict[str, Region]:
    """Every region file; `elections` (None when they failed to load) checks the stage
    keys of the regions' own calendars. An office's own link may not reuse a key of
    content/links.yaml (`official`): `tautan.cekdpt` means one page in every post. The
    nation (content/nation.yaml), if any, comes first; its key is no office's."""
    provinces: dict[str, Region] = {}
    regencies: dict[str, Region] = {}
    for doc, spec in documents(yaml_files(folder, problems), schema.RegionFileSpec, problems):
        zone = time_zone(spec.timezone, doc, ("timezone",), problems)
        if zone is None:
            continue
        if spec.province.kind != "provinsi":
            problems.append(doc.problem("province.kind harus 'provinsi'", ("province", "kind")))
        entries: list[tuple[tuple[str | int, ...], schema.RegionSpec]] = [
            (("province",), spec.province),
            *((("regencies", i), r) for i, r in enumerate(spec.regencies)),
        ]
        in_file = {region.key for _, region in entries}
        if elections is not None:
            for loc, region in entries:
                _check_elections(doc, (*loc, "elections"), region.elections, elections, problems)
            for i, group in enumerate(spec.groups):
                _check_elections(doc, ("groups", i, "elections"), group.elections, elections,
                                 problems)
        for i, group in enumerate(spec.groups):
            for j, key in enumerate(group.regions):
                if key not in in_file:
                    problems.append(doc.problem(
                        f"kelompok {group.key}: wilayah tidak ada di berkas ini: {key!r}",
                        ("groups", i, "regions", j)))
        for loc, region in entries:
            for key in sorted(set(region.links) & official):
                problems.append(doc.problem(
                    f"tautan {key!r} sudah ada di content/links.yaml; pakai kunci lain untuk "
                    "halaman kantor sendiri", (*loc, "links", key)))
            if region.key in provinces or region.key in regencies or \
                    (nation is not None and region.key == nation.key):
                problems.append(doc.problem(f"kunci wilayah ganda: {region.key!r}", (*loc, "key")))
            if loc != ("province",) and region.kind not in REGENCY_KINDS:
                problems.append(doc.problem(
                    f"wilayah di regencies tidak boleh {region.kind!r} (kabupaten atau kota)",
                    (*loc, "kind")))
            target = provinces if loc == ("province",) else regencies
            groups = [g for g in spec.groups if region.key in g.regions]
            inherited = () if loc == ("province",) else (spec.province.elections,)
            target[region.key] = _region(region, zone, spec.province.key,
                                         _own_dates(region, groups, inherited),
                                         _own_facts(region, groups),
                                         {**spec.province.links, **region.links})
    return {**({nation.key: nation} if nation else {}), **provinces, **regencies}


def _check_elections(doc: YamlDocument, loc: tuple[str | int, ...],
                     own: dict[str, schema.RegionElectionSpec],
                     elections: dict[str, Election], problems: list[Problem]) -> None:
    for election_key, entry in own.items():
        election = elections.get(election_key)
        if election is None:
            problems.append(doc.problem(f"pemilihan tidak dikenal: {election_key!r}",
                                        (*loc, election_key)))
            continue
        known = {s.key for s in election.stages}
        for stage_key in entry.dates:
            if stage_key not in known:
                problems.append(doc.problem(
                    f"tahapan tidak dikenal di {election_key}: {stage_key!r}",
                    (*loc, election_key, "dates", stage_key)))


def _own_dates(region: schema.RegionSpec, groups: list[schema.RegionGroupSpec],
               inherited: tuple[dict[str, schema.RegionElectionSpec], ...],
               ) -> dict[str, dict[str, StageDates]]:
    """election -> stage -> dates: the region's own first, then its groups' in file order,
    then its province's."""
    layers = [region.elections, *(g.elections for g in groups), *inherited]
    result: dict[str, dict[str, StageDates]] = {}
    for layer in reversed(layers):  # the first layer wins: apply it last
        for election_key, entry in layer.items():
            for stage_key, d in entry.dates.items():
                result.setdefault(election_key, {})[stage_key] = StageDates(
                    d.start, d.end, d.time, d.unconfirmed, d.notes)
    return result


def _own_facts(region: schema.RegionSpec,
               groups: list[schema.RegionGroupSpec]) -> dict[str, Facts]:
    """election -> facts: each field from the region itself, else from its first group
    that sets it. A province's facts are its own: a regency's voter count is not the
    province's (templates read `province.facts` for those)."""
    layers = [region.elections, *(g.elections for g in groups)]
    fields: dict[str, dict[str, Any]] = {}
    for layer in reversed(layers):
        for election_key, entry in layer.items():
            if entry.facts is not None:
                set_here = entry.facts.model_dump(include=entry.facts.model_fields_set,
                                                  exclude={"notes", "sources"})
                fields.setdefault(election_key, {}).update(set_here)
    return {key: _facts(values) for key, values in fields.items()}


def _facts(values: dict[str, Any]) -> Facts:
    hashtags = tuple(values.pop("hashtags", ()))
    return Facts(hashtags=hashtags, **values)


def _region(spec: schema.RegionSpec, zone: ZoneInfo, province_key: str,
            dates: dict[str, dict[str, StageDates]], facts: dict[str, Facts],
            links: dict[str, str]) -> Region:
    accounts = tuple(
        Account(spec.key, a.platform, a.handle, a.placeholder, a.enabled, a.url,
                dict(a.credentials))
        for a in spec.accounts
    )
    return Region(
        key=spec.key, name=spec.name, area=spec.area, kind=spec.kind, website=spec.website,
        website_verified=spec.website_verified, hashtag=spec.hashtag, timezone=zone,
        province_key=province_key, bps_code=spec.bps_code, accounts=accounts,
        short_area=spec.short_area, dates=dates, facts=facts, links=links,
    )
