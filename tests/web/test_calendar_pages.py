"""Kalender: month and week views counted per day and status in the viewer's scope, the
election's stages as bands, filters, a day opening its posts, errors and escaping."""

import re
from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from scheduler.app import Application
from scheduler.clock import FixedClock
from scheduler.config import Settings
from scheduler.content.model import Catalog
from scheduler.db import session_scope
from scheduler.models import Post
from scheduler.planning import PlanRequest, plan_posts
from scheduler.users import PLANNER

SignedIn = Callable[[str], TestClient]


@pytest.fixture
def planned(application: Application, synced: Engine, catalog: Catalog, settings: Settings,
            clock: FixedClock) -> Engine:
    """The mini plan for 2024-01-01..07, not approved: each day 15 posts at 09:00 WIB
    (prov, kab-a, kota-b x five platforms)."""
    plan_posts(synced, catalog, settings.templates_dir,
               PlanRequest(date_from=date(2024, 1, 1), date_to=date(2024, 1, 7)), clock.now(),
               actor=PLANNER)
    return synced


def day_cell(html: str, day: str) -> str:
    """The HTML of one day's cell (month or week view)."""
    found = re.search(rf'<li class="cal-day[^"]*" data-day="{day}">(.*?)</li>'
                      r'\s*(?=<li class="cal-day|</ol>)', html, re.S)
    assert found, f"no cell for {day}"
    return found.group(1)


def count_in(cell: str, status: str) -> int | None:
    found = re.search(rf'data-status="{status}" data-count="(\d+)"', cell)
    return int(found.group(1)) if found else None


def rows_of(html: str) -> list[str]:
    return re.findall(r'<tr data-post="(\d+)">', html)


def set_posts(engine: Engine, where: str, at: datetime | None = None,
              **values: object) -> list[int]:
    """Change posts of one region (those at `at` if given), returning their ids."""
    with session_scope(engine, write=True) as session:
        statement = select(Post).where(col(Post.region_key) == where)
        if at is not None:
            statement = statement.where(col(Post.scheduled_at) == at)
        changed = list(session.exec(statement))
        for post in changed:
            for name, value in values.items():
                setattr(post, name, value)
            session.add(post)
        return [p.id for p in changed if p.id is not None]


def test_month_counts_planned_posts_per_day(planned: Engine, signed_in: SignedIn) -> None:
    page = signed_in("rudi").get("/kalender?bulan=2024-01")
    assert page.status_code == 200
    assert 'data-month="2024-01"' in page.text
    for day in range(1, 8):
        cell = day_cell(page.text, f"2024-01-0{day}")
        assert count_in(cell, "pending") == 15
        assert "menunggu tinjauan" in cell
        assert f'href="/kalender/hari/2024-01-0{day}?status=pending"' in cell
    assert count_in(day_cell(page.text, "2024-01-08"), "pending") is None
    assert 'data-total="105"' in page.text
    # Monday first, Indonesian day names; January 2024 begins on a Monday.
    assert re.search(r'<div class="cal-head".*?Senin.*?Selasa.*?Minggu', page.text, re.S)
    assert re.search(r'<ol class="cal-days">\s*<li class="cal-day[^"]*" data-day="2024-01-01"',
                     page.text)


def test_month_counts_each_status(planned: Engine, signed_in: SignedIn) -> None:
    set_posts(planned, "kota-b", status="published")
    page = signed_in("rudi").get("/kalender?bulan=2024-01")
    cell = day_cell(page.text, "2024-01-02")
    assert count_in(cell, "pending") == 10
    assert count_in(cell, "published") == 5
    assert ">terbit <strong>5</strong>" in cell


def test_default_month_is_the_applications_today(planned: Engine,
                                                  signed_in: SignedIn) -> None:
    page = signed_in("rudi").get("/kalender")  # the clock: 2023-12-20 10:00 WIB
    assert 'data-month="2023-12"' in page.text
    assert "today" in re.search(r'<li class="([^"]*)" data-day="2023-12-20"', page.text).group(1)  # type: ignore[union-attr]
    nav = signed_in("rudi").get("/kalender?bulan=2023-12&wilayah=kab-a").text
    assert 'href="/kalender?wilayah=kab-a&amp;bulan=2024-01"' in nav
    assert 'href="/kalender?wilayah=kab-a&amp;bulan=2023-11"' in nav


def test_a_regency_reviewer_counts_only_their_region(planned: Engine,
                                                     signed_in: SignedIn) -> None:
    rina = signed_in("rina")
    page = rina.get("/kalender?bulan=2024-01").text
    assert count_in(day_cell(page, "2024-01-03"), "pending") == 5
    assert 'data-total="35"' in page
    assert 'value="kota-b"' not in page  # not offered as a filter either
    # Asking for another region's posts shows nothing, never their counts.
    other = rina.get("/kalender?bulan=2024-01&wilayah=kota-b").text
    assert 'data-total="0"' in other
    assert count_in(day_cell(other, "2024-01-03"), "pending") is None


def test_filters_narrow_the_counts(planned: Engine, signed_in: SignedIn) -> None:
    rudi = signed_in("rudi")
    page = rudi.get("/kalender?bulan=2024-01&platform=x&wilayah=kab-a").text
    assert count_in(day_cell(page, "2024-01-03"), "pending") == 1
    assert rudi.get("/kalender?bulan=2024-01&status=approved").text.count('data-count=') == 0
    # The filter form keeps the month.
    assert '<input type="hidden" name="bulan" value="2024-01">' in page


def test_stages_show_as_bands_and_marks(planned: Engine, signed_in: SignedIn) -> None:
    page = signed_in("rudi").get("/kalender?bulan=2024-01").text
    legend = re.search(r'<details class="card cal-legend" open>.*?</details>', page, re.S).group(0)  # type: ignore[union-attr]
    assert legend.index("Pendaftaran pemilih") < legend.index("Pekan terakhir pendaftaran")
    assert "1 – 10 Januari 2024" in legend
    assert "8 – 10 Januari 2024" in legend
    assert "Masa tenang" not in legend  # February's stage
    bands = re.findall(r'class="cal-band tone-\d+ ([^"]*)" title="[^"]*" data-band="(\w+)"', page)
    assert ("col-1 span-7 goes-on", "daftar") in bands  # the week of 1 January
    assert ("col-1 span-3 from-before", "daftar") in bands  # 8-10 January
    assert ("col-1 span-3", "daftar_akhir") in bands
    # Each day names its stages (what a phone shows, where the bands are hidden).
    assert 'data-stages="daftar daftar_akhir">Pendaftaran pemilih · Pekan terakhir' \
        in day_cell(page, "2024-01-09")
    assert 'data-stages="daftar">' in day_cell(page, "2024-01-07")
    assert "data-stages=" not in day_cell(page, "2024-01-11")


def test_a_band_across_two_weeks(planned: Engine, signed_in: SignedIn) -> None:
    page = signed_in("rudi").get("/kalender?bulan=2024-02").text  # tenang: Sun 11 - Tue 13
    assert 'col-7 span-1 goes-on" title="Masa tenang" data-band="tenang">Masa tenang<' in page
    assert 'col-1 span-2 from-before" title="Masa tenang" data-band="tenang">' in page


def test_week_view_counts_statuses_and_platforms(planned: Engine,
                                                 signed_in: SignedIn) -> None:
    page = signed_in("rudi").get("/kalender?minggu=2024-01-03")  # a Wednesday
    assert page.status_code == 200
    assert 'data-week="2024-01-01"' in page.text  # the week from its Monday
    assert "Senin, 1 Januari 2024" in page.text
    cell = day_cell(page.text, "2024-01-03")
    assert count_in(cell, "pending") == 15
    for platform in ("facebook", "instagram", "threads", "x", "telegram"):
        assert f'data-platform="{platform}" data-count="3"' in cell
    assert 'data-stages="daftar"' in cell
    assert '<li class="mark tone-0">Pendaftaran pemilih</li>' in cell
    assert "href=\"/kalender?minggu=2023-12-25\"" in page.text
    assert "href=\"/kalender?minggu=2024-01-08\"" in page.text
    assert "href=\"/kalender?minggu=2023-12-20\"" in page.text  # the week of today
    assert 'href="/kalender?bulan=2024-01"' in page.text


def test_day_lists_its_posts_in_scope(planned: Engine, signed_in: SignedIn) -> None:
    page = signed_in("rudi").get("/kalender/hari/2024-01-03")
    assert page.status_code == 200
    ids = rows_of(page.text)
    assert len(ids) == 15
    assert f'href="/unggahan/{ids[0]}"' in page.text
    assert "09.00 WIB" in page.text
    assert "Rabu, 3 Januari 2024" in page.text
    assert "Pendaftaran pemilih" in page.text
    with Session(planned) as session:
        regions = {p.region_key for p in session.exec(
            select(Post).where(col(Post.id).in_([int(i) for i in ids])))}
    assert regions == {"prov", "kab-a", "kota-b"}

    rina = signed_in("rina").get("/kalender/hari/2024-01-03").text
    rina_ids = rows_of(rina)
    assert len(rina_ids) == 5
    assert "kota-b" not in rina and ">prov<" not in rina
    assert set(rina_ids) <= set(ids)


def test_day_pages_through_a_busy_day(planned: Engine, signed_in: SignedIn,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from scheduler.web.routes import calendar

    monkeypatch.setattr(calendar, "PAGE", 4)
    rudi = signed_in("rudi")
    # Two platforms x three regions: six posts, a page of four and one of two.
    first = rudi.get("/kalender/hari/2024-01-03?platform=x&platform=telegram").text
    ids = rows_of(first)
    assert len(ids) == 4
    more = re.search(r'href="(/kalender/hari/2024-01-03\?[^"]*setelah=\d+)"', first)
    assert more, "no link to the next page"
    assert "platform=x&amp;platform=telegram" in more.group(1)
    second = rudi.get(more.group(1).replace("&amp;", "&")).text
    rest = rows_of(second)
    assert len(rest) == 2
    assert not set(ids) & set(rest)
    assert "setelah=" not in second


def test_day_filters(planned: Engine, signed_in: SignedIn) -> None:
    rudi = signed_in("rudi")
    assert len(rows_of(rudi.get("/kalender/hari/2024-01-03?platform=x").text)) == 3
    assert len(rows_of(rudi.get("/kalender/hari/2024-01-03?status=published").text)) == 0
    assert len(rows_of(rudi.get("/kalender/hari/2024-01-08").text)) == 0


def test_day_counts_posts_by_the_local_day(planned: Engine, signed_in: SignedIn) -> None:
    # 23:30 WIB on 3 January is 16:30 UTC: still the 3rd in Jakarta.
    late = datetime(2024, 1, 3, 16, 30, tzinfo=UTC)
    moved = set_posts(planned, "prov", datetime(2024, 1, 2, 2, 0, tzinfo=UTC),
                      scheduled_at=late, due_at=late)
    assert len(moved) == 5  # from 2 January 09:00 WIB
    rudi = signed_in("rudi")
    assert len(rows_of(rudi.get("/kalender/hari/2024-01-03").text)) == 15 + 5
    assert "23.30 WIB" in rudi.get("/kalender/hari/2024-01-03").text
    month = rudi.get("/kalender?bulan=2024-01").text
    assert count_in(day_cell(month, "2024-01-03"), "pending") == 15 + 5
    assert count_in(day_cell(month, "2024-01-02"), "pending") == 15 - 5
    assert count_in(day_cell(month, "2024-01-04"), "pending") == 15


def test_post_text_is_escaped_on_the_day_page(planned: Engine, signed_in: SignedIn) -> None:
    set_posts(planned, "kab-a", text='<script>alert("siar")</script> & <b>tebal</b>')
    page = signed_in("rina").get("/kalender/hari/2024-01-02").text
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#34;siar&#34;)&lt;/script&gt; &amp; &lt;b&gt;" in page


@pytest.mark.parametrize(("path", "named"), [
    ("/kalender?bulan=2024-13", "'2024-13'"),
    ("/kalender?bulan=februari", "'februari'"),
    ("/kalender?minggu=2024-02-30", "'2024-02-30'"),
    ("/kalender/hari/2024-02-30", "'2024-02-30'"),
    ("/kalender/hari/9999-12-31", "'9999-12-31'"),
    ("/kalender?bulan=0001-01", "'0001-01'"),
    ("/kalender?wilayah=atlantis", "'atlantis'"),
    ("/kalender/hari/2024-01-03?wilayah=atlantis", "'atlantis'"),
    ("/kalender?platform=myspace", "'myspace'"),
    ("/kalender?status=terbang", "'terbang'"),
])
def test_bad_input_is_a_400_naming_the_value(planned: Engine, signed_in: SignedIn,
                                             path: str, named: str) -> None:
    answer = signed_in("rudi").get(path)
    assert answer.status_code == 400
    assert named.replace("'", "&#39;") in answer.text


def test_the_calendar_needs_a_session(client: TestClient) -> None:
    answer = client.get("/kalender/hari/2024-01-03")
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/masuk")


def test_english_names_the_days_and_months(planned: Engine, signed_in: SignedIn) -> None:
    rudi = signed_in("rudi")
    rudi.get("/bahasa/en?lanjut=/kalender")
    page = rudi.get("/kalender?minggu=2024-01-01").text
    assert "Monday, 1 January 2024" in page
    assert ">awaiting review <strong>15</strong>" in page
    assert "Week starting" not in page and "Sunday, 7 January 2024" in page
