"""Bad content: every problem names its file and line, and all are reported at once."""

from pathlib import Path

import pytest

from scheduler.catalog import load_catalog
from scheduler.errors import ContentError, Problem
from scheduler.rendering import PostRenderer
from scheduler.setup import check_content


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def line_of(path: Path, fragment: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if fragment in line)


def problems(mini: Path) -> list[Problem]:
    with pytest.raises(ContentError) as caught:
        load_catalog(mini / "content", mini / "templates")
    return caught.value.problems


def only(found: list[Problem]) -> Problem:
    assert len(found) == 1, found
    return found[0]


def test_malformed_yaml_names_file_and_line(mini: Path) -> None:
    path = mini / "content/elections/uji-2024.yaml"
    edit(path, "hashtags: [\"#Uji2024\"]", "hashtags: [\"#Uji2024\"")
    problem = only(problems(mini))
    assert problem.source.endswith("uji-2024.yaml")
    assert "YAML tidak valid" in problem.message
    assert problem.line is not None
    assert problem.line >= line_of(path, "hashtags")


def test_missing_field_names_the_field_and_its_stage(mini: Path) -> None:
    path = mini / "content/elections/uji-2024.yaml"
    edit(path, "    name: Masa tenang\n", "")
    problem = only(problems(mini))
    assert problem.message == "stages[2].name: kolom wajib tidak ada"
    assert problem.line == line_of(path, "key: tenang")


def test_mistyped_field_is_refused_at_its_line(mini: Path) -> None:
    path = mini / "content/elections/uji-2024.yaml"
    edit(path, "    start: 2024-02-11", "    strat: 2024-02-11")
    found = problems(mini)
    assert any(p.message == "stages[2].strat: kolom tidak dikenal (salah ketik?)"
               and p.line == line_of(path, "strat:") for p in found), found


def test_bad_date_value_is_refused(mini: Path) -> None:
    path = mini / "content/elections/uji-2024.yaml"
    edit(path, "    end: 2024-02-13", "    end: 2024-02-30")
    problem = only(problems(mini))
    assert problem.message.startswith("stages[2].end: tanggal tidak valid")
    assert problem.line == line_of(path, "2024-02-30")


def test_end_before_start_is_refused(mini: Path) -> None:
    path = mini / "content/elections/uji-2024.yaml"
    edit(path, "    end: 2024-01-10", "    end: 2023-12-31")
    problem = only(problems(mini))
    assert "end (2023-12-31) lebih awal dari start (2024-01-01)" in problem.message
    assert problem.line == line_of(path, "key: daftar")


def test_duplicate_key_is_refused(mini: Path) -> None:
    path = mini / "content/plan.yaml"
    edit(path, "    template: daftar\n", "    template: daftar\n    template: mundur\n")
    problem = only(problems(mini))
    assert problem.message == "kunci ganda: 'template'"
    assert problem.line == line_of(path, "template: mundur")


def test_rule_naming_unknown_stage_template_and_cron_reports_all_three(mini: Path) -> None:
    path = mini / "content/plan.yaml"
    edit(path, "during: [daftar]", "during: [daftr]")
    edit(path, "template: mundur", "template: hitungmundur")
    edit(path, 'cadence: "0 7 * * *"', 'cadence: "0 7 * *"')
    found = problems(mini)
    assert any(p.message == "aturan daftar-harian: tahapan tidak dikenal di uji-2024: 'daftr'"
               and p.line == line_of(path, "daftr") for p in found), found
    assert any("templat tidak dikenal: 'hitungmundur'" in p.message
               and p.line == line_of(path, "hitungmundur") for p in found)
    assert any("cron harus 5 kolom" in p.message and p.line == line_of(path, "0 7 * *")
               for p in found)
    assert all(p.source.endswith("plan.yaml") for p in found)


def test_rule_with_unknown_region_and_platform(mini: Path) -> None:
    path = mini / "content/plan.yaml"
    edit(path, "    regions: regencies", "    regions: [kab-a, kab-z]\n    platforms: [x, myspace]")
    found = problems(mini)
    assert any("wilayah tidak dikenal: 'kab-z'" in p.message
               and p.line == line_of(path, "kab-z") for p in found)
    assert any("platform tidak dikenal: 'myspace'" in p.message for p in found)


def test_template_syntax_error_names_template_file_and_line(mini: Path) -> None:
    path = mini / "templates/posts/mundur.j2"
    edit(path, "{{ tagar(region) }}", "{{ tagar(region) }\n{% if %}")
    problem = only(problems(mini))
    assert problem.source.endswith("posts/mundur.j2")
    assert problem.line == line_of(path, "tagar(region)")
    assert "TemplateSyntaxError" in problem.message


def test_undefined_variable_is_found_by_check_with_file_and_line(mini: Path) -> None:
    path = mini / "templates/posts/daftar.j2"
    edit(path, "memeriksa data pemilih", "memeriksa {{ jumlah_pemilih }} data pemilih")
    result = check_content(mini / "content", mini / "templates",
                           PostRenderer(mini / "templates", load_tz()))
    problem = only(result.problems)
    assert problem.source.endswith("posts/daftar.j2")
    assert problem.line == line_of(path, "jumlah_pemilih")
    assert "'jumlah_pemilih' is undefined" in problem.message


def test_undefined_variable_in_a_partial_names_the_partial(mini: Path) -> None:
    path = mini / "templates/partials/penutup.j2"
    edit(path, "Info resmi: {{ region.website }}", "Info resmi: {{ region.situs }}")
    result = check_content(mini / "content", mini / "templates",
                           PostRenderer(mini / "templates", load_tz()))
    problem = only(result.problems)
    assert problem.source.endswith("partials/penutup.j2")
    assert problem.line == line_of(path, "region.situs")


def test_problems_in_several_files_are_reported_together(mini: Path) -> None:
    edit(mini / "content/elections/uji-2024.yaml", "    name: Masa tenang\n", "")
    edit(mini / "content/regions/uji.yaml", "kind: kota", "kind: desa")
    edit(mini / "content/neutrality.yaml", "category: partai", "category: tokoh")
    sources = {Path(p.source).name for p in problems(mini)}
    assert sources == {"uji-2024.yaml", "uji.yaml", "neutrality.yaml"}


def test_missing_plan_file_is_a_problem(mini: Path) -> None:
    (mini / "content/plan.yaml").unlink()
    problem = only(problems(mini))
    assert problem.source.endswith("plan.yaml")
    assert "tidak dapat dibaca" in problem.message


def load_tz():  # type: ignore[no-untyped-def]
    from zoneinfo import ZoneInfo

    return ZoneInfo("Asia/Jakarta")
