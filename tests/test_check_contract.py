"""The contract of every registered check (issue 12, item 5): each has a case here, a
draft it must find a problem in and one it must pass, runs exactly where it says, and is
named in the README's list of checks. A check registered without a case fails
`test_every_registered_check_has_a_case`."""

import re
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from scheduler.catalog import load_catalog
from scheduler.checks.post_checks import CheckSettings, PostDraft
from scheduler.checks.registry import STAGES, Check, registered_checks, run_checks
from scheduler.config import Settings
from scheduler.content.model import Catalog
from tests.test_partners import PARTNERS

WIB = ZoneInfo("Asia/Jakarta")
README = Path(__file__).resolve().parent.parent / "README.md"
BASE = PostDraft(text="Cek data pemilih Anda.", platform="x", region_key="kab-a",
                 scheduled_at=datetime(2024, 1, 5, 9, 0, tzinfo=WIB), image="k.jpg",
                 election_key="uji-2024", template="daftar", image_alt="Kartu uji")
QUIET = datetime(2024, 2, 12, 9, 0, tzinfo=WIB)

# name -> (what changes in BASE to make it find a problem, the problem's code, what
# changes to make the same draft pass again)
CASES: dict[str, tuple[dict[str, object], str, dict[str, object]]] = {
    "empty": ({"text": "  \n"}, "empty", {"text": "Info"}),
    "length": ({"text": "a" * 281}, "too_long", {"text": "a" * 280}),
    "image_alt": ({"image_alt": None}, "image_alt_missing", {"image_alt": "Kartu uji"}),
    "neutrality": ({"text": "Dukung Partai Contoh"}, "neutrality", {"text": "Dukung TPS"}),
    "links": ({"text": "Pantau hitung di https://pemilu2024.kpu.go.id"}, "unofficial_link",
              {"text": "Pantau hitung di https://kpu.go.id"}),
    "calendar": ({"scheduled_at": QUIET}, "quiet_period", {"template": "mundur"}),
    "partners": ({"text": "Bersama Universitas Uji", "scheduled_at": datetime(
        2024, 1, 10, 9, 0, tzinfo=WIB)}, "mitra_tanpa_mou", {
        "scheduled_at": datetime(2024, 1, 2, 9, 0, tzinfo=WIB)}),
}


@pytest.fixture
def full_catalog(mini: Path, settings: Settings) -> Catalog:
    """The mini content with partners, so that every built-in has something to find."""
    partners_only = PARTNERS.split("activities:")[0]  # the activity needs its template
    (mini / "content" / "partners.yaml").write_text(partners_only, encoding="utf-8")
    return load_catalog(settings.content_dir, settings.templates_dir)


def by_name() -> dict[str, Check]:
    return {check.name: check for check in registered_checks()}


def test_every_registered_check_has_a_case() -> None:
    assert set(by_name()) == set(CASES)


def test_every_registered_check_has_its_line_in_the_readme() -> None:
    readme = README.read_text(encoding="utf-8")
    missing = [name for name in by_name()
               if not re.search(rf"^- `{re.escape(name)}`", readme, re.MULTILINE)]
    assert not missing, f"README.md lists no check named {missing}"


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_check_finds_its_problem_and_passes_the_fixed_draft(
        name: str, full_catalog: Catalog) -> None:
    check = by_name()[name]
    finding, code, fixed = CASES[name]
    bad = replace(BASE, **finding)  # type: ignore[arg-type]
    assert code in [p.code for p in check.find(bad, full_catalog, CheckSettings())]
    assert check.find(replace(bad, **fixed), full_catalog, CheckSettings()) == []  # type: ignore[arg-type]
    assert check.find(BASE, full_catalog, CheckSettings()) == []


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_check_runs_exactly_where_it_says(name: str, full_catalog: Catalog) -> None:
    check = by_name()[name]
    finding, code, _ = CASES[name]
    bad = replace(BASE, **finding)  # type: ignore[arg-type]
    for stage in STAGES:
        found = [p.code for p in run_checks(bad, full_catalog, CheckSettings(), stage=stage,
                                            reads=(check.reads,))]
        assert (code in found) is (stage in check.runs), stage
    on_sample = [p.code for p in run_checks(bad, full_catalog, CheckSettings(), sample=True)]
    assert (code in on_sample) is check.on_sample
