"""A platform is one file, one entry point and one fake: the example plugin in
tests/plugin_example is installed the way pip installs a package (a dist-info folder with
its entry point, on sys.path), and Siar takes it in its content, plans for it, checks its
posts by its declared limits and publishes through it to its fake server, with nothing
edited in Siar."""

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from scheduler.adapters.registry import clear_adapter_cache
from scheduler.catalog import load_catalog
from scheduler.checks.post_checks import CheckSettings, PostDraft, check_post
from scheduler.config import Settings, load_settings
from scheduler.content.model import Catalog
from scheduler.errors import ContentError
from scheduler.platforms import declared_names, registered
from tests.conftest import WIB, posts, worker_for
from tests.dists import write_dist
from tests.plugin_example.fake_papan import FakePapan

PLUGIN = Path(__file__).resolve().parent / "plugin_example"
TOKEN = "papan-PLANTED-SECRET-123"


@pytest.fixture
def installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The plugin's distribution: its module and its entry point, nothing else."""
    write_dist(tmp_path / "site", "siar-papan", "1.0",
               {"siar.adapters": {"papan": "siar_papan:PapanAdapter"}})
    monkeypatch.syspath_prepend(str(PLUGIN))
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    clear_adapter_cache()
    yield
    clear_adapter_cache()


@pytest.fixture
def papan(clock) -> Iterator[FakePapan]:  # type: ignore[no-untyped-def]
    with FakePapan(tokens={TOKEN}, clock=clock) as fake:
        yield fake


@pytest.fixture
def papan_content(mini: Path) -> Path:
    """The mini content with a Papan account for the province and Papan in the plan."""
    regions = mini / "content/regions/uji.yaml"
    text = regions.read_text()
    line = next(x for x in text.splitlines() if "platform: telegram" in x and '"@prov"' in x)
    account = line[:line.index("{")] + \
        '{platform: papan, handle: "@prov", credentials: {token: SIAR_PROV_PAPAN_TOKEN}}'
    regions.write_text(text.replace(line, f"{line}\n{account}", 1))
    plan = mini / "content/plan.yaml"
    plan.write_text(plan.read_text().replace(
        "platforms: [facebook, instagram, x, threads, telegram]",
        "platforms: [facebook, instagram, x, threads, telegram, papan]"))
    return mini


@pytest.fixture
def settings(tmp_path: Path, papan_content: Path, database_url: str,
             papan: FakePapan) -> Settings:
    content = papan_content / "content"
    return load_settings(env={
        "SIAR_DATABASE_URL": database_url, "SIAR_CONTENT_DIR": str(content),
        "SIAR_TEMPLATES_DIR": str(papan_content / "templates"),
        "SIAR_OUTBOX_DIR": str(tmp_path / "outbox"), "SIAR_MEDIA_DIR": str(content / "media"),
        "SIAR_OUTBOX_FALLBACK": "1",  # the built-in platforms' accounts have no credentials
        "SIAR_PAPAN_API_URL": papan.url, "SIAR_PROV_PAPAN_TOKEN": TOKEN,
    }, env_file=None)


@pytest.fixture
def catalog(installed: None, settings: Settings) -> Catalog:
    return load_catalog(settings.content_dir, settings.templates_dir)


def test_without_the_plugin_papan_is_an_unknown_platform(settings: Settings) -> None:
    with pytest.raises(ContentError) as caught:
        load_catalog(settings.content_dir, settings.templates_dir)
    assert any(p.source.endswith("uji.yaml") for p in caught.value.problems)
    assert any("papan" in p.message and p.source.endswith("plan.yaml")
               for p in caught.value.problems)


def test_the_content_takes_the_plugin_platform(catalog: Catalog) -> None:
    assert "papan" in catalog.platforms
    assert [a.handle for a in catalog.regions["prov"].accounts if a.platform == "papan"] \
        == ["@prov"]


def draft(text: str) -> PostDraft:
    return PostDraft(text=text, platform="papan", region_key="prov",
                     scheduled_at=datetime(2024, 1, 2, 9, 0, tzinfo=WIB))


def test_posts_are_checked_by_the_plugin_declarations(catalog: Catalog,
                                                      settings: Settings) -> None:
    checks = CheckSettings.of(settings)
    assert check_post(draft("a" * 298 + "😀"), catalog, checks) == []  # 300 UTF-16 units
    [too_long] = check_post(draft("a" * 299 + "😀"), catalog, checks)
    assert (too_long.code, too_long.message) == ("too_long", "teks 301/300 unit UTF-16 untuk papan")
    five = "Ayo #Cek #Daftar #Memilih #Pemilu #Damai"
    [hashtags] = check_post(draft(five), catalog, checks)
    assert hashtags.message == "5 tagar, papan paling banyak 4"
    raised = CheckSettings.of(load_settings(env={"SIAR_PAPAN_MAX_HASHTAGS": "5"},
                                            env_file=None))
    assert check_post(draft(five), catalog, raised) == []


def test_planned_and_approved_posts_publish_through_the_plugin(
        approved, catalog, settings, clock, papan) -> None:  # type: ignore[no-untyped-def]
    planned = [p for p in posts(approved) if p.platform == "papan"]
    assert [(p.region_key, p.status, p.problems) for p in planned] == \
        [("prov", "approved", [])]
    outcomes = worker_for(approved, catalog, settings, clock).run_once()
    assert sorted((o.adapter, o.status) for o in outcomes if o.adapter != "outbox") == \
        [("papan", "published")]
    [post] = [p for p in posts(approved) if p.platform == "papan"]
    [note] = papan.published
    assert (note["text"], note["handle"]) == (post.text, "@prov")
    assert (post.status, post.published_via, post.platform_id) == (
        "published", "papan", note["id"])
    assert papan.calls("/v1/notes")[0].headers["authorization"] == f"Bearer {TOKEN}"


def test_siar_platforms_lists_the_plugin(installed, siar) -> None:  # type: ignore[no-untyped-def]
    result = siar("platforms", "--format", "json")
    assert result.exit_code == 0, result.output
    [row] = [r for r in json.loads(result.stdout) if r["name"] == "papan"]
    assert (row["label"], row["max_length"], row["counted_as"], row["daily_quota"],
            row["credentials"], row["address_setting"]) == (
        "Papan", 300, "unit UTF-16", 3, ["token"], "SIAR_PAPAN_API_URL")


def test_the_declared_names_are_the_registered_platforms_plugin_included(installed) -> None:  # type: ignore[no-untyped-def]
    """The names read from the entry points alone (the review queue's counts, without
    importing an adapter) are those of the loaded registry."""
    assert "papan" in declared_names()
    assert declared_names() == tuple(sorted(registered()))


def test_without_the_plugin_the_declared_names_leave_it_out() -> None:
    assert "papan" not in declared_names()
    assert declared_names() == tuple(sorted(registered()))
