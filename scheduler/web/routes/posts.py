"""Unggahan: the posts list with the `siar posts` filters, and one post's page with its
whole timeline (override reasons, text before and after each edit, attempts, where it
was published)."""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from scheduler.checks.post_checks import length_and_limit
from scheduler.history import timeline
from scheduler.posts import posts_page, visible_post
from scheduler.web.context import CurrentViewer, render, web_of
from scheduler.web.forms import post_filter
from scheduler.web.pageinfo import filter_choices

router = APIRouter()
PAGE = 50


@router.get("/unggahan")
def posts_list(request: Request, who: CurrentViewer, setelah: int | None = None) -> Response:
    web = web_of(request)
    with web.app.unit_of_work() as session:
        filters = post_filter(request, session, web.app.catalog)
        rows = posts_page(session, actor=who.actor, filters=filters, tz=who.tz,
                          after_id=setelah, limit=PAGE + 1)
        choices = filter_choices(session, web.app.catalog, who.actor)
    more = len(rows) > PAGE
    rows = rows[:PAGE]
    query = [(k, v) for k, v in request.query_params.multi_items() if k != "setelah"]
    return render(request, "posts.html", who, posts=rows, more=more, query=query,
                  choices=choices, filters=filters)


@router.get("/unggahan/{post_id}")
def post_page(request: Request, who: CurrentViewer, post_id: int) -> Response:
    web = web_of(request)
    with web.app.unit_of_work() as session:
        post = visible_post(session, actor=who.actor, post_id=post_id)
        _, events = timeline(session, actor=who.actor, post_id=post_id)
    length, limit = length_and_limit(post.platform, post.text, post.image)
    return render(request, "post.html", who, post=post, events=events, length=length,
                  limit=limit)
