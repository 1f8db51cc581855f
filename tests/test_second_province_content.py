"""A second province next to Jawa Timur, on a copy of the REAL content and templates: its
whole calendar of both elections planned into a real SQLite file never names Jawa Timur
or quotes its figures, uses its own facts and dates, and opens its results on its own
dates (issue 9, "province-neutral templates")."""

import re
import shutil
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, col, select

from scheduler.catalog import load_catalog
from scheduler.db import make_engine
from scheduler.migrate import upgrade_database
from scheduler.models import Post
from scheduler.planning import PlanRequest, plan_posts
from scheduler.users import PLANNER

REPO = Path(__file__).resolve().parent.parent
WIB = ZoneInfo("Asia/Jakarta")
REGIONS = ("ujibarat", "kab-uji-hulu", "kota-uji-hilir")

# Everything of Jawa Timur a template could leak: names, figures, mascot, tagline, tags.
FORBIDDEN = ("Jawa Timur", "Jatim", "JATIM", "Si Jalih", "Si Jali", "Seneng Bareng",
             "31.402.838", "31402838", "120.666", "60.751", "#KPUJatim", "#JatimMemilih",
             "jatim.kpu.go.id", "Surabaya", "Sura dan Sulu", "Khofifah")


def _account(region: str, platform: str) -> str:
    return f"      - {{platform: {platform}, handle: \"@kpu.{region}\", placeholder: true}}\n"


def _accounts(region: str, indent: str) -> str:
    return "".join(indent + _account(region, p).lstrip(" ")
                   for p in ("facebook", "instagram", "x", "threads", "telegram"))


PROVINCE_FILE = f"""\
timezone: Asia/Jakarta
province:
  key: ujibarat
  name: KPU Provinsi Uji Barat
  area: Provinsi Uji Barat
  short_area: Ujibar
  kind: provinsi
  website: https://ujibarat.kpu.example
  hashtag: "#KPUUjiBarat"
  accounts:
{_accounts("ujibarat", "    ")}  elections:
    pemilu-2024:
      dates:
        penetapan_dps_provinsi: {{start: 2023-04-11, end: 2023-04-11}}
        penetapan_dpt_provinsi: {{start: 2023-06-20, end: 2023-06-20}}
        rekapitulasi_nasional_provinsi: {{start: 2024-03-11, end: 2024-03-11}}
        sumpah_dprd_provinsi: {{start: 2024-09-03, end: 2024-09-03}}
      facts:
        dpt: 4321987
        dpt_date: 2023-06-20
        tps: 15432
        mascot: Si Pilu
        mascot_meaning: burung uji penanda Pemilu
    pilkada-2024:
      dates:
        pilgub_peluncuran: {{start: 2024-06-12, end: 2024-06-12}}
        pilkada_kirab_maskot: {{start: 2024-08-01, end: 2024-09-30}}
        pilkada_debat_1: {{start: 2024-10-21, end: 2024-10-21, time: "19:30"}}
        pilgub_rekapitulasi_provinsi: {{start: 2024-12-12, end: 2024-12-13}}
        # Two days, opening at 20.00: the 19.00 post of the first day is held.
        pilgub_penetapan_calon_terpilih: {{start: 2025-01-20, end: 2025-01-21, time: "20:00"}}
      facts:
        tps: 7654
        short_name: Pilgub Ujibar
        mascot: Si Jaga
        mascot_meaning: Jaga Suara
        tagline: Pilgub Ujibar, Guyub Rukun
        hashtags: ["#UjibarMemilih"]
regencies:
  - key: kab-uji-hulu
    name: KPU Kabupaten Uji Hulu
    area: Kabupaten Uji Hulu
    kind: kabupaten
    website: https://kab-uji-hulu.kpu.example
    hashtag: "#KPUKabUjiHulu"
    accounts:
{_accounts("kab-uji-hulu", "      ")}    elections:
      pilkada-2024:
        dates:
          pilkada_penetapan_calon_terpilih: {{start: 2025-01-09, end: 2025-01-10, time: "19:30"}}
  - key: kota-uji-hilir
    name: KPU Kota Uji Hilir
    area: Kota Uji Hilir
    kind: kota
    website: https://kota-uji-hilir.kpu.example
    hashtag: "#KPUKotaUjiHilir"
    accounts:
{_accounts("kota-uji-hilir", "      ")}    elections:
      pilkada-2024:
        dates:
          pilkada_penetapan_calon_terpilih: {{start: 2025-01-15, end: 2025-01-15}}
        facts:
          single_candidate: true
"""


@dataclass(frozen=True)
class Planned:
    rule: str
    region: str
    platform: str
    at: datetime  # local (WIB)
    text: str
    problems: tuple[str, ...]


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory) -> list[Planned]:
    root = tmp_path_factory.mktemp("second-province")
    shutil.copytree(REPO / "content", root / "content")
    shutil.copytree(REPO / "templates", root / "templates")
    (root / "content" / "regions" / "uji-barat.yaml").write_text(PROVINCE_FILE)
    # The regency winner rule waits for dated regencies; this province dates both of its.
    plan_file = root / "content" / "plan.yaml"
    rules = plan_file.read_text()
    rule = re.search(r"  - key: pilkada-penetapan-calon-terpilih\n(?:    .*\n)+", rules)
    assert rule is not None
    plan_file.write_text(rules.replace(rule.group(0),
                                       rule.group(0).replace("    enabled: false\n", "")))
    catalog = load_catalog(root / "content", root / "templates")
    engine = make_engine(f"sqlite:///{root / 'siar.db'}")
    upgrade_database(engine)
    plan_posts(engine, catalog, root / "templates",
               PlanRequest(date_from=date(2022, 6, 1), date_to=date(2025, 3, 31),
                           regions=REGIONS),
               datetime(2022, 5, 1, tzinfo=UTC), actor=PLANNER)
    with Session(engine) as session:
        rows = session.exec(select(Post).order_by(col(Post.scheduled_at))).all()
        found = [Planned(p.rule_key or "", p.region_key, p.platform,
                         p.scheduled_at.astimezone(WIB), p.text,
                         tuple(str(x["code"]) for x in p.problems)) for p in rows]
    engine.dispose()
    return found


def days(planned: list[Planned], rule: str, region: str | None = None) -> set[date]:
    return {p.at.date() for p in planned
            if p.rule == rule and (region is None or p.region == region)}


def texts(planned: list[Planned], rule: str, region: str = "ujibarat") -> str:
    return "\n".join(p.text for p in planned if p.rule == rule and p.region == region)


def test_only_the_second_province_is_planned_across_both_elections(
        planned: list[Planned]) -> None:
    assert {p.region for p in planned} == set(REGIONS)
    assert {p.platform for p in planned} == {"facebook", "instagram", "x", "threads",
                                             "telegram"}
    years = {p.at.year for p in planned}
    assert {2022, 2023, 2024, 2025} <= years
    assert len(planned) > 1000


def test_no_post_names_jawa_timur_its_figures_or_its_mascot(planned: list[Planned]) -> None:
    leaks = [(p.rule, p.region, p.platform, word)
             for p in planned for word in FORBIDDEN if word in p.text]
    assert leaks == []


def test_its_own_figures_mascot_and_tagline_appear(planned: list[Planned]) -> None:
    dpt = texts(planned, "pemilu-penetapan-dpt")
    assert "DPT Pemilu 2024 Uji Barat: 4.321.987 Pemilih" in dpt
    assert "15.432 TPS" in dpt
    assert "KPU Provinsi Uji Barat" in dpt
    assert "Si Pilu" in texts(planned, "pemilu-peluncuran-maskot")
    launch = texts(planned, "pilkada-peluncuran", "kab-uji-hulu")
    assert "Si Jaga (Jaga Suara)" in launch
    assert "Pilgub Ujibar, Guyub Rukun" in launch
    assert "Pilgub Ujibar dan Pilbup Uji Hulu" in texts(planned, "pilkada-ayo-ke-tps",
                                                        "kab-uji-hulu")


def test_its_single_candidate_city_speaks_of_the_empty_column(planned: list[Planned]) -> None:
    city = texts(planned, "pilkada-ayo-ke-tps", "kota-uji-hilir")
    assert "kolom kosong" in city
    assert "kolom kosong" not in texts(planned, "pilkada-ayo-ke-tps", "kab-uji-hulu")


def test_province_specific_posts_fall_on_its_own_dates(planned: list[Planned]) -> None:
    # The day after each of its own stages (H+1), never on Jawa Timur's.
    assert days(planned, "pemilu-penetapan-dpt") == {date(2023, 6, 21)}
    assert days(planned, "pilkada-peluncuran") == {date(2024, 6, 13)}
    assert days(planned, "pemilu-sumpah-dprd-provinsi") == {date(2024, 9, 3)}
    parade = days(planned, "pilkada-kirab-maskot")
    assert parade
    assert all(date(2024, 8, 1) <= d <= date(2024, 9, 30) for d in parade)
    assert days(planned, "pilkada-penetapan-gubernur-terpilih") == {date(2025, 1, 20),
                                                                    date(2025, 1, 21)}


def test_its_results_are_held_until_its_own_results_dates(planned: list[Planned]) -> None:
    def held(rule: str, region: str) -> dict[date, bool]:
        by_day: dict[date, bool] = {}
        for p in planned:
            if p.rule == rule and p.region == region:
                by_day[p.at.date()] = by_day.get(p.at.date(), False) or (
                    "results_held" in p.problems)
        return by_day

    # The governor: 19.00 on the first day is before the 20.00 plenary, the next day is not.
    assert held("pilkada-penetapan-gubernur-terpilih", "ujibarat") == {
        date(2025, 1, 20): True, date(2025, 1, 21): False}
    # Each regency on its own dates (Jawa Timur's regencies have none).
    assert held("pilkada-penetapan-calon-terpilih", "kab-uji-hulu") == {
        date(2025, 1, 9): True, date(2025, 1, 10): False}
    assert held("pilkada-penetapan-calon-terpilih", "kota-uji-hilir") == {
        date(2025, 1, 15): False}
