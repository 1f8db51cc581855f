"""A synthetic national content dir for benchmarks: 38 provinces and 514 regencies.

KPU RI works through 38 provinces and 514 KPU Kabupaten/Kota (issue 11). Only Jawa Timur
is real content; the other 37 provinces here are copies of its structure with made-up
keys and names ("Provinsi Sintetis 01"), never shipped: this writes a temporary folder.

    from bench.national_content import write_national_content
    content_dir = write_national_content(Path(tmp))   # tmp/content, beside the templates

The shipped elections, plan, neutrality terms, links, partners and media are copied as
they are; Jawa Timur's region file too (so every rule and partner that names a Jatim
office still resolves). Each synthetic province takes the first 12 or 13 of Jawa Timur's
regencies (renamed, with their own dates and groups where kept) so 37 x 12.9 + 38 = 514,
with five accounts each (facebook, instagram, threads, x, telegram) as in Jawa Timur.
The nation (KPU RI) file is copied too.

    python bench/national_content.py DIR    # write DIR/content and print its counts
"""

import argparse
import shutil
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parent.parent
PROVINCES = 38
REGENCIES = 514
_REAL = "jawa-timur.yaml"
_REAL_REGENCIES = 38
# Synthetic provinces' zones, about as Indonesia's provinces spread over WIB, WITA, WIT.
_ZONES = ("Asia/Jakarta",) * 20 + ("Asia/Makassar",) * 11 + ("Asia/Jayapura",) * 6


def regency_counts(provinces: int = PROVINCES - 1,
                   regencies: int = REGENCIES - _REAL_REGENCIES) -> list[int]:
    """How many regencies each synthetic province gets: as even as the totals allow."""
    base, extra = divmod(regencies, provinces)
    return [base + (1 if i < extra else 0) for i in range(provinces)]


def write_national_content(folder: Path, source: Path = REPO / "content") -> Path:
    """Write `folder`/content (national size) and return it."""
    target = folder / "content"
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("regions"))
    regions = target / "regions"
    regions.mkdir()
    shutil.copy(source / "regions" / _REAL, regions / _REAL)
    real = yaml.safe_load((source / "regions" / _REAL).read_text(encoding="utf-8"))
    for index, count in enumerate(regency_counts(), start=1):
        data = _province(real, index, count, _ZONES[(index - 1) % len(_ZONES)])
        text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
        (regions / f"sintetis-{index:02d}.yaml").write_text(text, encoding="utf-8")
    return target


def _province(real: dict[str, Any], index: int, count: int, zone: str) -> dict[str, Any]:
    prefix = f"s{index:02d}"
    province_key = f"prov-{prefix}"
    renamed = {real["province"]["key"]: province_key}
    regencies = []
    for regency in real["regencies"][:count]:
        key = f"{prefix}-{regency['key']}"
        renamed[regency["key"]] = key
        regencies.append(_office(regency, key, prefix))
    province = _office(real["province"], province_key, prefix)
    province.update(name=f"KPU Provinsi Sintetis {index:02d}",
                    area=f"Provinsi Sintetis {index:02d}", short_area=f"Sintetis {index:02d}",
                    hashtag=f"#KPUSintetis{index:02d}", website=f"https://{prefix}.kpu.go.id")
    province.pop("bps_code", None)
    groups = []
    for group in real.get("groups", []):
        kept = [renamed[k] for k in group["regions"] if k in renamed]
        if kept:
            groups.append({**group, "regions": kept})
    return {"timezone": zone, "province": province, "regencies": regencies, "groups": groups}


def _office(spec: dict[str, Any], key: str, prefix: str) -> dict[str, Any]:
    """A copy of one office under a new key: its accounts' handles and credential names
    renamed so no two offices share one."""
    old_env = spec["key"].upper().replace("-", "_")
    new_env = key.upper().replace("-", "_")
    office = {**spec, "key": key, "hashtag": f"{spec['hashtag']}{prefix.upper()}",
              "website": spec["website"].replace("://", f"://{prefix}-")}
    office.pop("bps_code", None)
    office["accounts"] = [
        {**account, "handle": f"{account['handle']}.{prefix}",
         "credentials": {field: name.replace(f"SIAR_{old_env}_", f"SIAR_{new_env}_")
                         for field, name in account.get("credentials", {}).items()}}
        for account in spec.get("accounts", [])]
    return office


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="where to write content/ (made if missing)")
    content = write_national_content(parser.parse_args().folder)
    print(f"{content}: {len(list((content / 'regions').glob('*.yaml')))} region files")


if __name__ == "__main__":
    main()
