"""Operasi: what `siar status` shows plus what needs an operator now (posts due soon and
not approved, uncertain and failed posts with their resolve actions, accounts to pause
or resume, the workers' heartbeats); the publishing history with its streamed CSV."""

import csv
import io
from collections.abc import Iterator
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response, StreamingResponse
from sqlmodel import Session

from scheduler.accounts import pause_account, resume_account
from scheduler.content.model import Catalog
from scheduler.errors import InputError, ReviewError
from scheduler.history import HISTORY_FIELDS, history_lines, iter_history_rows
from scheduler.ops_view import ops_overview
from scheduler.posts import PostFilter
from scheduler.publishing.reconcile import resolve
from scheduler.token_warnings import token_warnings
from scheduler.web.context import CurrentViewer, PostingViewer, Viewer, redirect, render, web_of
from scheduler.web.forms import checked, one_date, values
from scheduler.web.pageinfo import filter_choices

router = APIRouter()
PAGE = 50
CSV_CHUNK = 500  # rows per piece of the streamed export


@router.get("/operasi")
def ops_page(request: Request, who: CurrentViewer) -> Response:
    return _ops_page(request, who)


def _ops_page(request: Request, who: Viewer, *, status: int = 200,
              error: str | None = None) -> Response:
    web = web_of(request)
    factory = web.app.adapters()
    try:
        with web.app.unit_of_work() as session:
            overview = ops_overview(session, actor=who.actor, now=web.now(),
                                    route=factory.route)
            tokens = token_warnings(session, actor=who.actor, now=web.now(),
                                    adapters=factory.adapters)
    finally:
        factory.close()
    return render(request, "ops.html", who, status=status, o=overview, error=error,
                  tokens=tokens, now=web.now(),
                  done=request.query_params.get("ok"), done_what=request.query_params.get("apa"))


@router.post("/operasi/unggahan/{post_id}/selesaikan")
def resolve_post(request: Request, who: PostingViewer, post_id: int,
                 tindakan: Annotated[str, Form()], url: Annotated[str, Form()] = "",
                 catatan: Annotated[str, Form()] = "") -> Response:
    """An operator's verdict: it is live at this URL ("terbit"), or send it again ("ulang")."""
    web = web_of(request)
    try:
        if tindakan not in ("terbit", "ulang"):
            raise InputError(f"tindakan tidak dikenal: {tindakan!r} (terbit atau ulang)")
        if tindakan == "terbit" and not url.strip():
            raise InputError(f"unggahan #{post_id}: isi tautannya di platform untuk "
                             "menandainya sudah terbit")
        with web.app.unit_of_work(write=True) as session:
            resolve(session, actor=who.actor, post_id=post_id, now=web.now(),
                    published_url=url.strip() if tindakan == "terbit" else None,
                    retry=tindakan == "ulang", note=catatan.strip() or None)
    except (InputError, ReviewError) as error:
        return _ops_page(request, who, status=error.http_status, error=str(error))
    return redirect(request, f"/operasi?ok={tindakan}&apa={post_id}")


@router.post("/operasi/akun/{region}/{platform}/jeda")
def pause(request: Request, who: PostingViewer, region: str, platform: str,
          alasan: Annotated[str, Form()] = "") -> Response:
    web = web_of(request)
    key = f"{region}/{platform}"
    try:
        with web.app.unit_of_work(write=True) as session:
            pause_account(session, actor=who.actor, key=key, now=web.now(), reason=alasan)
    except InputError as error:
        return _ops_page(request, who, status=error.http_status, error=str(error))
    return redirect(request, f"/operasi?ok=jeda&apa={key}")


@router.post("/operasi/akun/{region}/{platform}/lanjutkan")
def resume(request: Request, who: PostingViewer, region: str, platform: str) -> Response:
    web = web_of(request)
    key = f"{region}/{platform}"
    try:
        with web.app.unit_of_work(write=True) as session:
            resume_account(session, actor=who.actor, key=key)
    except InputError as error:
        return _ops_page(request, who, status=error.http_status, error=str(error))
    return redirect(request, f"/operasi?ok=lanjut&apa={key}")


@router.get("/operasi/riwayat")
def history(request: Request, who: CurrentViewer, sebelum: int | None = None) -> Response:
    web = web_of(request)
    with web.app.unit_of_work() as session:
        filters = _history_filter(request, session, web.app.catalog, before_id=sebelum,
                                  limit=PAGE + 1)
        rows = history_lines(session, filters=filters, tz=who.tz, actor=who.actor)
        choices = filter_choices(session, web.app.catalog, who.actor)
    query = [(k, v) for k, v in request.query_params.multi_items() if k != "sebelum"]
    return render(request, "ops_history.html", who, posts=rows[:PAGE], more=len(rows) > PAGE,
                  query=query, choices=choices)


@router.get("/operasi/riwayat.csv")
def history_csv(request: Request, who: CurrentViewer, sebelum: int | None = None) -> Response:
    """Every matching post, streamed: the export never holds the history in memory."""
    web = web_of(request)
    with web.app.unit_of_work() as session:  # a bad filter fails here, before streaming
        filters = _history_filter(request, session, web.app.catalog, before_id=sebelum)

    def rows() -> Iterator[str]:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(HISTORY_FIELDS)
        with web.app.unit_of_work() as session:
            for count, row in enumerate(iter_history_rows(session, filters=filters, tz=who.tz,
                                                          actor=who.actor), 1):
                writer.writerow(row)
                if count % CSV_CHUNK == 0:
                    yield _drain(out)
        yield _drain(out)

    stamp = web.now().astimezone(who.tz).strftime("%Y%m%d-%H%M")
    return StreamingResponse(rows(), media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="siar-riwayat-{stamp}.csv"'})


def _drain(out: io.StringIO) -> str:
    text = out.getvalue()
    out.seek(0)
    out.truncate()
    return text


def _history_filter(request: Request, session: Session, catalog: Catalog, *,
                    before_id: int | None, limit: int | None = None) -> PostFilter:
    """The history's filters from the query string, checked like the command line's."""
    filters = PostFilter(
        regions=tuple(values(request, "wilayah")), platforms=tuple(values(request, "platform")),
        stages=tuple(values(request, "tahapan")), statuses=tuple(values(request, "status")),
        date_from=one_date(request, "dari"), date_to=one_date(request, "sampai"),
        before_id=before_id, limit=limit)
    checked(session, catalog, regions=filters.regions, platforms=filters.platforms,
            stages=filters.stages, statuses=filters.statuses)
    filters.validate()
    return filters
