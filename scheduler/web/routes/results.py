"""Hasil: the results announcements recorded in the viewer's scope, and for reviewers and
admins a form to record one (what `siar results list` and `siar results announce` do). A
recorded announcement releases the region's held results posts."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from scheduler.composing import region_choices
from scheduler.errors import InputError, PermissionDenied
from scheduler.permissions import Action
from scheduler.results_view import (
    MAX_NOTE,
    AnnouncementForm,
    announcement_rows,
    record,
    results_stages,
)
from scheduler.web.context import CurrentViewer, PostingViewer, Viewer, redirect, render, web_of

router = APIRouter()


@router.get("/hasil")
def results_page(request: Request, who: CurrentViewer) -> Response:
    local = web_of(request).now().astimezone(who.tz)
    stages = results_stages(web_of(request).app.catalog)
    form = AnnouncementForm(stage=stages[0].value if stages else "",
                            region=who.actor.region_key or "",
                            day=local.date().isoformat(), at=f"{local:%H:%M}")
    return _page(request, who, form)


@router.post("/hasil")
def record_announcement(request: Request, who: PostingViewer,
                        tahapan: Annotated[str, Form()] = "",
                        wilayah: Annotated[str, Form()] = "",
                        tanggal: Annotated[str, Form()] = "",
                        jam: Annotated[str, Form()] = "",
                        catatan: Annotated[str, Form()] = "") -> Response:
    web = web_of(request)
    form = AnnouncementForm(stage=tahapan, region=wilayah, day=tanggal, at=jam,
                            note=catatan.replace("\r\n", "\n"))
    try:
        with web.app.unit_of_work(write=True) as session:
            record(session, actor=who.actor, catalog=web.app.catalog, form=form,
                   now=web.now(), fallback=who.tz)
    except (InputError, PermissionDenied) as error:
        return _page(request, who, form, status=error.http_status, error=str(error))
    return redirect(request, "/hasil?dicatat=1")


def _page(request: Request, who: Viewer, form: AnnouncementForm, *, status: int = 200,
          error: str | None = None) -> Response:
    web = web_of(request)
    can_record = who.can(Action.ANNOUNCE)
    with web.app.unit_of_work() as session:
        rows = announcement_rows(session, actor=who.actor, catalog=web.app.catalog,
                                 fallback=who.tz)
        regions = region_choices(session, actor=who.actor) if can_record else []
    return render(request, "results.html", who, status=status, rows=rows, form=form,
                  can_record=can_record, regions=regions,
                  stages=results_stages(web.app.catalog), error=error, max_note=MAX_NOTE,
                  done=request.query_params.get("dicatat") == "1")
