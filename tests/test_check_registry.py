"""Checks as plugins (issue 12, item 2): the built-ins come from the "siar.checks" entry
points in pyproject.toml; a third-party package's check, installed as a real
distribution on sys.path, runs where it says at planning, approval and publishing."""

import json
import sys
import textwrap
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlmodel import Session, select

from scheduler.checks import registry
from scheduler.checks.post_checks import (
    CheckSettings,
    PostDraft,
    calendar_problems,
    check_post,
    text_problems,
)
from scheduler.checks.registry import clear_check_cache, registered_checks
from scheduler.errors import ConfigError
from scheduler.models import Post
from scheduler.planning import PlanRequest, plan_posts
from scheduler.users import PLANNER

BUILT_INS = ["empty", "length", "image_alt", "neutrality", "links", "calendar", "partners"]

PLUGIN = '''
from scheduler.checks import registry as r
from scheduler.checks.drafts import PostProblem


def _find(draft, catalog, settings):
    if "{word}" in draft.text.casefold():
        return [PostProblem("kata_dilarang", "menyebut kata {word!r}")]
    return []


CHECK = r.Check("{name}", "tidak menyebut kata {word!r}", {reads}, _find,
              runs=frozenset(({runs},)), order={order}, on_sample={sample})
'''


@pytest.fixture(autouse=True)
def fresh_registry() -> Iterator[None]:
    """No test sees another's plugin: neither its loaded checks nor its module."""
    clear_check_cache()
    sys.modules.pop("siar_kata", None)
    yield
    sys.modules.pop("siar_kata", None)
    clear_check_cache()


def install(root: Path, monkeypatch: pytest.MonkeyPatch, *, name: str = "kata_dilarang",
            word: str = "pemilih", reads: str = "r.CONTENT", runs: str = "r.APPROVAL",
            order: int = 70, sample: bool = False, value: str | None = None) -> None:
    """A distribution `siar-kata` with one module and one "siar.checks" entry point,
    found by importlib.metadata like any installed package."""
    (root / "siar_kata.py").write_text(PLUGIN.format(
        name=name, word=word, reads=reads, runs=runs, order=order, sample=sample))
    info = root / "siar_kata-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: siar-kata\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(textwrap.dedent(f"""\
        [siar.checks]
        {name} = {value or "siar_kata:CHECK"}
        """))
    monkeypatch.syspath_prepend(str(root))
    clear_check_cache()


def draft(text: str, **kwargs: object) -> PostDraft:
    return PostDraft(**{"text": text, "platform": "facebook", "region_key": "kota-a",
                        "scheduled_at": datetime(2024, 1, 2, 3, tzinfo=UTC), **kwargs})  # type: ignore[arg-type]


def test_the_built_ins_are_registered_through_entry_points() -> None:
    checks = registered_checks()
    assert [c.name for c in checks] == BUILT_INS
    assert all(c.message and c.reads in registry.READS for c in checks)
    assert {c.name for c in checks if "publishing" in c.runs} == {"calendar", "partners"}


def test_a_third_party_check_runs_at_approval(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              catalog) -> None:  # type: ignore[no-untyped-def]
    install(tmp_path, monkeypatch)
    assert [c.name for c in registered_checks()] == [*BUILT_INS, "kata_dilarang"]
    found = check_post(draft("Ayo cek daftar pemilih!"), catalog, CheckSettings())
    assert [p.code for p in found] == ["kata_dilarang"]
    assert check_post(draft("Ayo datang ke TPS."), catalog, CheckSettings()) == []
    # Not marked for publishing nor for sample renders: those stages do not run it.
    assert calendar_problems(draft("daftar pemilih"), catalog) == []
    assert text_problems(draft("daftar pemilih"), catalog, CheckSettings()) == []


def test_a_check_marked_for_publishing_and_samples_runs_there(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, catalog) -> None:  # type: ignore[no-untyped-def]
    install(tmp_path, monkeypatch, runs="r.PUBLISHING", reads="r.POST", sample=True)
    assert [p.code for p in calendar_problems(draft("daftar pemilih"), catalog)] == [
        "kata_dilarang"]
    assert [p.code for p in text_problems(draft("daftar pemilih"), catalog,
                                          CheckSettings())] == ["kata_dilarang"]
    assert check_post(draft("daftar pemilih"), catalog, CheckSettings()) == []


@pytest.mark.parametrize("reads", ["r.CONTENT", "r.POST"])
def test_planning_records_a_plugins_problem_on_each_post_it_finds(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, engine, catalog, settings, clock,
        reads: str) -> None:  # type: ignore[no-untyped-def]
    """Planning remembers a check's answers by what it reads; a plugin's problem still
    lands on exactly the posts whose text has the word."""
    install(tmp_path, monkeypatch, runs="r.PLANNING", reads=reads, word="tps")
    plan_posts(engine, catalog, settings.templates_dir,
               PlanRequest(date_from=date(2024, 1, 1), date_to=date(2024, 2, 20)),
               clock.now(), actor=PLANNER)
    with Session(engine) as session:
        posts = session.exec(select(Post)).all()
    flagged = {p.id for p in posts if "kata_dilarang" in json.dumps(p.problems)}
    naming = {p.id for p in posts if "tps" in p.text.casefold()}
    assert naming and flagged == naming


@pytest.mark.parametrize(("change", "complaint"), [
    ({"value": "siar_kata:_find"}, "bukan Check"),
    ({"name": "lain", "value": "siar_kata:CHECK"}, None),
    ({"reads": "'isi'"}, "reads 'isi' tidak dikenal"),
    ({"runs": "'kapan-kapan'"}, "tidak sah"),
    ({"value": "siar_kata:TIDAK_ADA"}, "gagal dimuat"),
])
def test_a_check_that_breaks_the_contract_is_refused_clearly(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: dict[str, str],
        complaint: str | None) -> None:
    if change.get("name") == "lain":  # the entry point's name and the check's differ
        install(tmp_path, monkeypatch)
        text = (tmp_path / "siar_kata-1.0.dist-info" / "entry_points.txt").read_text()
        (tmp_path / "siar_kata-1.0.dist-info" / "entry_points.txt").write_text(
            text.replace("kata_dilarang =", "lain ="))
        complaint = "harus sama dengan nama entry point 'lain'"
    else:
        install(tmp_path, monkeypatch, **change)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match=complaint) as caught:
        registered_checks()
    assert "siar_kata" in str(caught.value)


def test_a_name_registered_twice_is_refused(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    install(tmp_path, monkeypatch, name="neutrality")
    with pytest.raises(ConfigError, match="'neutrality' terdaftar lebih dari sekali"):
        registered_checks()
