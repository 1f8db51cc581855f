"""Akun: an admin connects the accounts of their offices. X, Threads, Facebook and
Instagram through the platform's own consent page (scheduler.connecting: the state is
bound to this web session, the PKCE verifier travels sealed in a short-lived cookie;
for Facebook and Instagram the admin then chooses a Page, scheduler.page_choice),
Telegram by pasting a
bot token and a channel that getChat confirms; "Putuskan" revokes where the platform
allows and forgets the stored token. No page ever shows a token: only field names and
times (scheduler.account_tokens.TokenInfo)."""

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from scheduler.account_tokens import connections
from scheduler.connecting import begin, connect_pasted, disconnect_account, finish
from scheduler.connecting import session_fingerprint as fingerprint
from scheduler.errors import InputError, SiarError
from scheduler.ops_view import account_lines
from scheduler.page_choice import choose_page, page_options
from scheduler.permissions import Action, require_role
from scheduler.publishing.stored import required_box, secret_box
from scheduler.secretbox import SecretBox
from scheduler.web.context import CurrentViewer, PostingViewer, Viewer, redirect, render, web_of

router = APIRouter()
NOTE_COOKIE = "siar_sambung"
NOTE_PATH = "/akun/sambung"
PASTED = {"telegram": ("bot_token", "chat_id")}  # platforms connected by pasting


@router.get("/akun")
def accounts_page(request: Request, who: CurrentViewer) -> Response:
    return _page(request, who)


def _page(request: Request, who: Viewer, *, status: int = 200,
          error: str | None = None) -> Response:
    require_role(who.actor, Action.CONNECT)
    web = web_of(request)
    factory = web.app.adapters()
    try:
        with web.app.unit_of_work() as session:
            lines = account_lines(session, actor=who.actor, route=factory.route)
            connected = {info.account: info for info in connections(session, actor=who.actor)}
    finally:
        factory.close()
    settings = web.app.settings
    can_consent = {name: cls.auth for name, cls in factory.adapters.items()
                   if cls.auth is not None and cls.auth.authorize_page}
    consent = {name for name, auth in can_consent.items() if auth.app_of(settings, name)}
    return render(request, "accounts.html", who, status=status, lines=lines,
                  connected=connected, consent=consent, pasted=PASTED, error=error,
                  no_app=set(can_consent) - consent,
                  ready=bool(settings.public_url), done=request.query_params.get("ok"),
                  done_what=request.query_params.get("apa"),
                  reached=request.query_params.get("ke"))


def _box(request: Request) -> SecretBox:
    return required_box(web_of(request).app.settings)


@router.post("/akun/sambung/{platform}")
def start(request: Request, who: PostingViewer, platform: str,
          akun: Annotated[str, Form()] = "") -> Response:
    """Start connecting: a POST (so another site cannot start it in the admin's name)
    answering a page that links to the platform's consent page (the CSP's form-action
    keeps a form from redirecting off-site), with a sealed note of what was asked."""
    web = web_of(request)
    factory = web.app.adapters()
    try:
        if not akun.endswith(f"/{platform}"):
            raise InputError(f"akun {akun!r} bukan akun {platform}")
        started = begin(web.app.engine, actor=who.actor, account_key=akun, factory=factory,
                        box=_box(request), now=web.now(), fingerprint=fingerprint(who.csrf))
        cls = factory.adapters[platform]
        label = (cls.auth.consent_site if cls.auth else "") or cls.label
    except SiarError as error:
        return _page(request, who, status=error.http_status, error=str(error))
    finally:
        factory.close()
    response = render(request, "accounts_go.html", who, account=akun, label=label,
                      authorize_url=started.authorize_url)
    _keep_note(request, response, started.note)
    return response


def _ended(response: Response) -> Response:
    """`response`, forgetting the connection's note (done, or refused: start again)."""
    response.delete_cookie(NOTE_COOKIE, path=NOTE_PATH)
    return response


def _keep_note(request: Request, response: Response, note: str) -> None:
    secure = web_of(request).secure_cookies or request.url.scheme == "https"
    response.set_cookie(NOTE_COOKIE, note, max_age=600, path=NOTE_PATH, httponly=True,
                        samesite="lax", secure=secure)


@router.get("/akun/sambung/{platform}/kembali")
def back(request: Request, who: CurrentViewer, platform: str, code: str = "",
         state: str = "", error: str = "") -> Response:
    """The platform sends the admin back here with a code (or the reason it has none)."""
    web = web_of(request)
    factory = web.app.adapters()
    try:
        if error:
            raise InputError(f"persetujuan di {platform} tidak diberikan ({error}); akun "
                            "tidak dihubungkan")
        done = finish(web.app.engine, actor=who.actor, platform=platform,
                      note=request.cookies.get(NOTE_COOKIE, ""), state=state, code=code,
                      factory=factory, box=_box(request), now=web.now(),
                      fingerprint=fingerprint(who.csrf))
    except SiarError as failure:
        return _ended(_page(request, who, status=failure.http_status, error=str(failure)))
    finally:
        factory.close()
    if done.choose_note:  # a Facebook Page to choose first
        response = redirect(request, f"/akun/sambung/{quote(platform, safe='')}/pilih")
        _keep_note(request, response, done.choose_note)
        return response
    assert done.info is not None
    return _ended(redirect(request, f"/akun?ok=sambung&apa={done.info.account}"))


@router.get("/akun/sambung/{platform}/pilih")
def choose_form(request: Request, who: CurrentViewer, platform: str) -> Response:
    """The Pages the consenting Facebook user manages, to choose one for the account."""
    web = web_of(request)
    factory = web.app.adapters()
    try:
        choosing = page_options(web.app.engine, actor=who.actor, platform=platform,
                                note=request.cookies.get(NOTE_COOKIE, ""), factory=factory,
                                box=_box(request), now=web.now(),
                                fingerprint=fingerprint(who.csrf))
    except SiarError as failure:
        return _ended(_page(request, who, status=failure.http_status, error=str(failure)))
    finally:
        factory.close()
    return render(request, "accounts_choose.html", who, choosing=choosing)


@router.post("/akun/sambung/{platform}/pilih")
def choose(request: Request, who: PostingViewer, platform: str,
           halaman: Annotated[str, Form()] = "") -> Response:
    web = web_of(request)
    factory = web.app.adapters()
    try:
        info, reached = choose_page(
            web.app.engine, actor=who.actor, platform=platform,
            note=request.cookies.get(NOTE_COOKIE, ""), page_id=halaman, factory=factory,
            box=_box(request), now=web.now(), fingerprint=fingerprint(who.csrf))
    except SiarError as failure:
        return _ended(_page(request, who, status=failure.http_status, error=str(failure)))
    finally:
        factory.close()
    return _ended(redirect(request, f"/akun?ok=sambung&apa={info.account}"
                                    f"&ke={quote(reached, safe='')}"))


@router.post("/akun/{region}/{platform}/tempel")
def paste(request: Request, who: PostingViewer, region: str, platform: str,
          bot_token: Annotated[str, Form()] = "", chat_id: Annotated[str, Form()] = "") -> Response:
    """Credentials pasted for a platform without a consent page (Telegram)."""
    web = web_of(request)
    key = f"{region}/{platform}"
    factory = web.app.adapters()
    try:
        if platform not in PASTED:
            raise InputError(f"akun {platform} tidak dihubungkan dengan menempel token")
        info, reached = connect_pasted(
            web.app.engine, actor=who.actor, account_key=key,
            values={"bot_token": bot_token, "chat_id": chat_id}, factory=factory,
            box=_box(request), now=web.now())
    except SiarError as error:
        return _page(request, who, status=error.http_status, error=str(error))
    finally:
        factory.close()
    where = f"&ke={quote(reached, safe='')}" if reached else ""
    return redirect(request, f"/akun?ok=sambung&apa={info.account}{where}")


@router.post("/akun/{region}/{platform}/putuskan")
def cut(request: Request, who: PostingViewer, region: str, platform: str) -> Response:
    web = web_of(request)
    key = f"{region}/{platform}"
    factory = web.app.adapters()
    try:
        outcome = disconnect_account(web.app.engine, actor=who.actor, account_key=key,
                                     factory=factory, box=secret_box(web.app.settings))
    except SiarError as error:
        return _page(request, who, status=error.http_status, error=str(error))
    finally:
        factory.close()
    if outcome.problem:
        return _page(request, who, error=f"Token akun {key} dihapus dari Siar, tetapi tidak "
                     f"dapat dicabut di platform: {outcome.problem}")
    return redirect(request, f"/akun?ok=putus&apa={key}")
