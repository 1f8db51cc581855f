"""The catalog is loaded once per process and folder, and again when a file changes."""

import os
import time
from pathlib import Path

import pytest

from scheduler.app import create_app
from scheduler.catalog_cache import cached_catalog, forget
from scheduler.config import Settings
from scheduler.errors import ContentError


def age(folder: Path, seconds: float = 60) -> None:
    """Date every file under `folder` `seconds` back: settled files, as on a server."""
    past = time.time() - seconds
    for root, _, files in os.walk(folder):
        for name in files:
            os.utime(Path(root) / name, (past, past))


@pytest.fixture
def aged(mini: Path) -> Path:
    forget()
    age(mini)
    return mini


def test_every_application_of_the_process_shares_one_catalog(aged: Path,
                                                             settings: Settings) -> None:
    age(settings.content_dir)
    age(settings.templates_dir)
    first, second = create_app(settings), create_app(settings)
    assert first.catalog is second.catalog
    assert first.catalog is cached_catalog(settings.content_dir, settings.templates_dir)


def test_a_changed_file_is_read_again(aged: Path) -> None:
    content, templates = aged / "content", aged / "templates"
    before = cached_catalog(content, templates)
    assert cached_catalog(content, templates) is before
    plan = content / "plan.yaml"
    text = plan.read_text()
    assert 'cadence: "0 9 * * *"' in text
    plan.write_text(text.replace('cadence: "0 9 * * *"', 'cadence: "0 8 * * *"'))
    after = cached_catalog(content, templates)
    assert after is not before
    assert "0 8 * * *" in {rule.cadence for rule in after.rules}
    assert "0 8 * * *" not in {rule.cadence for rule in before.rules}


def test_a_file_changed_in_the_same_clock_tick_is_not_trusted(aged: Path) -> None:
    """Same size, same modification time: only a catalog read from files that have
    settled is kept, so a rewrite within one tick of the file system's clock is seen."""
    content, templates = aged / "content", aged / "templates"
    plan = content / "plan.yaml"
    text = plan.read_text()
    plan.write_text(text)  # just now: not settled
    stamp = plan.stat().st_mtime_ns
    first = cached_catalog(content, templates)
    plan.write_text(text.replace('cadence: "0 9 * * *"', 'cadence: "0 8 * * *"'))
    os.utime(plan, ns=(stamp, stamp))
    assert cached_catalog(content, templates) is not first
    assert "0 8 * * *" in {rule.cadence for rule in cached_catalog(content, templates).rules}


def test_an_added_or_removed_file_is_seen(aged: Path) -> None:
    content, templates = aged / "content", aged / "templates"
    before = cached_catalog(content, templates)
    extra = content / "regions" / "copy.yaml"
    extra.write_text((content / "regions").glob("*.yaml").__next__().read_text())
    with pytest.raises(ContentError, match="kunci wilayah ganda"):
        cached_catalog(content, templates)
    extra.unlink()
    assert cached_catalog(content, templates).regions.keys() == before.regions.keys()


def test_a_long_lived_application_sees_a_change_after_its_recheck_interval(
        aged: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    import scheduler.app

    age(settings.content_dir)
    monkeypatch.setattr(scheduler.app, "CATALOG_RECHECK", 3600.0)  # not yet due
    app = create_app(settings)
    before = app.catalog
    plan = settings.content_dir / "plan.yaml"
    plan.write_text(plan.read_text().replace('cadence: "0 9 * * *"', 'cadence: "0 8 * * *"'))
    assert app.catalog is before  # looked less than the recheck interval ago
    monkeypatch.setattr(scheduler.app, "CATALOG_RECHECK", 0.0)
    assert "0 8 * * *" in {rule.cadence for rule in app.catalog.rules}
