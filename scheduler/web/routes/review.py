"""Tinjauan: the review queue, one batch's cards with approve (with exceptions), reject
and the admin's override, many batches approved in one decision after a summary, and the
batches' images."""

from dataclasses import replace
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import FileResponse, Response
from sqlmodel import Session

from scheduler.content.model import Catalog
from scheduler.errors import InputError, NotFoundError, ReviewError
from scheduler.review import approve, reject
from scheduler.review_bulk import Selection, approve_many, bulk_summary
from scheduler.review_queue import pending_batches
from scheduler.review_view import batch_view, media_file, not_a_post_id, stage_names, ticked_ids
from scheduler.web.context import CurrentViewer, PostingViewer, Viewer, redirect, render, web_of
from scheduler.web.forms import post_filter, values
from scheduler.web.pageinfo import filter_choices

router = APIRouter()
# Batches per page: a province's batch is about 195 posts (39 offices x 5 platforms), so a
# page already counts some 5,000 posts; bench/web.py measures it on the whole calendar.
PAGE = 25
SELECTION_FIELDS = ("batch", "wilayah", "platform", "tahapan", "dari", "sampai")
REMEDY = "kecualikan unggahan itu, perbaiki, atau minta admin mengesampingkan dengan alasan"
Ticked = Annotated[list[str] | None, Form()]
Text = Annotated[str, Form()]


@router.get("/tinjauan")
def queue(request: Request, who: CurrentViewer, halaman: Annotated[int, Query(ge=1)] = 1,
          disetujui: int | None = None, ditolak: int | None = None) -> Response:
    web = web_of(request)
    with web.app.unit_of_work() as session:
        filters = post_filter(request, session, web.app.catalog)
        rows = pending_batches(session, actor=who.actor, filters=filters, tz=who.tz,
                               offset=(halaman - 1) * PAGE, limit=PAGE + 1)
        choices = filter_choices(session, web.app.catalog, who.actor)
    now = web.now()
    query = [(k, v) for k, v in request.query_params.multi_items()
             if k in SELECTION_FIELDS and v]
    return render(request, "review.html", who, batches=rows[:PAGE], more=len(rows) > PAGE,
                  page=halaman, query=query, choices=choices, filters=filters,
                  stages=stage_names(web.app.catalog), now=now, soon=now + timedelta(hours=24),
                  approved=disetujui, rejected=ditolak)


@router.get("/tinjauan/batch/{batch}")
def batch_page(request: Request, who: CurrentViewer, batch: str) -> Response:
    return _batch_page(request, who, batch)


@router.post("/tinjauan/batch/{batch}/setujui")
def approve_batch(request: Request, who: PostingViewer, batch: str, kecuali: Ticked = None,
                  catatan: Text = "", alasan_override: Text = "") -> Response:
    web = web_of(request)
    excepts = ticked_ids(kecuali or ())
    try:
        with web.app.unit_of_work(write=True) as session:
            decision = approve(session, actor=who.actor, target=not_a_post_id(batch),
                               catalog=web.app.catalog, checks=web.app.checks, now=web.now(),
                               excepts=excepts, note=catatan.strip() or None,
                               override_reason=alasan_override.strip() or None, remedy=REMEDY)
    except (ReviewError, InputError) as refused:
        return _batch_page(request, who, batch, error=str(refused), status=refused.http_status,
                           ticked=excepts, note=catatan, reason=alasan_override)
    return redirect(request, f"/tinjauan?disetujui={len(decision.changed)}")


@router.post("/tinjauan/batch/{batch}/tolak")
def reject_batch(request: Request, who: PostingViewer, batch: str, kecuali: Ticked = None,
                 catatan: Text = "") -> Response:
    web = web_of(request)
    excepts = ticked_ids(kecuali or ())
    try:
        with web.app.unit_of_work(write=True) as session:
            decision = reject(session, actor=who.actor, target=not_a_post_id(batch), note=catatan,
                              now=web.now(), excepts=excepts)
    except (ReviewError, InputError) as refused:
        return _batch_page(request, who, batch, error=str(refused), status=refused.http_status,
                           ticked=excepts, note=catatan)
    return redirect(request, f"/tinjauan?ditolak={len(decision.changed)}")


@router.get("/tinjauan/massal")
def bulk_page(request: Request, who: CurrentViewer) -> Response:
    return _bulk_page(request, who)


@router.post("/tinjauan/massal/setujui")
def bulk_approve(request: Request, who: PostingViewer, sidik: Text = "", catatan: Text = "",
                 alasan_override: Text = "") -> Response:
    web = web_of(request)
    try:
        with web.app.unit_of_work(write=True) as session:
            decision = approve_many(
                session, actor=who.actor, selection=_selection(request, session, web.app.catalog),
                tz=who.tz, catalog=web.app.catalog, checks=web.app.checks, now=web.now(),
                expected=sidik or None, note=catatan.strip() or None,
                override_reason=alasan_override.strip() or None)
    except (ReviewError, InputError) as refused:
        return _bulk_page(request, who, error=str(refused), status=refused.http_status,
                          note=catatan, reason=alasan_override)
    return redirect(request, f"/tinjauan?disetujui={len(decision.changed)}")


@router.get("/tinjauan/gambar/{path:path}")
def image(request: Request, who: CurrentViewer, path: str) -> Response:
    """A post's image from the media folder, for signed-in people only."""
    found = media_file(web_of(request).app.settings.media_dir, path)
    if found is None:
        raise NotFoundError(f"gambar tidak ditemukan: {path!r}")
    return FileResponse(found)


def _batch_page(request: Request, who: Viewer, batch: str, *, error: str | None = None,
                status: int = 200, ticked: list[int] | None = None, note: str = "",
                reason: str = "") -> Response:
    web = web_of(request)
    with web.app.unit_of_work() as session:
        view = batch_view(session, actor=who.actor, batch=not_a_post_id(batch),
                          media_dir=web.app.settings.media_dir)
    return render(request, "review_batch.html", who, status=status, view=view, error=error,
                  ticked=set(ticked or ()), note=note, reason=reason,
                  stages=stage_names(web.app.catalog), now=web.now())


def _bulk_page(request: Request, who: Viewer, *, error: str | None = None, status: int = 200,
               note: str = "", reason: str = "") -> Response:
    web = web_of(request)
    with web.app.unit_of_work() as session:
        summary = bulk_summary(session, actor=who.actor,
                               selection=_selection(request, session, web.app.catalog),
                               tz=who.tz, now=web.now())
    query = [(k, v) for k, v in request.query_params.multi_items()
             if k in SELECTION_FIELDS and v]
    return render(request, "review_bulk.html", who, status=status, summary=summary,
                  query=query, error=error, note=note, reason=reason,
                  stages=stage_names(web.app.catalog))


def _selection(request: Request, session: Session, catalog: Catalog) -> Selection:
    """The batches (`batch`, repeated) and filters of the address, pending posts only."""
    filters = post_filter(request, session, catalog)
    return Selection(batches=tuple(dict.fromkeys(values(request, "batch"))),
                     filters=replace(filters, batch=None, statuses=()))
