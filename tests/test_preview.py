"""`siar preview` tells the truth: the slot and stage the template's own rule uses on the
day (or its nearest slot, said so), the rule's image and spread, and every check approval
runs, on the mini content and on the shipped content (the example of issue 10)."""

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from scheduler.catalog import load_catalog
from scheduler.checks.post_checks import CheckSettings
from scheduler.content.model import Catalog
from scheduler.errors import InputError
from scheduler.planning_rows import spread_offset
from scheduler.preview import Preview, preview_post
from scheduler.rendering import PostRenderer

REPO = Path(__file__).resolve().parent.parent
WIB = ZoneInfo("Asia/Jakarta")


def shown(catalog: Catalog, templates: Path, **kwargs: object) -> Preview:
    renderer = PostRenderer(templates, WIB)
    return preview_post(catalog, renderer, **kwargs)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def real() -> Catalog:
    return load_catalog(REPO / "content", REPO / "templates")


def real_env() -> dict[str, str]:
    return {"SIAR_CONTENT_DIR": str(REPO / "content"),
            "SIAR_TEMPLATES_DIR": str(REPO / "templates"),
            "SIAR_MEDIA_DIR": str(REPO / "content" / "media")}


# --- mini content ----------------------------------------------------------------------

def test_a_day_the_rule_posts_uses_its_slot_stage_and_image(catalog, settings) -> None:
    result = shown(catalog, settings.templates_dir, template="daftar", region="kab-a",
                   platform="x", on=date(2024, 1, 9))
    assert result.slot == datetime(2024, 1, 9, 9, 0, tzinfo=WIB)
    assert result.stage.key == "daftar"
    assert result.rule is not None and result.rule.key == "daftar-harian"
    assert result.image == "kartu.jpg"
    assert result.image_alt
    assert result.notes == ()
    assert result.problems == ()


def test_a_day_without_a_slot_uses_the_nearest_and_says_so(catalog, settings) -> None:
    result = shown(catalog, settings.templates_dir, template="daftar", region="kab-a",
                   platform="facebook", on=date(2024, 1, 20))
    assert result.slot == datetime(2024, 1, 10, 9, 0, tzinfo=WIB)
    assert result.notes == (
        "aturan daftar-harian tidak mengunggah pada Sabtu, 20 Januari 2024; jadwal terdekat "
        "aturan daftar-harian: Rabu, 10 Januari 2024 pukul 09.00 WIB",)
    assert "10 Januari 2024" in result.text


def test_at_equal_distance_the_later_slot_wins(catalog, settings) -> None:
    # hitung-mundur posts H-3 (11 Feb), H-1 (13 Feb) and H: the 12th is one day from both.
    result = shown(catalog, settings.templates_dir, template="mundur", region="kab-a",
                   platform="x", on=date(2024, 2, 12))
    assert result.slot == datetime(2024, 2, 13, 7, 0, tzinfo=WIB)
    assert result.text.startswith("H-1 menuju pemungutan suara")


def test_a_forced_stage_in_the_quiet_period_shows_the_problem(siar) -> None:
    args = ("preview", "--template", "daftar", "--region", "kab-a", "--platform", "facebook",
            "--on", "2024-02-12", "--stage", "tenang")
    result = siar(*args)
    assert result.exit_code == 0, result.output
    assert "Tahapan: Masa tenang (tenang)" in result.output
    assert "quiet_period: Masa tenang (11 Februari 2024 – 13 Februari 2024): templat " \
           "'daftar' tidak ditandai aman untuk masa tenang" in result.output
    assert "tahapan tenang dipaksa dengan --stage" in result.output
    strict = siar(*args, "--strict")
    assert strict.exit_code == 1, strict.output
    assert "quiet_period" in strict.output


def test_a_clean_preview_says_so_and_strict_passes(siar) -> None:
    result = siar("preview", "--template", "daftar", "--region", "kab-a", "--platform", "x",
                  "--on", "2024-01-09", "--strict")
    assert result.exit_code == 0, result.output
    assert "Tidak ada masalah." in result.output
    assert "Terbit: Selasa, 9 Januari 2024 pukul 09.00 WIB" in result.output
    assert "Aturan: daftar-harian (jadwal 09.00 WIB)" in result.output


def test_a_results_template_before_the_results_is_held(catalog, settings) -> None:
    result = shown(catalog, settings.templates_dir, template="hasil", region="kab-a",
                   platform="facebook", on=date(2024, 2, 20), stage="hasil")
    assert [p.code for p in result.problems] == ["results_held"]
    assert any("siar results announce" in n for n in result.notes)
    after = shown(catalog, settings.templates_dir, template="hasil", region="kab-a",
                  platform="facebook", on=date(2024, 3, 1), at=time(10, 0), stage="hasil")
    assert after.problems == ()


def test_a_template_no_rule_uses_takes_the_stage_active_that_day(catalog, settings) -> None:
    result = shown(catalog, settings.templates_dir, template="hasil", region="kab-a",
                   platform="facebook", on=date(2024, 2, 15))
    assert result.stage.key == "hitung"
    assert result.rule is None
    assert "templat hasil tidak dipakai aturan mana pun" in result.notes


def test_rule_previews_that_rules_post(siar, catalog, settings) -> None:
    result = shown(catalog, settings.templates_dir, rule="hitung-mundur", region="kab-a",
                   platform="facebook", on=date(2024, 2, 14))
    assert result.template == "mundur"
    assert result.slot == datetime(2024, 2, 14, 7, 0, tzinfo=WIB)
    out = siar("preview", "--rule", "hitung-mundur", "--region", "kab-a", "--platform",
               "facebook", "--on", "2024-02-14")
    assert out.exit_code == 0, out.output
    assert "Aturan: hitung-mundur (jadwal 07.00 WIB)" in out.output
    assert "Hari-H menuju pemungutan suara" in out.output


def test_rule_and_template_must_agree_and_cover_the_account(catalog, settings) -> None:
    with pytest.raises(InputError, match="memakai templat 'mundur', bukan 'daftar'"):
        shown(catalog, settings.templates_dir, rule="hitung-mundur", template="daftar",
              region="kab-a", platform="x", on=date(2024, 2, 14))
    with pytest.raises(InputError, match="tidak mengunggah untuk prov di x"):
        shown(catalog, settings.templates_dir, rule="hitung-mundur", region="prov",
              platform="x", on=date(2024, 2, 14))


@pytest.mark.parametrize(("args", "message"), [
    (["--rule", "hitung-mundr"], "aturan tidak dikenal: 'hitung-mundr' (mungkin maksud Anda: "
                                 "hitung-mundur)"),
    (["--template", "mundr"], "templat tidak dikenal: 'mundr' (mungkin maksud Anda: mundur)"),
    (["--template", "mundur", "--region", "kab-z"], "wilayah tidak dikenal: 'kab-z'"),
    (["--template", "mundur", "--stage", "nope"], "tahapan tidak dikenal: 'nope'"),
    ([], "sebutkan --template atau --rule"),
])
def test_unknown_names_exit_2(siar, args: list[str], message: str) -> None:
    if "--region" not in args:
        args = [*args, "--region", "kab-a"]
    result = siar("preview", *args, "--platform", "x", "--on", "2024-02-13")
    assert result.exit_code == 2, result.output
    assert message in result.stderr


# --- shipped content -------------------------------------------------------------------

def test_issue_10_example_renders_the_nearest_monday_of_the_campaign(real) -> None:
    result = shown(real, REPO / "templates", template="masa-kampanye", region="kab-malang",
                   platform="x", on=date(2024, 1, 24), checks=CheckSettings(
                       media_dir=REPO / "content" / "media"))
    assert result.stage.key == "masa_kampanye"
    assert result.rule is not None and result.rule.key == "pemilu-masa-kampanye"
    assert result.slot == datetime(2024, 1, 22, 9, 0, tzinfo=WIB)
    assert result.send_at == result.slot + spread_offset(result.rule, "kab-malang/x")
    assert "Rekapitulasi dan pengumuman DPT" not in result.text
    assert result.image == "masa-kampanye.jpg"
    assert result.problems == ()
    assert ("jadwal terdekat aturan pemilu-masa-kampanye: Senin, 22 Januari 2024 pukul "
            "09.00 WIB") in result.notes[0]


def test_issue_10_example_on_the_command_line(siar) -> None:
    result = siar("preview", "--template", "masa-kampanye", "--region", "kab-malang",
                  "--platform", "x", "--on", "2024-01-24", env=real_env())
    assert result.exit_code == 0, result.output
    assert "Tahapan: Masa kampanye pemilu (masa_kampanye)" in result.output
    assert "Rekapitulasi dan pengumuman DPT" not in result.output
    assert "jadwal terdekat aturan pemilu-masa-kampanye: Senin, 22 Januari 2024 pukul " \
           "09.00 WIB" in result.output
    assert "Terbit: Senin, 22 Januari 2024 pukul 09." in result.output
    assert "Tidak ada masalah." in result.output


def test_a_campaign_post_forced_into_the_quiet_period_is_a_problem(real) -> None:
    result = shown(real, REPO / "templates", template="masa-kampanye", region="kab-malang",
                   platform="facebook", on=date(2024, 2, 12), stage="masa_tenang")
    assert [p.code for p in result.problems] == ["quiet_period"]


def test_a_results_post_before_the_results_is_held_and_the_rules_day_is_not(real) -> None:
    early = shown(real, REPO / "templates", template="penetapan-hasil", region="kab-malang",
                  platform="facebook", on=date(2024, 3, 1), stage="penetapan_hasil_nasional")
    assert [p.code for p in early.problems] == ["results_held"]
    assert "siar results announce" in early.notes[-1]
    ruled = shown(real, REPO / "templates", template="penetapan-hasil", region="kab-malang",
                  platform="facebook", on=date(2024, 3, 1))
    assert ruled.slot.date() == date(2024, 3, 21)  # H+1 after the national results
    assert ruled.problems == ()
    assert ruled.send_at is not None
    assert ruled.send_at.astimezone(UTC) - ruled.slot.astimezone(UTC) <= timedelta(minutes=15)
