"""`siar check` checks every rule's rendered texts like posts and its schedule against the
calendar; every problem names its file (and line) and the rule, all reported at once."""

import time
from pathlib import Path

import pytest

from tests.conftest import REPO


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def line_of(path: Path, fragment: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if fragment in line)


def problem_lines(result) -> list[str]:  # type: ignore[no-untyped-def]
    assert result.exit_code == 2, result.output
    return [line.strip() for line in result.stderr.splitlines()[1:]]


def only(result) -> str:  # type: ignore[no-untyped-def]
    lines = problem_lines(result)
    assert len(lines) == 1, lines
    return lines[0]


@pytest.mark.parametrize(("filler", "exit_code"), [(256, 0), (257, 2)])
def test_x_variant_is_measured_as_x_weighs_it(siar, mini: Path, filler: int,
                                              exit_code: int) -> None:
    # A URL weighs 23 on X whatever its length: 23 + 1 space + 256 letters is exactly 280.
    (mini / "templates/posts/daftar.x.j2").write_text("{{ tautan.cekdpt }} " + "a" * filler)
    result = siar("check")
    assert result.exit_code == exit_code, result.output
    if exit_code:
        assert only(result).endswith(
            "posts/daftar.x.j2: teks 281/280 karakter berbobot (URL = 23, emoji/CJK = 2) untuk "
            "x (aturan daftar-harian, 3 akun, mis. prov/x)")


def test_a_too_long_variant_is_listed_once_with_its_longest_example(siar, mini: Path) -> None:
    # Region names differ in length (KPU Provinsi Uji is the longest): all three are too long.
    (mini / "templates/posts/daftar.x.j2").write_text("{{ region.name }} " + "a" * 270)
    problem = only(siar("check"))
    assert problem.endswith(
        "posts/daftar.x.j2: teks 287/280 karakter berbobot (URL = 23, emoji/CJK = 2) untuk x "
        "(aturan daftar-harian, 3 akun, mis. prov/x)")


def test_a_text_too_long_for_one_region_names_that_region(siar, mini: Path) -> None:
    (mini / "templates/posts/daftar.x.j2").write_text("{{ region.name }} " + "a" * 264)
    assert only(siar("check")).endswith("untuk x (aturan daftar-harian, akun prov/x)")


def test_an_empty_render_is_a_problem(siar, mini: Path) -> None:
    (mini / "templates/posts/daftar.x.j2").write_text(
        "{% if region.key == 'tidak-ada' %}Teks{% endif %}\n   \n")
    assert only(siar("check")).endswith(
        "posts/daftar.x.j2: teks kosong untuk x (aturan daftar-harian, 3 akun, mis. prov/x)")


def test_a_filter_that_raises_is_a_problem_at_its_line(siar, mini: Path) -> None:
    path = mini / "templates/posts/daftar.x.j2"
    path.write_text("Cek data pemilih.\n{{ days_to_stage | tanggal }}\n")
    problem = only(siar("check"))
    assert problem.startswith(f"{path}:2: ")
    assert "AttributeError: 'int' object" in problem
    assert problem.endswith("(aturan daftar-harian, mis. prov/x)")


def test_a_neutrality_term_in_a_template_is_a_problem(siar, mini: Path) -> None:
    edit(mini / "templates/posts/daftar.j2", "memeriksa data pemilih",
         "memeriksa data pemilih bersama Partai Contoh")
    assert only(siar("check")).endswith(
        "posts/daftar.j2: menyebut peserta pemilu (netralitas): Partai Contoh "
        "(aturan daftar-harian, 12 akun, mis. prov/facebook)")


def test_instagram_hashtag_cap_follows_the_setting(siar, mini: Path) -> None:
    edit(mini / "templates/posts/daftar.j2", "{{ penutup(region, election) }}",
         "{{ penutup(region, election) }} #Satu #Dua")
    assert only(siar("check")).endswith(
        "posts/daftar.j2: 6 tagar, instagram paling banyak 5 "
        "(aturan daftar-harian, 3 akun, mis. prov/instagram)")
    assert siar("check", env={"SIAR_INSTAGRAM_MAX_HASHTAGS": "6"}).exit_code == 0


def test_a_rule_without_image_posting_to_instagram_names_the_rule(siar, mini: Path) -> None:
    plan = mini / "content/plan.yaml"
    edit(plan, '    regions: regencies\n    image: kartu.jpg\n', "    regions: regencies\n")
    assert only(siar("check")) == (
        f"{plan}:{line_of(plan, 'key: hitung-mundur')}: instagram wajib menyertakan gambar "
        "(aturan hitung-mundur, 2 akun, mis. kab-a/instagram)")


def test_a_cadence_on_a_date_that_never_exists_names_the_plan_line(siar, mini: Path) -> None:
    plan = mini / "content/plan.yaml"
    edit(plan, "    during: [daftar]\n", '    during: [daftar]\n    cadence: "0 8 30 2 *"\n')
    started = time.monotonic()
    result = siar("check")
    assert time.monotonic() - started < 30  # APScheduler's search for 30 February is bounded
    assert only(result) == (
        f"{plan}:{line_of(plan, '0 8 30 2')}: aturan daftar-harian: cadence '0 8 30 2 *' tidak "
        "pernah berjalan: tanggal atau hari itu tidak pernah ada di kalender")


def test_a_weekday_cadence_missing_its_stage_is_a_problem(siar, mini: Path) -> None:
    plan = mini / "content/plan.yaml"
    # Pekan terakhir pendaftaran runs Monday 8 to Wednesday 10 January 2024: no Friday.
    edit(plan, "    during: [daftar]\n", '    during: [daftar_akhir]\n    cadence: "0 9 * * fri"\n')
    assert only(siar("check")) == (
        f"{plan}:{line_of(plan, '* * fri')}: aturan daftar-harian: cadence '0 9 * * fri' tidak "
        "pernah jatuh pada Pekan terakhir pendaftaran (8 Januari 2024 – 10 Januari 2024)")


def test_an_offset_rule_whose_days_miss_its_cadence_is_a_problem(siar, mini: Path) -> None:
    plan = mini / "content/plan.yaml"
    edit(plan, 'cadence: "0 7 * * *"', 'cadence: "0 7 * * mon"')
    assert only(siar("check")) == (
        f"{plan}:{line_of(plan, '* * mon')}: aturan hitung-mundur: cadence '0 7 * * mon' tidak "
        "pernah jatuh pada H-3 (11 Februari 2024), H-1 (13 Februari 2024), H (14 Februari "
        "2024) dari Pemungutan suara")


def test_a_rule_on_an_undated_stage_is_a_problem(siar, mini: Path) -> None:
    plan = mini / "content/plan.yaml"
    edit(plan, "during: [daftar]", "during: [sumpah]")
    assert only(siar("check")) == (
        f"{plan}:{line_of(plan, '[sumpah]')}: aturan daftar-harian: tahapan sumpah belum "
        "bertanggal, jadi aturan ini tidak pernah berjalan (isi tanggalnya, atau nonaktifkan "
        "aturan dengan enabled: false)")


def test_a_template_not_safe_for_the_quiet_period_scheduled_in_it(siar, mini: Path) -> None:
    plan = mini / "content/plan.yaml"
    edit(plan, "during: [daftar]", "during: [daftar, tenang]")
    assert only(siar("check")) == (
        f"{plan}:{line_of(plan, 'tenang]')}: aturan daftar-harian: Masa tenang (11 Februari "
        "2024 – 13 Februari 2024): templat 'daftar' tidak ditandai aman untuk masa tenang — 3 "
        "jadwalnya pasti ditahan")


def test_a_results_template_posted_only_before_the_results_is_a_problem(siar,
                                                                        mini: Path) -> None:
    plan = mini / "content/plan.yaml"
    edit(plan, "template: daftar\n", "template: hasil\n")
    problem = only(siar("check"))
    assert problem.startswith(f"{plan}:{line_of(plan, 'during: [daftar]')}: aturan "
                              "daftar-harian: konten hasil ditahan sampai hasil resmi di "
                              "Provinsi Uji")
    assert problem.endswith("semua 10 jadwalnya pasti ditahan")
    edit(plan, "during: [daftar]", "during: [daftar, hasil]")
    assert siar("check").exit_code == 0  # its slot on 1 March is published


def test_every_problem_is_reported_at_once(siar, mini: Path) -> None:
    edit(mini / "templates/posts/daftar.j2", "memeriksa data pemilih",
         "memeriksa data pemilih bersama Partai Contoh")
    (mini / "templates/posts/daftar.x.j2").write_text("a" * 281)
    edit(mini / "content/plan.yaml", 'cadence: "0 7 * * *"', 'cadence: "0 7 31 4 *"')
    result = siar("check")
    lines = problem_lines(result)
    assert "3 masalah" in result.stderr
    assert [line.split(": ", 1)[1].split(" ")[0] for line in lines] == [
        "aturan", "menyebut", "teks"]


def test_shipped_content_and_templates_pass(siar) -> None:
    result = siar("check", env={"SIAR_CONTENT_DIR": str(REPO / "content"),
                                "SIAR_TEMPLATES_DIR": str(REPO / "templates"),
                                "SIAR_MEDIA_DIR": str(REPO / "content/media")})
    assert result.exit_code == 0, result.output
    assert "Konten valid" in result.output
