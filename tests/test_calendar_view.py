"""The Kalender's service: counts per local day on SQLite and PostgreSQL, in scope; stage
bands and their week rows; the spans and their parsing."""

from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import col, update

from scheduler.calendar_counts import count_days
from scheduler.calendar_view import (
    month_span,
    parse_day,
    parse_month,
    stage_bands,
    week_rows,
    week_span,
)
from scheduler.clock import FixedClock
from scheduler.config import Settings
from scheduler.content.model import Catalog
from scheduler.db import session_scope
from scheduler.errors import InputError, PermissionDenied
from scheduler.models import Post, Role
from scheduler.planning import PlanRequest, plan_posts
from scheduler.posts import PostFilter
from scheduler.users import MACHINE_ADMIN, PLANNER, Actor
from tests.conftest import BOTH_DATABASES, WIB, actor
from tests.second_province import add_second_province

# The counting tests run on both databases; the rest need no database.
both = pytest.mark.parametrize("database_url", BOTH_DATABASES, indirect=True)

RUDI = actor("rudi", "reviewer", "prov")
RINA = actor("rina", "reviewer", "kab-a")
WITA = ZoneInfo("Asia/Makassar")


@pytest.fixture
def planned(synced: Engine, catalog: Catalog, settings: Settings, clock: FixedClock) -> Engine:
    """2024-01-01..07 planned: 15 posts a day at 09:00 WIB; kota-b's 3 January posts
    moved to 23:30 WIB (16:30 UTC), kab-a's published."""
    plan_posts(synced, catalog, settings.templates_dir,
               PlanRequest(date_from=date(2024, 1, 1), date_to=date(2024, 1, 7)), clock.now(),
               actor=PLANNER)
    late = datetime(2024, 1, 3, 16, 30, tzinfo=UTC)
    with session_scope(synced, write=True) as session:
        session.exec(update(Post).where(  # type: ignore[call-overload]
            col(Post.region_key) == "kota-b",
            col(Post.scheduled_at) == datetime(2024, 1, 3, 9, 0, tzinfo=WIB))
            .values(scheduled_at=late, due_at=late))
        session.exec(update(Post).where(col(Post.region_key) == "kab-a")  # type: ignore[call-overload]
                     .values(status="published"))
    return synced


def counts(engine: Engine, who=RUDI, tz: ZoneInfo = WIB, first: date = date(2024, 1, 1),  # type: ignore[no-untyped-def]
           last: date = date(2024, 1, 31), filters: PostFilter | None = None,
           by_platform: bool = False):
    with session_scope(engine) as session:
        return count_days(session, actor=who, filters=filters or PostFilter(), first=first,
                          last=last, tz=tz, by_platform=by_platform)


@both
def test_counts_per_local_day_and_status(planned: Engine) -> None:
    found = counts(planned)
    assert sorted(found) == [date(2024, 1, d) for d in range(1, 8)]
    assert found[date(2024, 1, 1)].statuses == {"pending": 10, "published": 5}
    assert found[date(2024, 1, 3)].statuses == {"pending": 10, "published": 5}  # 23:30 WIB
    assert sum(c.total for c in found.values()) == 105


@both
def test_the_viewers_zone_decides_the_day(planned: Engine) -> None:
    # 16:30 UTC is 00:30 WITA on the 4th.
    found = counts(planned, tz=WITA)
    assert found[date(2024, 1, 3)].total == 10
    assert found[date(2024, 1, 4)].total == 20


@both
def test_counts_keep_to_the_actors_scope(planned: Engine) -> None:
    found = counts(planned, who=RINA)
    assert {d: c.statuses for d, c in found.items()} == {
        date(2024, 1, d): {"published": 5} for d in range(1, 8)}
    assert counts(planned, who=RINA, filters=PostFilter(regions=["kota-b"])) == {}


@both
def test_counts_by_platform_and_filters(planned: Engine) -> None:
    found = counts(planned, first=date(2024, 1, 1), last=date(2024, 1, 7), by_platform=True,
                   filters=PostFilter(statuses=["pending"]))
    assert found[date(2024, 1, 2)].platforms == {
        "facebook": 2, "instagram": 2, "threads": 2, "x": 2, "telegram": 2}
    assert found[date(2024, 1, 2)].statuses == {"pending": 10}
    only_x = counts(planned, filters=PostFilter(platforms=["x"], regions=["prov"]))
    assert {c.total for c in only_x.values()} == {1}


@both
def test_the_range_bounds_are_local_days(planned: Engine) -> None:
    found = counts(planned, first=date(2024, 1, 3), last=date(2024, 1, 3))
    assert list(found) == [date(2024, 1, 3)]
    assert found[date(2024, 1, 3)].total == 15


@both
@pytest.mark.parametrize(("zone", "first_day"), [
    ("UTC", date(2024, 1, 1)),  # 02:00 UTC
    ("America/Bogota", date(2023, 12, 31)),  # 21:00 the evening before (UTC-5)
    ("Asia/Jayapura", date(2024, 1, 1)),  # 11:00 WIT
])
def test_any_fixed_offset_zone_counts_its_own_days(planned: Engine, zone: str,
                                                   first_day: date) -> None:
    found = counts(planned, tz=ZoneInfo(zone), first=date(2023, 12, 1), last=date(2024, 1, 31))
    assert min(found) == first_day
    assert found[first_day].total == 15
    assert sum(c.total for c in found.values()) == 105


@both
def test_a_zone_with_daylight_saving_is_bucketed_right(planned: Engine) -> None:
    berlin = ZoneInfo("Europe/Berlin")  # the offset changes inside this range
    found = counts(planned, tz=berlin, first=date(2023, 10, 1), last=date(2024, 4, 30))
    assert found[date(2024, 1, 3)].total == 15  # 17:30 in Berlin: same day
    assert sum(c.total for c in found.values()) == 105


@both
def test_counting_needs_a_known_role(planned: Engine) -> None:
    stranger = Actor("x", "tamu", "prov", province_wide=True)  # type: ignore[arg-type]
    with pytest.raises(PermissionDenied):
        counts(planned, who=stranger)


def test_stage_bands_main_stages_first(catalog: Catalog) -> None:
    bands = stage_bands(catalog, date(2024, 1, 1), date(2024, 1, 31))
    assert [(b.key, b.depth) for b in bands] == [("daftar", 0), ("daftar_akhir", 1)]
    assert (bands[0].start, bands[0].end) == (date(2024, 1, 1), date(2024, 1, 10))
    feb = stage_bands(catalog, date(2024, 2, 1), date(2024, 2, 29))
    assert [b.key for b in feb] == ["tenang", "coblos", "hitung"]
    assert len({b.tone for b in feb}) == 3
    assert stage_bands(catalog, date(2024, 1, 11), date(2024, 1, 31)) == []


def test_week_rows_split_bands_at_weeks(catalog: Catalog) -> None:
    span = month_span(date(2024, 2, 20))
    rows = week_rows(span, stage_bands(catalog, span.first, span.last))
    assert rows[0].monday == date(2024, 1, 29)
    assert rows[0].days[:3] == [None, None, None]
    assert rows[0].days[3] == date(2024, 2, 1)
    assert rows[-1].days[3:] == [date(2024, 2, 29), None, None, None]
    tenang = [(r.monday, s.column, s.span, s.from_before, s.goes_on)
              for r in rows for s in r.segments if s.band.key == "tenang"]
    assert tenang == [(date(2024, 2, 5), 7, 1, False, True),
                      (date(2024, 2, 12), 1, 2, True, False)]


def test_spans_and_their_parsing() -> None:
    assert parse_month("2024-02") == month_span(date(2024, 2, 14))
    assert month_span(date(2024, 2, 14)).last == date(2024, 2, 29)
    assert month_span(date(2023, 12, 5)).next().first == date(2024, 1, 1)
    assert month_span(date(2024, 1, 5)).previous().param == ("bulan", "2023-12")
    week = week_span(date(2024, 2, 14))
    assert (week.first, week.last, week.param) == (
        date(2024, 2, 12), date(2024, 2, 18), ("minggu", "2024-02-12"))
    assert week.next().first == date(2024, 2, 19)
    for bad in ("2024-13", "2024-2-x", "", "Februari"):
        with pytest.raises(InputError, match=repr(bad)):
            parse_month(bad)
    with pytest.raises(InputError, match="'2024-02-30'"):
        parse_day("2024-02-30")


@pytest.fixture
def two_provinces(mini: Path) -> None:
    add_second_province(mini)


@both
@pytest.mark.usefixtures("two_provinces")
def test_a_province_user_counts_only_their_province(synced: Engine, catalog: Catalog,
                                                    settings: Settings,
                                                    clock: FixedClock) -> None:
    plan_posts(synced, catalog, settings.templates_dir,
               PlanRequest(date_from=date(2024, 1, 1), date_to=date(2024, 1, 1)), clock.now(),
               actor=PLANNER)
    assert counts(synced)[date(2024, 1, 1)].total == 15  # prov, kab-a, kota-b
    timur = Actor("tari", Role.REVIEWER, "prov2", province_wide=True)
    assert counts(synced, who=timur, tz=WITA)[date(2024, 1, 1)].total == 15
    assert counts(synced, who=timur, tz=WITA,
                  filters=PostFilter(regions=["kab-a"])) == {}
    assert counts(synced, who=MACHINE_ADMIN)[date(2024, 1, 1)].total == 30
