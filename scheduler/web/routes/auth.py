"""Masuk (sign in), Keluar (sign out) and the language switch."""

import hmac
import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from scheduler.errors import AuthError
from scheduler.models import Role
from scheduler.web import signin
from scheduler.web.context import (
    LANG_COOKIE,
    PRE_CSRF_COOKIE,
    SESSION_COOKIE,
    BadCsrf,
    CurrentViewer,
    PostingViewer,
    redirect,
    render,
    web_of,
)
from scheduler.web.i18n import LANGUAGES

router = APIRouter()


def _safe_next(target: str | None) -> str:
    """Only a path on this site (no //host or scheme), else the home page."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


@router.get("/masuk")
def sign_in_page(request: Request, lanjut: str | None = None) -> Response:
    token = secrets.token_urlsafe(24)
    response = render(request, "login.html", None, csrf=token, lanjut=_safe_next(lanjut),
                      error=None, name="")
    _set_cookie(request, response, PRE_CSRF_COOKIE, token, max_age=3600)
    return response


@router.post("/masuk")
def sign_in(request: Request, name: Annotated[str, Form()], password: Annotated[str, Form()],
            csrf: Annotated[str, Form()] = "", lanjut: Annotated[str, Form()] = "/") -> Response:
    expected = request.cookies.get(PRE_CSRF_COOKIE, "")
    if not expected or not hmac.compare_digest(expected, csrf):
        raise BadCsrf
    web = web_of(request)
    try:
        result = signin.sign_in(web, name, password)
    except AuthError as error:
        token = secrets.token_urlsafe(24)
        status = error.http_status
        refused = render(request, "login.html", None, status=status, csrf=token,
                          lanjut=_safe_next(lanjut), error=str(error), name=name[:64])
        _set_cookie(request, refused, PRE_CSRF_COOKIE, token, max_age=3600)
        return refused
    # A new token for every sign-in: a session id planted before sign-in never becomes a
    # signed-in session (session fixation); any old session of this browser ends.
    old = request.cookies.get(SESSION_COOKIE)
    if old:
        signin.sign_out(web, old)
    response = redirect(request, _safe_next(lanjut))
    _set_cookie(request, response, SESSION_COOKIE, result.token,
                max_age=int((result.expires_at - web.session_now()).total_seconds()))
    response.delete_cookie(PRE_CSRF_COOKIE, path="/")
    return response


@router.post("/keluar")
def sign_out(request: Request, who: PostingViewer) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        signin.sign_out(web_of(request), token)
    response = redirect(request, "/masuk")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/bahasa/{lang}")
def switch_language(request: Request, lang: str, lanjut: str | None = None) -> Response:
    response = redirect(request, _safe_next(lanjut))
    if lang in LANGUAGES:
        _set_cookie(request, response, LANG_COOKIE, lang, max_age=365 * 86400)
    return response


HOME = {Role.AUTHOR: "/tulis", Role.REVIEWER: "/tinjauan", Role.OPERATOR: "/operasi",
        Role.ADMIN: "/tinjauan"}


@router.get("/")
def home(request: Request, who: CurrentViewer) -> Response:
    """Each role starts on the page of its daily work."""
    return redirect(request, HOME.get(who.actor.role, "/unggahan"))


def _set_cookie(request: Request, response: Response, name: str, value: str, *,
                max_age: int) -> None:
    secure = web_of(request).secure_cookies or request.url.scheme == "https"
    response.set_cookie(name, value, max_age=max_age, path="/", httponly=True,
                        samesite="lax", secure=secure)
