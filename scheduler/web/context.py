"""What every route needs: the application, the signed-in viewer, CSRF checks and page
rendering. Routes stay thin: they take a `Viewer`, call services inside
`web.app.unit_of_work(...)` and return `render(...)`."""

import hmac
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache, lru_cache
from importlib import resources
from typing import Annotated, Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from scheduler.app import Application
from scheduler.localtime import format_compact, format_datetime, format_time, zone_label
from scheduler.permissions import Action, allows
from scheduler.users import Actor
from scheduler.web import signin
from scheduler.web.dates import DateWords
from scheduler.web.i18n import DEFAULT, LANGUAGES, Translate, translator
from scheduler.web.pageinfo import EVENT_LABELS, STATUS_LABELS, STATUS_TONE, FilterChoices

FILTER_NAMES = ("wilayah", "platform", "tahapan", "status")
FILTER_FIELDS = (*FILTER_NAMES, "dari", "sampai")
SESSION_COOKIE = "siar_sesi"
LANG_COOKIE = "siar_bahasa"
PRE_CSRF_COOKIE = "siar_pra"  # the sign-in form's CSRF token, before there is a session


class NeedSignIn(Exception):
    """Raised by `viewer` when the request has no valid session."""


class BadCsrf(Exception):
    """A form came without this session's CSRF token."""


@dataclass(frozen=True)
class Viewer:
    """The signed-in person looking at a page."""

    actor: Actor
    tz: ZoneInfo
    csrf: str
    lang: str
    _: Translate

    def can(self, action: Action) -> bool:
        return allows(self.actor, action)


class Web:
    """The web app's shared parts, built once per server."""

    def __init__(self, app: Application,
                 session_clock: Callable[[], datetime] | None = None) -> None:
        self.app = app
        # Sessions and sign-in delays run on the real clock even when the application
        # pretends another time (SIAR_NOW in a demo); tests pass their own.
        self.session_now = session_clock or (lambda: datetime.now(UTC))
        self.sessions = signin.RememberedSessions()
        self.filter_form = lru_cache(maxsize=2048)(self._filter_form)
        folder = resources.files("scheduler.web").joinpath("templates")
        self.jinja = Environment(
            loader=FileSystemLoader(str(folder)),
            autoescape=select_autoescape(default=True, default_for_string=True),
            trim_blocks=True, lstrip_blocks=True,
            auto_reload=False,  # templates ship with the package: never re-read them
        )

    def _filter_form(self, lang: str, action: str, choices: FilterChoices,
                     names: tuple[str, ...], extra_dates: bool,
                     hidden: tuple[tuple[str, str], ...],
                     chosen: tuple[tuple[str, str], ...]) -> Markup:
        """The filter form (remembered: the same scope, language and choice give the same
        form, and its hundred options cost more than a page of rows)."""
        _ = translator(lang)
        # The template autoescapes every value in it, so its output is safe markup.
        return Markup(self.jinja.get_template("_filters.html").render(  # noqa: S704
            _=_, action=action, choices=choices, names=names, extra_dates=extra_dates,
            hidden=hidden, chosen=dict(chosen),
            status_label=lambda status: _(STATUS_LABELS.get(status) or status)))

    @property
    def secure_cookies(self) -> bool:
        return self.app.settings.public_url.startswith("https://")

    def now(self) -> datetime:
        """The application's time (pretended in a demo): for posts and schedules."""
        return self.app.clock.now()


@cache
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def web_of(request: Request) -> Web:
    web: Web = request.app.state.web
    return web


def lang_of(request: Request) -> str:
    lang = request.cookies.get(LANG_COOKIE, DEFAULT)
    return lang if lang in LANGUAGES else DEFAULT


async def viewer(request: Request) -> Viewer:
    """The signed-in viewer, or NeedSignIn (the app redirects to the sign-in page). A
    session looked up in the last seconds costs no database work (see web.signin)."""
    web = web_of(request)
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        raise NeedSignIn
    found = signin.remembered(web, token)
    if found is None:
        found = await run_in_threadpool(signin.current, web, token)
    if found is None:
        raise NeedSignIn
    lang = lang_of(request)
    return Viewer(actor=found.actor, tz=zone(found.timezone), csrf=found.csrf, lang=lang,
                  _=translator(lang))


CurrentViewer = Annotated[Viewer, Depends(viewer)]


async def checked_viewer(request: Request) -> Viewer:
    """The viewer of a form post: the form (or htmx's header) must carry the session's
    CSRF token."""
    web_of(request).sessions.forget()  # this post may end sessions: look them up again
    who = await viewer(request)
    sent = request.headers.get("x-csrf-token")
    form = None
    if sent is None:
        form = await request.form()
        value = form.get("csrf")
        sent = value if isinstance(value, str) else None
    if not sent or not hmac.compare_digest(sent, who.csrf):
        if form is not None:
            await form.close()  # an uploaded file's temporary copy goes now
        raise BadCsrf
    return who


PostingViewer = Annotated[Viewer, Depends(checked_viewer)]


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def render(request: Request, template: str, who: Viewer | None, *, status: int = 200,
           headers: Mapping[str, str] | None = None, **context: Any) -> HTMLResponse:
    web = web_of(request)
    lang = who.lang if who else lang_of(request)
    tz = who.tz if who else web.app.settings.timezone
    _ = who._ if who else translator(lang)

    def filter_form(action: str, choices: FilterChoices, request: Request,
                    extra_dates: bool = True, names: Sequence[str] = FILTER_NAMES,
                    hidden: Sequence[Sequence[str]] = ()) -> Markup:
        chosen = tuple((f, request.query_params.get(f, "")) for f in FILTER_FIELDS)
        return web.filter_form(lang, action, choices, tuple(names), extra_dates,
                               tuple((str(n), str(v)) for n, v in hidden), chosen)

    words = DateWords(_)
    html = web.jinja.get_template(template).render(
        zone=zone_label(web.session_now().astimezone(tz)),
        filter_form=filter_form, date_short=words.short, date_long=words.long,
        date_range=words.range,
        request=request, who=who, _=_, lang=lang, tz=tz, path=request.url.path,
        htmx=is_htmx(request), Action=Action,
        status_label=lambda status: _(STATUS_LABELS.get(status or "", status or "")),
        event_label=lambda kind: _(EVENT_LABELS.get(kind or "", kind or "")),
        tone=lambda status: STATUS_TONE.get(status, ""),
        status_badge=lambda status: status_badge(status, lang),
        # sep.join of one attribute of each item: what `map(attribute=...) | join` does,
        # at a tenth of the cost (a calendar month calls it for every day).
        join_attr=lambda items, attr, sep: sep.join(str(getattr(i, attr)) for i in items),
        local=lambda instant: format_compact(instant, tz) if instant else "",
        local_long=lambda instant: format_datetime(instant, tz) if instant else "",
        local_time=lambda instant: format_time(instant, tz) if instant else "",
        **context)
    return HTMLResponse(html, status_code=status, headers=dict(headers or {}))


@cache
def status_badge(status: str, lang: str) -> Markup:
    """<span class="badge ok">terbit</span>: a cached function, not a macro (a table of
    posts calls it once per row, and a Jinja macro call costs ten times more)."""
    label = translator(lang)(STATUS_LABELS.get(status, status))
    return Markup('<span class="badge {}" data-status="{}">{}</span>').format(
        STATUS_TONE.get(status, ""), status, label)


def redirect(request: Request, url: str) -> Response:
    """See-other redirect; htmx requests get HX-Redirect so the whole page changes."""
    if is_htmx(request):
        return Response(status_code=204, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


def sign_in_url(request: Request) -> str:
    target = request.url.path
    if request.url.query:
        target += "?" + request.url.query
    return "/masuk?lanjut=" + quote(target, safe="")
