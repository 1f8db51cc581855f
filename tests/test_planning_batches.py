"""Planning that never blocks publishing (issue 11, item 3): planned posts are skipped before
rendering, new ones are stored in short batches, two planners at once never create a post
twice, a run that fails midway removes what it stored, and a busy database is tried again
and then reported in Indonesian with exit code 7, never a traceback."""

import sqlite3
import threading
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from scheduler import busy, db, planning
from scheduler.clock import FixedClock
from scheduler.config import Settings
from scheduler.content.model import Catalog
from scheduler.errors import ContentError
from scheduler.models import PlanRun, Post, PostEvent
from scheduler.planning import PlanRequest, PlanSummary, plan_posts
from scheduler.users import PLANNER
from tests.conftest import BOTH_DATABASES

MINI_POSTS = 180  # 2024-01-01 .. 2024-02-20 of the mini content (tests/test_planning.py)


def plan(engine: Engine, catalog: Catalog, templates: Path, clock: FixedClock) -> PlanSummary:
    request = PlanRequest(date_from=date(2024, 1, 1), date_to=date(2024, 2, 20))
    return plan_posts(engine, catalog, templates, request, clock.now(), actor=PLANNER)


def count(engine: Engine, model: type) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(model)).one()


def break_every_template(templates: Path) -> None:
    for path in templates.rglob("*.j2"):
        path.write_text("{{ tidak_ada_variabel_ini }}\n")


@pytest.mark.parametrize("database_url", BOTH_DATABASES, indirect=True)
def test_replanning_renders_nothing(engine, catalog, settings, clock) -> None:
    plan(engine, catalog, settings.templates_dir, clock)
    # Every template now fails to render: planning again must not render any of them.
    break_every_template(settings.templates_dir)
    clock.advance(timedelta(hours=1))
    again = plan(engine, catalog, settings.templates_dir, clock)
    assert (again.total_created, again.total_existing) == (0, MINI_POSTS)
    assert count(engine, Post) == MINI_POSTS
    assert count(engine, PostEvent) == MINI_POSTS


@pytest.mark.parametrize("database_url", BOTH_DATABASES, indirect=True)
def test_two_planners_at_once_never_create_a_post_twice(engine, catalog, settings,
                                                         clock) -> None:
    start = threading.Barrier(3)
    summaries: list[PlanSummary] = []
    errors: list[BaseException] = []

    def planner() -> None:
        start.wait()
        try:
            summaries.append(plan(engine, catalog, settings.templates_dir, clock))
        except BaseException as exc:  # reported below, with the test's own assertion
            errors.append(exc)

    threads = [threading.Thread(target=planner) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(s.total_created for s in summaries) == MINI_POSTS
    assert all(s.total_created + s.total_existing == MINI_POSTS for s in summaries)
    assert count(engine, Post) == MINI_POSTS
    assert count(engine, PostEvent) == MINI_POSTS  # one `planned` event per post


@pytest.mark.parametrize("database_url", BOTH_DATABASES, indirect=True)
def test_batches_of_a_run_are_each_stored_with_their_events(engine, catalog, settings, clock,
                                                            monkeypatch) -> None:
    monkeypatch.setattr(planning, "BATCH_SIZE", 7)
    summary = plan(engine, catalog, settings.templates_dir, clock)
    assert summary.total_created == MINI_POSTS
    with Session(engine) as session:
        run = session.get(PlanRun, summary.run_id)
        events = session.exec(select(PostEvent.post_id)).all()
    assert run is not None and run.finished_at is not None
    assert (run.created, run.existing) == (MINI_POSTS, 0)
    assert len(events) == len(set(events)) == MINI_POSTS


@pytest.mark.parametrize("database_url", BOTH_DATABASES, indirect=True)
def test_a_run_failing_after_stored_batches_removes_them(engine, catalog, settings, clock,
                                                         mini: Path, monkeypatch) -> None:
    # Small batches: the daftar posts are stored before the countdown rule breaks.
    monkeypatch.setattr(planning, "BATCH_SIZE", 10)
    (mini / "templates/posts/mundur.j2").write_text("{{ tidak_ada }}\n")
    with pytest.raises(ContentError):
        plan(engine, catalog, settings.templates_dir, clock)
    assert count(engine, Post) == 0
    assert count(engine, PostEvent) == 0
    assert count(engine, PlanRun) == 0


def hold_write_lock(path: str) -> sqlite3.Connection:
    """Another process's writer, as SQLite sees it: a connection holding the write lock."""
    holder = sqlite3.connect(path, isolation_level=None, timeout=0, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    return holder


@pytest.fixture
def impatient(monkeypatch) -> None:
    """Short waits, so that a busy database is met within the test's time."""
    monkeypatch.setattr(db, "SQLITE_BUSY_TIMEOUT_MS", 150)
    monkeypatch.setattr(busy, "ATTEMPTS", 3)
    monkeypatch.setattr(busy, "PAUSE", 0.05)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_database_that_stays_busy_is_a_clear_error_and_exit_7(engine, settings, siar,
                                                                 impatient) -> None:
    holder = hold_write_lock(settings.database_url.removeprefix("sqlite:///"))
    try:
        result = siar("plan", "--from", "2024-01-01", "--to", "2024-01-05")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.exit_code == 7, result.output
    assert "basis data sedang sibuk" in result.output
    assert "Jalankan lagi" in result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert count(engine, Post) == 0


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_database_busy_for_a_moment_is_waited_out(engine, settings, siar, impatient) -> None:
    holder = hold_write_lock(settings.database_url.removeprefix("sqlite:///"))

    def release() -> None:
        time.sleep(0.25)  # longer than one busy timeout, shorter than every attempt
        holder.execute("ROLLBACK")
        holder.close()

    releaser = threading.Thread(target=release)
    releaser.start()
    try:
        result = siar("plan", "--from", "2024-01-01", "--to", "2024-02-20")
    finally:
        releaser.join()
    assert result.exit_code == 0, result.output
    assert count(engine, Post) == MINI_POSTS


def test_the_daily_planning_minute_is_off_the_minutes_posts_are_due(settings: Settings) -> None:
    minute, hour = settings.plan_at.split()[:2]
    assert (hour, minute) == ("5", "17")
    assert int(minute) % 15 != 0  # cadences and spreads start on quarter hours


def test_which_variables_a_template_reads(tmp_path: Path) -> None:
    from zoneinfo import ZoneInfo

    from scheduler.rendering import PostRenderer

    (tmp_path / "partials").mkdir()
    (tmp_path / "posts").mkdir()
    (tmp_path / "partials/p.j2").write_text(
        "{% macro m(region) %}{{ region.name }} {{ platform }}{% endmacro %}\n")
    (tmp_path / "partials/q.j2").write_text("{{ account.handle }}\n")
    posts = {
        "plain": '{% import "partials/p.j2" as p %}{{ p.m(region) }} {{ stage.name }}',
        "context": '{% import "partials/p.j2" as p with context %}{{ p.m(region) }}',
        "include": '{{ region.name }}{% include "partials/q.j2" %}',
        "dynamic": '{% include "partials/" ~ region.key ~ ".j2" %}',
        "broken": "{% if %}",
    }
    for name, text in posts.items():
        (tmp_path / f"posts/{name}.j2").write_text(text)
    reads = PostRenderer(tmp_path, ZoneInfo("Asia/Jakarta")).reads
    # Imported without context, a partial sees only its arguments.
    assert {"region", "stage"} <= (reads("posts/plain.j2") or set())
    assert not {"platform", "account"} & (reads("posts/plain.j2") or {"platform"})
    assert "platform" in (reads("posts/context.j2") or set())
    assert "account" in (reads("posts/include.j2") or set())
    # A template named by an expression, or one that does not parse: it cannot be told.
    assert reads("posts/dynamic.j2") is None
    assert reads("posts/broken.j2") is None


def test_a_template_not_reading_the_platform_gives_each_office_one_text(
        engine, catalog, settings, clock, mini: Path) -> None:
    for path in (mini / "templates/posts").glob("daftar*.j2"):
        path.unlink()
    (mini / "templates/posts/daftar.j2").write_text("Cek DPT di {{ region.name }}.\n")
    from scheduler.catalog import load_catalog

    fresh = load_catalog(mini / "content", mini / "templates")
    plan(engine, fresh, settings.templates_dir, clock)
    with Session(engine) as session:
        rows = session.exec(select(Post.region_key, Post.platform, Post.text).where(
            Post.batch == "daftar-harian@2024-01-05T09:00")).all()
    assert len(rows) == 15
    assert {(region, text) for region, _, text in rows} == {
        ("prov", "Cek DPT di KPU Provinsi Uji."), ("kab-a", "Cek DPT di KPU Kabupaten A."),
        ("kota-b", "Cek DPT di KPU Kota B.")}


@pytest.mark.parametrize("database_url", [pytest.param("postgres", marks=pytest.mark.postgres)],
                         indirect=True)
def test_a_postgresql_lock_timeout_is_busy_and_reported(engine, monkeypatch) -> None:
    from sqlalchemy import text

    from scheduler.errors import DatabaseBusyError

    monkeypatch.setattr(busy, "ATTEMPTS", 2)
    monkeypatch.setattr(busy, "PAUSE", 0.01)
    with db.writer(engine).connect() as holder:
        holder.execute(text("LOCK TABLE post IN ACCESS EXCLUSIVE MODE"))

        def read_posts() -> int:
            with engine.connect() as connection:
                connection.execute(text("SET LOCAL lock_timeout = '100ms'"))
                return len(connection.execute(text("SELECT id FROM post")).all())

        with pytest.raises(DatabaseBusyError, match="basis data sedang sibuk") as caught:
            busy.retry_busy(read_posts, what="membaca unggahan")
        holder.rollback()
    assert caught.value.exit_code == 7
    assert busy.retry_busy(read_posts, what="membaca unggahan") == 0
