"""Jawa Timur's own calendar and facts in the shipped region file, and the single-candidate
Pilkada wording, rendered from the real content and templates as planning renders them
(issue 9)."""

import datetime as dt
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from scheduler.catalog import load_catalog
from scheduler.content.model import Catalog
from scheduler.preview import preview_post
from scheduler.rendering import PostRenderer

REPO = Path(__file__).resolve().parent.parent
SINGLE = ("kota-surabaya", "kota-pasuruan", "kab-trenggalek", "kab-gresik", "kab-ngawi")
MULTI = "kab-probolinggo"
Real = tuple[Catalog, PostRenderer]


@pytest.fixture(scope="module")
def real() -> Real:
    catalog = load_catalog(REPO / "content", REPO / "templates")
    return catalog, PostRenderer(REPO / "templates", ZoneInfo("Asia/Jakarta"))


def text(real: Real, template: str, region: str, platform: str, on: date,
         stage: str | None = None) -> str:
    catalog, renderer = real
    return preview_post(catalog, renderer, template=template, region=region,
                        platform=platform, on=on, stage=stage).text


# --- single-candidate Pilkada -------------------------------------------------------------

VOTING_CALLS = [
    ("pilkada-ajakan-ke-tps", "facebook", date(2024, 11, 27)),
    ("pilkada-ajakan-ke-tps", "threads", date(2024, 11, 27)),
    ("pilkada-hitung-mundur", "facebook", date(2024, 11, 26)),
    ("pilkada-masa-tenang", "instagram", date(2024, 11, 25)),
    ("pilkada-masa-tenang", "threads", date(2024, 11, 25)),
]
PAIRS_CALLS = [
    ("pilkada-kampanye", "facebook", date(2024, 9, 30), None),
    ("pilkada-kampanye", "x", date(2024, 9, 30), None),
    ("pilkada-kampanye", "threads", date(2024, 9, 30), None),
    ("pilkada-penetapan-paslon", "facebook", date(2024, 9, 24), "pilkada_nomor_urut"),
    ("pilkada-penetapan-paslon", "x", date(2024, 9, 24), "pilkada_nomor_urut"),
    ("pilkada-penetapan-paslon", "threads", date(2024, 9, 24), "pilkada_nomor_urut"),
]


def test_the_five_regions_are_flagged_and_no_other(real: Real) -> None:
    catalog, _ = real
    flagged = {key for key, region in catalog.regions.items()
               if region.facts_for("pilkada-2024").single_candidate}
    assert flagged == set(SINGLE)


@pytest.mark.parametrize("region", SINGLE)
@pytest.mark.parametrize(("template", "platform", "on"), VOTING_CALLS)
def test_voting_calls_offer_the_pair_and_the_empty_column_as_valid_choices(
        real: Real, region: str, template: str, platform: str, on: date) -> None:
    rendered = text(real, template, region, platform, on)
    assert "satu pasangan calon dan kolom kosong" in rendered
    assert "pilihan sah" in rendered or "pilihan yang sah" in rendered
    assert "seluruh pasangan calon" not in rendered


@pytest.mark.parametrize("region", SINGLE)
@pytest.mark.parametrize(("template", "platform", "on", "stage"), PAIRS_CALLS)
def test_no_all_pairs_wording_where_there_is_one_pair(
        real: Real, region: str, template: str, platform: str, on: date,
        stage: str | None) -> None:
    rendered = text(real, template, region, platform, on, stage)
    assert "seluruh pasangan calon" not in rendered
    assert "semua paslon" not in rendered
    assert "Pilgub Jatim" in rendered  # the governor race keeps its pairs


def test_surabaya_names_its_own_race(real: Real) -> None:
    rendered = text(real, "pilkada-ajakan-ke-tps", "kota-surabaya", "facebook",
                    date(2024, 11, 27))
    assert ("Pemilihan Wali Kota dan Wakil Wali Kota Surabaya (satu pasangan calon dan "
            "kolom kosong, keduanya pilihan yang sah)") in rendered
    kampanye = text(real, "pilkada-kampanye", "kota-surabaya", "facebook", date(2024, 9, 30))
    assert "pasangan calon tunggal Pilwali Surabaya" in kampanye


@pytest.mark.parametrize("region", [MULTI, "jatim"])
def test_a_multi_candidate_office_keeps_its_wording(real: Real, region: str) -> None:
    for template, platform, on in VOTING_CALLS:
        assert "kolom kosong" not in text(real, template, region, platform, on)
    assert "seluruh pasangan calon" in text(real, "pilkada-kampanye", region, "facebook",
                                            date(2024, 9, 30))
    assert "semua paslon" in text(real, "pilkada-kampanye", region, "x", date(2024, 9, 30))


@pytest.mark.parametrize("region", SINGLE)
def test_extended_registration_posts_in_the_five_regions_only(real: Real, region: str) -> None:
    catalog, _ = real
    stage = catalog.calendar("pilkada-2024", region).stage("pilkada_perpanjangan_pendaftaran")
    assert (stage.start, stage.end) == (date(2024, 9, 2), date(2024, 9, 4))
    rendered = text(real, "pilkada-pendaftaran-paslon", region, "x", date(2024, 9, 3),
                    "pilkada_perpanjangan_pendaftaran")
    assert rendered.startswith("Perpanjangan pendaftaran pasangan calon")
    assert "2–4 September 2024" in rendered
    other = catalog.calendar("pilkada-2024", MULTI).stage("pilkada_perpanjangan_pendaftaran")
    assert other.start is None


# --- Jawa Timur's calendar and facts ----------------------------------------------------


def test_province_stages_are_dated_for_the_province_and_its_regencies(real: Real) -> None:
    catalog, _ = real
    expected = {
        ("pemilu-2024", "penetapan_dpt_provinsi"): date(2023, 6, 27),
        ("pemilu-2024", "sumpah_dprd_provinsi"): date(2024, 8, 31),
        ("pilkada-2024", "pilgub_peluncuran"): date(2024, 6, 4),
        ("pilkada-2024", "pilkada_kirab_maskot"): date(2024, 7, 24),
        ("pilkada-2024", "pilgub_rekapitulasi_provinsi"): date(2024, 12, 9),
        ("pilkada-2024", "pilgub_penetapan_calon_terpilih"): date(2025, 2, 6),
    }
    for (election, stage_key), start in expected.items():
        assert catalog.elections[election].stage(stage_key).start is None  # no national date
        for region in ("jatim", "kab-pacitan", "kota-surabaya"):
            assert catalog.calendar(election, region).stage(stage_key).start == start


def test_pilgub_debates_at_seven_in_the_evening(real: Real) -> None:
    catalog, _ = real
    calendar = catalog.calendar("pilkada-2024", "jatim")
    debates = [calendar.stage(f"pilkada_debat_{n}") for n in (1, 2, 3)]
    assert [d.start for d in debates] == [date(2024, 10, 18), date(2024, 11, 3),
                                          date(2024, 11, 18)]
    assert {d.time for d in debates} == {dt.time(19, 0)}
    assert catalog.elections["pilkada-2024"].stage("pilkada_debat").start is None


def test_regency_dpt_plenos_and_winner_declarations(real: Real) -> None:
    catalog, _ = real
    plenos = {key: catalog.calendar("pilkada-2024", key).stage("pilkada_penetapan_dpt").start
              for key in ("kota-pasuruan", "kab-sidoarjo", "kab-sampang", "kab-ngawi")}
    assert plenos == {"kota-pasuruan": date(2024, 9, 18), "kab-sidoarjo": date(2024, 9, 20),
                      "kab-sampang": date(2024, 9, 20), "kab-ngawi": None}
    # 22 undisputed regencies on 9 January 2025, 14 whose MK dispute ended at dismissal on
    # 6 February; Magetan and Pamekasan went on to evidence and wait for an announcement.
    winners: dict[date | None, set[str]] = {}
    for key, region in catalog.regions.items():
        if region.is_regency:
            stage = catalog.calendar("pilkada-2024", key).stage(
                "pilkada_penetapan_calon_terpilih")
            winners.setdefault(stage.start, set()).add(key)
    assert {day: len(keys) for day, keys in winners.items()} == {
        date(2025, 1, 9): 22, date(2025, 2, 6): 14, None: 2}
    assert winners[None] == {"kab-magetan", "kab-pamekasan"}
    assert {"kota-surabaya", "kab-tuban"} <= winners[date(2025, 1, 9)]
    assert {"kota-malang", "kab-gresik"} <= winners[date(2025, 2, 6)]


@pytest.mark.parametrize("region", ["jatim", "kab-sampang"])
def test_the_province_figures_come_from_its_facts(real: Real, region: str) -> None:
    dpt = text(real, "penetapan-dpt", region, "facebook", date(2023, 6, 28))
    assert "DPT Pemilu 2024 Jawa Timur: 31.402.838 Pemilih" in dpt
    assert "tersebar di 120.666 TPS" in dpt
    launch = text(real, "pilkada-peluncuran", region, "facebook", date(2024, 6, 5))
    assert "maskot Si Jalih (Jatim Memilih)" in launch
    assert "Pilgub Jatim, Seneng Bareng!" in launch
    mascot = text(real, "peluncuran-maskot", region, "threads", date(2022, 12, 3))
    assert "Sura dan Sulu" in mascot
