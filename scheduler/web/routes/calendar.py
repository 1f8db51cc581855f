"""Kalender: a month (or week) of planned and published posts counted per day and status,
the election's stages as bands, filters by region, platform, stage and status, and a day
opening its posts.

    /kalender                   the month of the application's today, in the viewer's zone
    /kalender?bulan=2024-02     a month
    /kalender?minggu=2024-02-12 the week (Monday to Sunday) holding that date
    /kalender/hari/2024-02-14   one day's posts
"""

from datetime import date, timedelta

from fastapi import APIRouter, Request
from fastapi.responses import Response

from scheduler.calendar_view import (
    Span,
    calendar_region,
    calendar_view,
    day_posts,
    month_span,
    parse_day,
    parse_month,
    stage_bands,
    week_span,
)
from scheduler.localtime import BULAN, HARI
from scheduler.web.context import CurrentViewer, Viewer, render, web_of
from scheduler.web.forms import post_filter
from scheduler.web.pageinfo import filter_choices

router = APIRouter()
PAGE = 100
FILTERS = ("wilayah", "platform", "tahapan", "status")


def _filter_query(request: Request) -> list[tuple[str, str]]:
    """The page's filters as query pairs, to carry over to other calendar links."""
    return [(k, v) for k, v in request.query_params.multi_items() if k in FILTERS and v]


def _today(request: Request, who: Viewer) -> date:
    return web_of(request).now().astimezone(who.tz).date()


def _span(request: Request, today: date) -> Span:
    week = request.query_params.get("minggu", "").strip()
    if week:
        return week_span(parse_day(week, "minggu"))
    month = request.query_params.get("bulan", "").strip()
    return parse_month(month) if month else month_span(today)


@router.get("/kalender")
def calendar_page(request: Request, who: CurrentViewer) -> Response:
    web = web_of(request)
    today = _today(request, who)
    span = _span(request, today)
    with web.app.unit_of_work() as session:
        filters = post_filter(request, session, web.app.catalog)
        view = calendar_view(session, actor=who.actor, catalog=web.app.catalog,
                             filters=filters, span=span, tz=who.tz)
        choices = filter_choices(session, web.app.catalog, who.actor)
    template = "calendar.html" if span.kind == "month" else "calendar_week.html"
    return render(request, template, who, view=view, today=today, choices=choices,
                  query=_filter_query(request), HARI=HARI, BULAN=BULAN)


@router.get("/kalender/hari/{day}")
def calendar_day(request: Request, who: CurrentViewer, day: str,
                 setelah: int | None = None) -> Response:
    web = web_of(request)
    when = parse_day(day)
    with web.app.unit_of_work() as session:
        filters = post_filter(request, session, web.app.catalog)
        posts = day_posts(session, actor=who.actor, filters=filters, day=when, tz=who.tz,
                          after_id=setelah, limit=PAGE + 1)
        choices = filter_choices(session, web.app.catalog, who.actor)
    return render(request, "calendar_day.html", who, day=when, posts=posts[:PAGE],
                  more=len(posts) > PAGE,
                  bands=stage_bands(web.app.catalog, when, when,
                                    region=calendar_region(web.app.catalog, who.actor, filters)),
                  choices=choices, query=_filter_query(request), today=_today(request, who),
                  month=month_span(when), week=week_span(when), HARI=HARI, BULAN=BULAN,
                  prev_day=when - timedelta(days=1), next_day=when + timedelta(days=1))
