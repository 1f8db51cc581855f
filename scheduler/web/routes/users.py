"""Pengguna: user administration for admins (add, deactivate and reactivate, change a role
or a region, reset a password), over the same services as `siar user`. A refused change
(a bad name, a short password, an admin locking themself out) shows the page again with
the reason."""

from collections.abc import Callable
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlmodel import Session

from scheduler.errors import InputError, ReviewError
from scheduler.models import Role, User
from scheduler.user_admin import (
    change_region,
    change_role,
    create_user,
    reset_password,
    set_active,
    users_in_scope,
)
from scheduler.web.context import CurrentViewer, PostingViewer, Viewer, redirect, render, web_of
from scheduler.web.pageinfo import filter_choices

router = APIRouter()
ROLE_LABELS = {Role.AUTHOR: "penulis", Role.REVIEWER: "peninjau", Role.OPERATOR: "operator",
               Role.ADMIN: "admin"}
Change = Callable[[Session, datetime], User]


@router.get("/pengguna")
def users_page(request: Request, who: CurrentViewer) -> Response:
    return _page(request, who)


def _page(request: Request, who: Viewer, *, status: int = 200, error: str | None = None,
          draft: dict[str, str] | None = None) -> Response:
    web = web_of(request)
    with web.app.unit_of_work() as session:
        users = users_in_scope(session, actor=who.actor)
        regions = filter_choices(session, web.app.catalog, who.actor).regions
    return render(request, "users.html", who, status=status, users=users, regions=regions,
                  roles=[(r.value, ROLE_LABELS[r]) for r in Role],
                  role_labels={r.value: label for r, label in ROLE_LABELS.items()}, error=error,
                  draft=draft or {}, done=request.query_params.get("ok"),
                  done_who=request.query_params.get("nama"))


@router.post("/pengguna")
def add(request: Request, who: PostingViewer, nama: Annotated[str, Form()] = "",
        peran: Annotated[str, Form()] = "", wilayah: Annotated[str, Form()] = "",
        sandi: Annotated[str, Form()] = "") -> Response:
    draft = {"nama": nama, "peran": peran, "wilayah": wilayah}  # never the password
    return _apply(request, who, "tambah", nama.strip().lower(), lambda session, now: create_user(
        session, actor=who.actor, name=nama, role=peran, region=wilayah, password=sandi,
        now=now), draft=draft)


@router.post("/pengguna/{name}/nonaktifkan")
def deactivate(request: Request, who: PostingViewer, name: str) -> Response:
    return _apply(request, who, "nonaktif", name, lambda session, now: set_active(
        session, actor=who.actor, name=name, active=False, now=now))


@router.post("/pengguna/{name}/aktifkan")
def activate(request: Request, who: PostingViewer, name: str) -> Response:
    return _apply(request, who, "aktif", name, lambda session, now: set_active(
        session, actor=who.actor, name=name, active=True, now=now))


@router.post("/pengguna/{name}/peran")
def role(request: Request, who: PostingViewer, name: str,
         peran: Annotated[str, Form()] = "") -> Response:
    return _apply(request, who, "peran", name, lambda session, now: change_role(
        session, actor=who.actor, name=name, role=peran, now=now))


@router.post("/pengguna/{name}/wilayah")
def region(request: Request, who: PostingViewer, name: str,
           wilayah: Annotated[str, Form()] = "") -> Response:
    return _apply(request, who, "wilayah", name, lambda session, now: change_region(
        session, actor=who.actor, name=name, region=wilayah, now=now))


@router.post("/pengguna/{name}/sandi")
def password(request: Request, who: PostingViewer, name: str,
             sandi: Annotated[str, Form()] = "") -> Response:
    return _apply(request, who, "sandi", name, lambda session, now: reset_password(
        session, actor=who.actor, name=name, password=sandi, now=now))


def _apply(request: Request, who: Viewer, done: str, name: str, change: Change, *,
           draft: dict[str, str] | None = None) -> Response:
    """One change in one writing transaction; then back to the list (303), or the list
    again with the reason the change was refused."""
    web = web_of(request)
    try:
        with web.app.unit_of_work(write=True) as session:
            user = change(session, web.now())
            name = user.name
    except (InputError, ReviewError) as error:
        return _page(request, who, status=error.http_status, error=str(error), draft=draft)
    return redirect(request, f"/pengguna?ok={done}&nama={name}")
