"""Tulis: the author's composer (one text for several platforms and regions, with a live
length counter per platform and an optional image) and the CSV import with a preview of
every row before confirming."""

import time
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from pathlib import Path
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.datastructures import FormData, UploadFile

from scheduler import import_stash, importing, media
from scheduler.composing import (
    Checked,
    Composition,
    check_composition,
    counts_for,
    create_composition,
    draft_batches,
    region_choices,
)
from scheduler.editing import submit
from scheduler.errors import InputError
from scheduler.importing import ImportRefused
from scheduler.permissions import Action, require_role
from scheduler.platforms import platform, social_platforms
from scheduler.web.context import CurrentViewer, PostingViewer, Viewer, redirect, render, web_of
from scheduler.web.routes.media import media_key

router = APIRouter()
MB = 1024 * 1024
FORM_LIMIT = media.MAX_IMAGE_BYTES + MB // 2  # the image plus the text fields
CSV_LIMIT = 2 * MB


def _body_limit(limit: int, what: str) -> Callable[[Request], None]:
    """Refuse a body the size of which is known to be too big, before reading it."""
    def check(request: Request) -> None:
        size = request.headers.get("content-length", "")
        if size.isdigit() and int(size) > limit:
            raise InputError(f"{what} terlalu besar: {int(size) / MB:.1f} MB (paling besar "
                             f"{limit // MB} MB)")
    return check


async def _form(request: Request) -> AsyncIterator[FormData]:
    """The posted form, read once (the CSRF check then reads the same one), its uploaded
    files closed when the request is done, even when it is refused: declare it before
    the viewer."""
    form = await request.form()
    try:
        yield form
    finally:
        await form.close()


FormSmall = Annotated[None, Depends(_body_limit(FORM_LIMIT, "kiriman"))]
CsvSmall = Annotated[None, Depends(_body_limit(CSV_LIMIT + MB // 8, "berkas CSV"))]
FormBody = Annotated[FormData, Depends(_form)]


@router.get("/tulis")
def compose_page(request: Request, who: CurrentViewer) -> Response:
    require_role(who.actor, Action.CREATE)
    tomorrow = (web_of(request).now().astimezone(who.tz) + timedelta(days=1)).date()
    return _page(request, who, Composition(day=tomorrow.isoformat(), at="09:00"), None)


@router.post("/tulis/hitung")
def count_fragment(request: Request, form: FormBody, who: PostingViewer) -> Response:
    """The counters alone (htmx, as the author types)."""
    require_role(who.actor, Action.CREATE)
    with_image = bool(form.get("gambar")) and not form.get("hapus_gambar")
    # htmx sends a chosen file's field without its content: present means chosen.
    chosen = form.get("berkas")
    with_image = with_image or (chosen.filename != "" if isinstance(chosen, UploadFile)
                                else bool(chosen))
    counts = counts_for(_text(form, "teks"), _strings(form, "platform"), with_image=with_image)
    return render(request, "compose_counter.html", who, counts=counts)


@router.post("/tulis")
def compose_submit(request: Request, _small: FormSmall, form: FormBody,
                   who: PostingViewer) -> Response:
    """Periksa (check and show again), Simpan draf, or Ajukan untuk ditinjau."""
    require_role(who.actor, Action.CREATE)
    web = web_of(request)
    composition, upload_error = _composition(form, web.app.settings.media_dir)
    action = _text(form, "aksi")
    with web.app.unit_of_work() as session:
        checked = check_composition(session, actor=who.actor, catalog=web.app.catalog,
                                    checks=web.app.checks, now=web.now(), tz=who.tz,
                                    composition=composition)
    if upload_error:
        checked.errors.insert(0, upload_error)
    if action in ("draf", "ajukan") and checked.ok:
        with web.app.unit_of_work(write=True) as session:
            posts = create_composition(
                session, actor=who.actor, catalog=web.app.catalog, checks=web.app.checks,
                now=web.now(), tz=who.tz, composition=composition,
                submit_now=action == "ajukan")
        return redirect(request, "/unggahan?" + urlencode({"batch": posts[0].batch}))
    status = 200 if action == "periksa" else 403 if checked.outside_scope else 400
    return _page(request, who, composition, checked, status=status)


@router.post("/tulis/ajukan")
def submit_drafts(request: Request, form: FormBody, who: PostingViewer) -> Response:
    """Submit a batch of drafts written earlier for review."""
    web = web_of(request)
    batch = _text(form, "batch").strip()
    if not batch:
        raise InputError("batch draf tidak disebut")
    with web.app.unit_of_work(write=True) as session:
        submit(session, actor=who.actor, target=batch, now=web.now())
    return redirect(request, "/unggahan?" + urlencode({"batch": batch}))


@router.get("/tulis/impor")
def import_page(request: Request, who: CurrentViewer) -> Response:
    require_role(who.actor, Action.CREATE)
    return render(request, "compose_import.html", who, preview=None, token=None, error=None)


@router.post("/tulis/impor")
def import_preview(request: Request, _small: CsvSmall, form: FormBody,
                   who: PostingViewer) -> Response:
    """Every row of the uploaded CSV checked, nothing written; a clean file is kept for
    the confirmation."""
    require_role(who.actor, Action.CREATE)
    web = web_of(request)
    upload = form.get("berkas")
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise InputError("pilih berkas CSV untuk diimpor")
    data = upload.file.read(CSV_LIMIT + 1)
    if len(data) > CSV_LIMIT:
        raise InputError(f"berkas CSV terlalu besar (paling besar {CSV_LIMIT // MB} MB)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"{upload.filename}: bukan teks UTF-8") from None
    name = Path(upload.filename).name
    with web.app.unit_of_work() as session:
        preview = importing.preview_csv(session, actor=who.actor, text=text, source=name,
                                        catalog=web.app.catalog, checks=web.app.checks,
                                        now=web.now(), tz=who.tz)
    token = import_stash.stash(import_stash.default_folder(), owner=who.actor.name,
                               name=name, text=text, now=time.time()) if preview.ok else None
    return render(request, "compose_import.html", who, preview=preview, token=token,
                  error=None if preview.rows or preview.file_error else
                  who._("Berkas tidak berisi baris data."))


@router.post("/tulis/impor/konfirmasi")
def import_confirm(request: Request, form: FormBody, who: PostingViewer) -> Response:
    require_role(who.actor, Action.CREATE)
    web = web_of(request)
    folder, token = import_stash.default_folder(), _text(form, "token")
    kept = import_stash.unstash(folder, token, owner=who.actor.name, now=time.time())
    try:
        with web.app.unit_of_work(write=True) as session:
            imported = importing.import_text(session, actor=who.actor, text=kept.text,
                                          source=kept.name, name=kept.name, catalog=web.app.catalog,
                                          checks=web.app.checks, now=web.now(), tz=who.tz,
                                          skip_duplicates=_text(form, "lewati_duplikat") == "1")
    except ImportRefused:  # something changed since the preview (the time passed, ...)
        with web.app.unit_of_work() as session:
            preview = importing.preview_csv(session, actor=who.actor, text=kept.text,
                                            source=kept.name, catalog=web.app.catalog,
                                            checks=web.app.checks, now=web.now(), tz=who.tz)
        return render(request, "compose_import.html", who, preview=preview, token=None,
                      error=None, status=422)
    import_stash.discard(folder, token)
    return redirect(request, "/unggahan?" + urlencode({"batch": imported.posts[0].batch}))


def _page(request: Request, who: Viewer, composition: Composition, checked: Checked | None,
          *, status: int = 200) -> Response:
    web = web_of(request)
    with web.app.unit_of_work() as session:
        regions = region_choices(session, actor=who.actor)
        drafts = draft_batches(session, actor=who.actor)
    image_src = media.media_address(media_key(request), composition.image) \
        if composition.image else None
    counts = checked.counts if checked else []
    return render(request, "compose.html", who, status=status, c=composition,
                  checked=checked, regions=regions, platforms=_platform_choices(),
                  counts=counts, drafts=drafts, image_src=image_src,
                  image_limit=media.MAX_IMAGE_BYTES // MB)


def _platform_choices() -> list[tuple[str, str]]:
    """The platforms people write for, each with its display name."""
    return [(name, platform(name).label) for name in social_platforms()]


def _composition(form: FormData, media_dir: Path) -> tuple[Composition, str | None]:
    """The form as entered; a newly uploaded image is stored (and kept if the form comes
    back with errors), a bad one is reported and not stored."""
    image: str | None = None
    error = None
    upload = form.get("berkas")
    try:
        if isinstance(upload, UploadFile) and upload.filename:
            image = media.save_upload(media_dir, upload.file.read(media.MAX_IMAGE_BYTES + 1))
        elif _text(form, "gambar") and not form.get("hapus_gambar"):
            image = media.stored_upload(media_dir, _text(form, "gambar"))
    except InputError as exc:
        error = str(exc)
    composition = Composition(
        text=_text(form, "teks"), platforms=tuple(_strings(form, "platform")),
        regions=tuple(_strings(form, "wilayah")), all_regencies=bool(form.get("semua_kabkota")),
        day=_text(form, "tanggal"), at=_text(form, "jam"), image=image,
        image_alt=_text(form, "alt"), accept_problems=bool(form.get("terima_masalah")))
    return composition, error


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.replace("\r\n", "\n") if isinstance(value, str) else ""


def _strings(form: FormData, name: str) -> list[str]:
    return [v.strip() for v in form.getlist(name) if isinstance(v, str) and v.strip()]
