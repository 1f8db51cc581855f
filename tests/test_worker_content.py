"""`siar run` plans with today's content: a worker running for weeks reads changed
content files again at its planning time, and keeps the content it has when a change is
broken (logged, never a crash)."""

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from scheduler.catalog_cache import cached_catalog
from scheduler.clock import FixedClock
from scheduler.config import Settings
from scheduler.publishing.factory import AdapterFactory
from scheduler.worker import Worker
from tests.conftest import posts

EVENING_RULE = """\
  - key: daftar-sore
    template: daftar
    during: [daftar]
    cadence: "0 15 * * *"
    regions: [kota-b]
    platforms: [facebook]
    image: kartu.jpg
"""


def evening_posts(engine: Engine) -> list[datetime]:
    return sorted(p.scheduled_at for p in posts(engine) if p.rule_key == "daftar-sore")


@pytest.fixture
def worker(settings: Settings, synced: Engine, clock: FixedClock) -> Worker:
    clock.set(datetime(2024, 1, 2, 1, 0, tzinfo=UTC))
    catalog = cached_catalog(settings.content_dir, settings.templates_dir)
    return Worker(synced, catalog, settings, clock, AdapterFactory(settings, clock),
                  name="uji:1:1", reload_content=True)


def test_a_content_change_reaches_the_next_planning(worker: Worker, synced: Engine,
                                                    mini: Path,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO):
        worker.plan_ahead()
        assert evening_posts(synced) == []
        assert "dimuat ulang" not in caplog.text  # nothing changed since it started
        plan = mini / "content/plan.yaml"
        plan.write_text(plan.read_text() + EVENING_RULE)
        created = worker.plan_ahead().total_created
    assert created == len(evening_posts(synced)) > 0
    assert worker.catalog.rule("daftar-sore") is not None
    assert "berkas konten berubah: konten dimuat ulang" in caplog.text


def test_a_broken_change_keeps_the_content_and_says_why(
        worker: Worker, synced: Engine, mini: Path, clock: FixedClock,
        caplog: pytest.LogCaptureFixture) -> None:
    plan = mini / "content/plan.yaml"
    plan.write_text(plan.read_text() + EVENING_RULE)
    worker.plan_ahead()
    planned = evening_posts(synced)
    kept = worker.catalog
    plan.write_text(plan.read_text().replace("template: daftar\n    during: [daftar]\n"
                                             "    cadence", "template: tidak-ada\n"
                                             "    during: [daftar]\n    cadence"))
    clock.set(clock.now() + timedelta(days=1))  # the next day: 10 January comes in reach
    with caplog.at_level(logging.INFO):
        worker.plan_ahead()  # no exception: the worker goes on, with the content it had
    assert worker.catalog is kept
    assert "konten berubah tetapi bermasalah" in caplog.text and "plan.yaml" in caplog.text
    assert "tidak-ada" in caplog.text
    assert evening_posts(synced) == [*planned, datetime(2024, 1, 10, 8, 0, tzinfo=UTC)]
    # Mended: the next planning reads it again.
    plan.write_text(plan.read_text().replace("template: tidak-ada", "template: daftar"))
    caplog.clear()
    with caplog.at_level(logging.INFO):
        worker.plan_ahead()
    assert "konten dimuat ulang" in caplog.text


def test_a_worker_given_its_catalog_keeps_it(settings: Settings, synced: Engine,
                                            clock: FixedClock, mini: Path) -> None:
    catalog = cached_catalog(settings.content_dir, settings.templates_dir)
    worker = Worker(synced, catalog, settings, clock, AdapterFactory(settings, clock),
                    name="uji:1:1")
    plan = mini / "content/plan.yaml"
    plan.write_text(plan.read_text() + EVENING_RULE)
    worker.plan_ahead()
    assert worker.catalog is catalog
