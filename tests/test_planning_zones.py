"""Each office posts in its own local time: a WITA province (UTC+8) beside the WIB one.

The mini plan posts `daftar-harian` at 09.00 and `hitung-mundur` at 07.00 local time.
Every test runs with the WITA offices first in the catalog and with them last
(tests/second_province.py): which office comes first must change nothing.
"""

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from scheduler.catalog import load_catalog
from scheduler.clock import FixedClock
from scheduler.config import Settings
from scheduler.content.model import Catalog
from scheduler.models import Post
from scheduler.planning import PlanRequest, PlanSummary, plan_posts
from scheduler.users import PLANNER
from tests.conftest import BOTH_DATABASES
from tests.second_province import (
    WIB_REGIONS,
    WITA,
    WITA_FIRST,
    WITA_LAST,
    WITA_REGIONS,
    add_second_province,
)

pytestmark = pytest.mark.parametrize("database_url", BOTH_DATABASES, indirect=True)

WIB = ZoneInfo("Asia/Jakarta")
ZONES = {**dict.fromkeys(WIB_REGIONS, WIB), **dict.fromkeys(WITA_REGIONS, WITA)}
PER_PROVINCE = 150 + 30  # as in test_planning: daftar 10 days x 3 x 5, countdown 3 x 2 x 5


@pytest.fixture(autouse=True, params=[WITA_FIRST, WITA_LAST], ids=["wita-first", "wib-first"])
def _second_province(request: pytest.FixtureRequest, mini: Path) -> None:
    add_second_province(mini, request.param)


def plan(engine: Engine, catalog: Catalog, settings: Settings, clock: FixedClock,
         **kwargs: object) -> PlanSummary:
    request = PlanRequest(**{"date_from": date(2024, 1, 1), "date_to": date(2024, 2, 20),
                             **kwargs})  # type: ignore[arg-type]
    return plan_posts(engine, catalog, settings.templates_dir, request, clock.now(),
                      actor=PLANNER)


def planned(engine: Engine, **where: str) -> list[Post]:
    with Session(engine) as session:
        query = select(Post).order_by(col(Post.scheduled_at), col(Post.id))
        for name, value in where.items():
            query = query.where(getattr(Post, name) == value)
        return list(session.exec(query))


def test_a_cadence_is_read_in_each_offices_local_time(engine, catalog, settings, clock) -> None:
    plan(engine, catalog, settings, clock, date_to=date(2024, 1, 1))
    batch = planned(engine, batch="daftar-harian@2024-01-01T09:00")
    instants = {(p.region_key, p.scheduled_at) for p in batch}
    assert len(batch) == 30  # one batch, one review decision, for both provinces
    assert instants == {
        *((r, datetime(2024, 1, 1, 2, 0, tzinfo=UTC)) for r in WIB_REGIONS),  # 09.00 WIB
        *((r, datetime(2024, 1, 1, 1, 0, tzinfo=UTC)) for r in WITA_REGIONS),  # 09.00 WITA
    }
    assert all(p.due_at == p.scheduled_at for p in batch)


@pytest.mark.parametrize(("first", "then"), [
    pytest.param(("kab-c",), (), id="wita-region-then-all"),
    pytest.param((), ("kab-c",), id="all-then-wita-region"),
    pytest.param(("kab-a",), ("kab-c", "kab-a"), id="wib-region-then-both"),
])
def test_replanning_a_region_never_adds_a_second_post(engine, catalog, settings, clock,
                                                      first: tuple[str, ...],
                                                      then: tuple[str, ...]) -> None:
    before = plan(engine, catalog, settings, clock, regions=first)
    clock.advance(timedelta(hours=1))
    after = plan(engine, catalog, settings, clock, regions=then)
    posts = planned(engine)
    per_account_and_slot = Counter((p.account_id, p.batch) for p in posts)
    assert max(per_account_and_slot.values()) == 1
    assert len(posts) == before.total_created + after.total_created
    if not first or not then:  # one of the runs planned both provinces
        assert len(posts) == 2 * PER_PROVINCE


def test_stage_days_are_local_days_in_each_zone(engine, settings, clock, mini: Path) -> None:
    # Half past midnight and half past eleven: either is on another UTC date, or another
    # WIB date, than the local one for some office.
    with (mini / "content/plan.yaml").open("a") as plan_file:
        plan_file.write('  - key: tengah-malam\n    template: daftar\n    during: [daftar]\n'
                        '    cadence: "30 0,23 * * *"\n    platforms: [x]\n')
    catalog = load_catalog(mini / "content", mini / "templates")
    plan(engine, catalog, settings, clock, date_from=date(2023, 12, 25),
         date_to=date(2024, 1, 20))
    for region, zone in ZONES.items():
        posts = planned(engine, rule_key="tengah-malam", region_key=region)
        local = [p.scheduled_at.astimezone(zone) for p in posts]
        assert len(posts) == 20, region  # daftar: 1..10 January, two slots a day
        assert {t.date() for t in local} == {date(2024, 1, d) for d in range(1, 11)}, region
        assert {f"{t:%H:%M}" for t in local} == {"00:30", "23:30"}, region
        assert {p.stage_key for p in posts} == {"daftar"}, region
        # `today` in the text is the office's own date, whatever the UTC date is.
        assert "Senin, 1 Januari 2024" in posts[0].text, region
        assert posts[0].batch == "tengah-malam@2024-01-01T00:30"
    first_wita = planned(engine, rule_key="tengah-malam", region_key="kab-c")[0]
    assert first_wita.scheduled_at == datetime(2023, 12, 31, 16, 30, tzinfo=UTC)


def test_offset_days_are_local_days_and_text_shows_local_time(engine, catalog, settings,
                                                              clock) -> None:
    plan(engine, catalog, settings, clock)
    h3 = {p.region_key: p for p in planned(engine, batch="hitung-mundur@2024-02-11T07:00",
                                           platform="facebook")}
    assert set(h3) == {"kab-a", "kota-b", "kab-c", "kota-d"}
    assert h3["kab-a"].scheduled_at == datetime(2024, 2, 11, 0, 0, tzinfo=UTC)
    assert h3["kab-c"].scheduled_at == datetime(2024, 2, 10, 23, 0, tzinfo=UTC)
    assert h3["kab-a"].text.startswith("H-3 menuju pemungutan suara Rabu, 14 Februari 2024, "
                                       "pukul 07.00 WIB.")
    assert h3["kab-c"].text.startswith("H-3 menuju pemungutan suara Rabu, 14 Februari 2024, "
                                       "pukul 07.00 WITA.")


def test_progress_total_matches_the_posts_planned(engine, catalog, settings, clock) -> None:
    calls: list[tuple[int, int]] = []
    request = PlanRequest(date_from=date(2024, 1, 1), date_to=date(2024, 2, 20))
    summary = plan_posts(engine, catalog, settings.templates_dir, request, clock.now(),
                         actor=PLANNER, progress=lambda done, total: calls.append((done, total)))
    assert summary.total_created == 2 * PER_PROVINCE
    assert calls[-1] == (2 * PER_PROVINCE, 2 * PER_PROVINCE)


def test_preview_shows_the_post_as_planned_in_the_offices_zone(engine, catalog, settings,
                                                               clock) -> None:
    from scheduler.preview import preview_post
    from scheduler.rendering import PostRenderer

    plan(engine, catalog, settings, clock)
    renderer = PostRenderer(settings.templates_dir, WIB)
    shown = preview_post(catalog, renderer, template="mundur", region="kab-c",
                         platform="facebook", on=date(2024, 2, 11))
    planned_post = planned(engine, batch="hitung-mundur@2024-02-11T07:00", region_key="kab-c",
                           platform="facebook")[0]
    assert shown.slot.astimezone(UTC) == planned_post.scheduled_at
    assert shown.text == planned_post.text
