"""Planning into a real SQLite file: counts, idempotence, untouched edits, UTC storage."""

import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.exc import StatementError
from sqlmodel import Session, col, func, select

from scheduler.clock import FixedClock
from scheduler.config import Settings
from scheduler.content.model import Catalog
from scheduler.db import writer
from scheduler.errors import ContentError, InputError, UnknownPlatformError, UnknownRegionError
from scheduler.models import Post, PostEvent
from scheduler.planning import PlanRequest, plan_posts
from scheduler.users import PLANNER
from tests.conftest import BOTH_DATABASES

pytestmark = pytest.mark.parametrize("database_url", BOTH_DATABASES, indirect=True)


def plan(engine: Engine, catalog: Catalog, settings: Settings, clock: FixedClock,
         **kwargs: object):  # type: ignore[no-untyped-def]
    request = PlanRequest(**{"date_from": date(2024, 1, 1), "date_to": date(2024, 2, 20),
                             **kwargs})  # type: ignore[arg-type]
    return plan_posts(engine, catalog, settings.templates_dir, request, clock.now(), actor=PLANNER)


def count(engine: Engine, model: type) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(model)).one()


def test_plans_every_slot_for_every_account(engine, catalog, settings, clock) -> None:
    summary = plan(engine, catalog, settings, clock)
    # daftar: 10 days x 3 regions x 5 platforms; countdown: 3 days x 2 regencies x 5.
    assert summary.total_created == 150 + 30
    assert summary.created[("daftar", "x")] == 30
    assert summary.created[("coblos", "telegram")] == 6
    assert count(engine, Post) == 180
    assert count(engine, PostEvent) == 180


def test_planning_twice_adds_nothing(engine, catalog, settings, clock) -> None:
    plan(engine, catalog, settings, clock)
    clock.advance(timedelta(hours=1))
    again = plan(engine, catalog, settings, clock)
    assert again.total_created == 0
    assert again.total_existing == 180
    assert count(engine, Post) == 180
    assert count(engine, PostEvent) == 180


def test_overlapping_ranges_only_add_the_new_days(engine, catalog, settings, clock) -> None:
    first = plan(engine, catalog, settings, clock, date_to=date(2024, 1, 5))
    second = plan(engine, catalog, settings, clock, date_from=date(2024, 1, 3),
                  date_to=date(2024, 1, 10))
    assert first.total_created == 5 * 15
    assert (second.total_created, second.total_existing) == (5 * 15, 3 * 15)


def test_a_touched_post_is_never_overwritten(engine, catalog, settings, clock) -> None:
    plan(engine, catalog, settings, clock)
    with Session(writer(engine)) as session:
        post = session.exec(select(Post).where(col(Post.platform) == "x")).first()
        assert post is not None
        post.text, post.edited_by = "Teks yang disunting petugas", "rina"
        session.add(post)
        session.commit()
        edited_id = post.id
    template = settings.templates_dir / "posts" / "daftar.x.j2"
    template.write_text("Teks templat baru {{ region.name }}\n")
    plan(engine, catalog, settings, clock)
    with Session(engine) as session:
        assert session.get(Post, edited_id).text == "Teks yang disunting petugas"  # type: ignore[union-attr]


def test_dry_run_counts_but_writes_nothing(engine, catalog, settings, clock) -> None:
    summary = plan(engine, catalog, settings, clock, dry_run=True)
    assert summary.total_created == 180
    assert summary.run_id is None
    assert count(engine, Post) == 0
    assert count(engine, PostEvent) == 0


def test_region_and_platform_filters(engine, catalog, settings, clock) -> None:
    summary = plan(engine, catalog, settings, clock, regions=("kota-b",),
                   platforms=("x", "threads"))
    assert summary.total_created == 10 * 2 + 3 * 2
    with Session(engine) as session:
        regions = set(session.exec(select(Post.region_key)))
        platforms = set(session.exec(select(Post.platform)))
    assert regions == {"kota-b"}
    assert platforms == {"x", "threads"}


def test_planned_post_carries_stage_template_batch_and_rendered_text(engine, catalog, settings,
                                                                      clock) -> None:
    plan(engine, catalog, settings, clock)
    with Session(engine) as session:
        post = session.exec(select(Post).where(
            Post.region_key == "kab-a", Post.platform == "facebook",
            Post.rule_key == "hitung-mundur").order_by(col(Post.scheduled_at))).first()
        assert post is not None
        events = session.exec(select(PostEvent).where(PostEvent.post_id == post.id)).all()
    assert post.status == "pending"
    assert post.stage_key == "coblos"
    assert post.template == "mundur"
    assert post.batch == "hitung-mundur@2024-02-11T07:00"
    assert post.scheduled_at == datetime(2024, 2, 11, 0, 0, tzinfo=UTC)
    assert post.text == ("H-3 menuju pemungutan suara Rabu, 14 Februari 2024, pukul 07.00 WIB.\n"
                         "#TemanPemilih #KPUMelayani #KPUKabA")
    assert [(e.kind, e.to_status, e.actor) for e in events] == [("planned", "pending", "planner")]


def test_batch_groups_one_slot_across_accounts(engine, catalog, settings, clock) -> None:
    plan(engine, catalog, settings, clock)
    with Session(engine) as session:
        rows = session.exec(select(Post.region_key, Post.platform).where(
            Post.batch == "daftar-harian@2024-01-05T09:00")).all()
    assert len(rows) == 15
    assert {r for r, _ in rows} == {"prov", "kab-a", "kota-b"}


def test_every_instant_is_stored_as_utc_text(engine, catalog, settings, clock) -> None:
    if not settings.database_url.startswith("sqlite"):
        pytest.skip("SQLite's storage form; PostgreSQL uses timestamptz (tests/test_db.py)")
    plan(engine, catalog, settings, clock, date_to=date(2024, 1, 1))
    path = settings.database_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as raw:
        values = [v for row in raw.execute(
            "SELECT scheduled_at, due_at, created_at, updated_at FROM post "
            "UNION ALL SELECT at, at, at, at FROM postevent "
            "UNION ALL SELECT started_at, finished_at, started_at, started_at FROM planrun")
            for v in row]
    raw.close()
    assert values
    assert all(isinstance(v, str) and v.endswith("+00:00") and len(v) == 32 for v in values)
    assert "2024-01-01T02:00:00.000000+00:00" in values  # 09.00 WIB


def test_naive_datetimes_are_refused(engine) -> None:
    with Session(engine) as session, pytest.raises(StatementError, match="naive datetime"):
        session.exec(select(Post).where(col(Post.scheduled_at) > datetime(2024, 1, 1)))


def test_end_before_start_is_refused_before_any_write(engine, catalog, settings, clock) -> None:
    with pytest.raises(InputError, match="lebih awal"):
        plan(engine, catalog, settings, clock, date_from=date(2024, 2, 1),
             date_to=date(2024, 1, 1))
    assert count(engine, Post) == 0


def test_unknown_region_or_platform_is_refused(engine, catalog, settings, clock) -> None:
    with pytest.raises(UnknownRegionError, match="kab-z"):
        plan(engine, catalog, settings, clock, regions=("kab-z",))
    with pytest.raises(UnknownPlatformError, match="myspace"):
        plan(engine, catalog, settings, clock, platforms=("myspace",))


def test_a_render_error_midway_leaves_no_partial_write(engine, catalog, settings, clock,
                                                       mini: Path) -> None:
    # Only the countdown rule breaks, and only after the daftar posts were inserted.
    (mini / "templates/posts/mundur.j2").write_text("{{ tidak_ada }}\n")
    with pytest.raises(ContentError) as caught:
        plan(engine, catalog, settings, clock)
    assert caught.value.problems[0].source.endswith("posts/mundur.j2")
    assert caught.value.problems[0].line == 1
    assert count(engine, Post) == 0
    assert count(engine, PostEvent) == 0


def test_disabled_account_gets_no_posts(engine, catalog, settings, clock, mini: Path) -> None:
    from scheduler.catalog import load_catalog

    path = mini / "content/regions/uji.yaml"
    text = path.read_text().replace('{platform: x, handle: "@kota-b"',
                                    '{platform: x, enabled: false, handle: "@kota-b"')
    path.write_text(text)
    summary = plan(engine, load_catalog(mini / "content", mini / "templates"), settings, clock)
    assert summary.total_created == 180 - 13


def test_planned_posts_carry_their_problems(engine, catalog, settings, clock, mini: Path) -> None:
    (mini / "templates/posts/daftar.x.j2").write_text("{{ region.name }}: Partai Contoh.\n")
    plan(engine, catalog, settings, clock, date_to=date(2024, 1, 1))
    with Session(engine) as session:
        posts = session.exec(select(Post).where(col(Post.rule_key) == "daftar-harian")).all()
    flagged = {p.platform: p.problems for p in posts if p.problems}
    assert set(flagged) == {"x"}
    assert flagged["x"] == [{"code": "neutrality",
                             "message": "menyebut peserta pemilu (netralitas): Partai Contoh"}]
