"""Assembles the FastAPI app: security headers, error pages, static files and every router
in `scheduler.web.routes` (each module there exposes `router`)."""

import importlib
import logging
import pkgutil
import time
from collections.abc import Callable
from datetime import datetime
from importlib import resources

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from scheduler.app import Application, create_app
from scheduler.config import load_settings
from scheduler.errors import SiarError
from scheduler.web import routes
from scheduler.web.context import (
    BadCsrf,
    NeedSignIn,
    Web,
    lang_of,
    redirect,
    render,
    sign_in_url,
)
from scheduler.web.i18n import translator

log = logging.getLogger(__name__)

# No inline script or style anywhere: htmx is told not to inject its indicator style
# (see base.html), and every behaviour lives in /static/*.js.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'")


EXPIRED_FORM = "Formulir ini kedaluwarsa atau tidak sah. Muat ulang halaman lalu coba lagi."


def create_web_app(app: Application, *,
                   session_clock: Callable[[], datetime] | None = None) -> FastAPI:
    web = FastAPI(title="Siar", docs_url=None, redoc_url=None, openapi_url=None)
    web.state.web = Web(app, session_clock)
    static = resources.files("scheduler.web").joinpath("static")
    web.mount("/static", StaticFiles(directory=str(static)), name="static")
    for module in pkgutil.iter_modules(routes.__path__):
        web.include_router(importlib.import_module(f"{routes.__name__}.{module.name}").router)
    _error_pages(web)

    web.add_middleware(SecurityHeaders, web=web.state.web)
    return web


class SecurityHeaders:
    """CSP and friends on every answer, and Server-Timing (how long the server took, for
    developer tools and bench/web.py). After a form post, which may have ended sessions
    (a deactivation, a password reset, a sign-out), every remembered session is looked up
    again (see web.signin). Plain ASGI: Starlette's BaseHTTPMiddleware would cost more
    than a whole page of rows."""

    def __init__(self, app: ASGIApp, web: Web) -> None:
        self.app = app
        self.web = web

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        cacheable = scope["path"].startswith(("/static/", "/media/"))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("Content-Security-Policy", CSP)
                headers["X-Content-Type-Options"] = "nosniff"
                headers["Referrer-Policy"] = "same-origin"
                headers["X-Frame-Options"] = "DENY"
                if not cacheable:
                    headers.setdefault("Cache-Control", "no-store")
                elapsed = (time.perf_counter() - started) * 1000
                headers["Server-Timing"] = f"app;dur={elapsed:.1f}"
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            if scope["method"] not in ("GET", "HEAD"):
                self.web.sessions.forget()


def app_from_environment() -> FastAPI:
    """The web app of one of several server processes (`siar web --workers N`): settings
    from the environment, which the command line filled before starting them."""
    return create_web_app(create_app(load_settings(env_file=None)))


def _error_pages(web: FastAPI) -> None:
    @web.exception_handler(NeedSignIn)
    async def need_sign_in(request: Request, _exc: NeedSignIn) -> Response:
        return redirect(request, sign_in_url(request))

    @web.exception_handler(BadCsrf)
    async def bad_csrf(request: Request, _exc: BadCsrf) -> Response:
        _ = translator(lang_of(request))
        return render(request, "error.html", None, status=403, code="csrf",
                      message=_(EXPIRED_FORM))

    @web.exception_handler(SiarError)
    async def siar_error(request: Request, exc: SiarError) -> Response:
        headers = {}
        retry = getattr(exc, "retry_after", None)
        if retry:
            headers["Retry-After"] = str(retry)
        return render(request, "error.html", None, status=exc.http_status,
                      code=exc.error_code, message=str(exc), headers=headers)

    @web.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> Response:
        fields = ", ".join(".".join(str(p) for p in e.get("loc", ())[1:]) or "?"
                           for e in exc.errors())
        _ = translator(lang_of(request))
        return render(request, "error.html", None, status=400, code="input",
                      message=_("Isian tidak valid: {fields}", fields=fields))
