"""Akun over HTTP: an admin connects an X account through the (fake) consent page, which
sends the browser back with a code bound to this session's state; a Telegram bot token
and channel are pasted and checked with getChat; "Putuskan" revokes at X. A token never
appears in a page or a log line."""

import dataclasses
import html
import logging
import re
from collections.abc import Iterator
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from scheduler.adapters.logging_filter import RedactingFilter
from scheduler.clock import FixedClock
from scheduler.config import OAuthApp, Settings
from scheduler.models import AccountToken
from scheduler.secretbox import SecretBox
from tests.fakes.telegram import FakeTelegram
from tests.fakes.x_auth import FakeXOAuth
from tests.web.conftest import page_csrf

KEY = "w" * 40
CLIENT_ID, CLIENT_SECRET = "siar-web-client", "PLANTED-WEB-CLIENT-SECRET-5t6y"
PUBLIC = "http://siar.kpu-uji.example"  # http: the test client sends no Secure cookies
CALLBACK = f"{PUBLIC}/akun/sambung/x/kembali"
BOT = "424242:PLANTED-WEB-BOT-TOKEN-qwerty"
PLANTED = ("xat-", "xrt-", CLIENT_SECRET, BOT, "PLANTED")


@pytest.fixture
def fake_x(clock: FixedClock) -> Iterator[FakeXOAuth]:
    with FakeXOAuth(client_id=CLIENT_ID, client_secret=CLIENT_SECRET,
                    redirect_uris={CALLBACK}, clock=clock) as server:
        yield server


@pytest.fixture
def fake_telegram() -> Iterator[FakeTelegram]:
    chats = {"@kpukaba": {"id": -1001, "type": "channel", "title": "KPU Kab A",
                          "username": "kpukaba"}}
    with FakeTelegram(tokens={BOT}, chats=chats) as server:
        yield server


@pytest.fixture
def settings(settings: Settings, fake_x: FakeXOAuth, fake_telegram: FakeTelegram) -> Settings:
    return dataclasses.replace(
        settings, secret_key=KEY, public_url=PUBLIC,
        api_urls={"x": fake_x.url, "telegram": fake_telegram.url},
        oauth_apps={"x": OAuthApp(CLIENT_ID, CLIENT_SECRET,
                                  f"{fake_x.url}/i/oauth2/authorize")})


@pytest.fixture
def admin(signed_in) -> TestClient:  # type: ignore[no-untyped-def]
    client: TestClient = signed_in("admin")
    return client


def start_connecting(client: TestClient, account: str) -> str:
    """Press "Hubungkan" (a POST with the session's CSRF token): returns the address of
    the consent page the answer links to."""
    platform = account.rpartition("/")[2]
    start = client.post(f"/akun/sambung/{platform}",
                        data={"csrf": page_csrf(client, "/akun"), "akun": account})
    assert start.status_code == 200, start.text
    found = re.search(r'id="to-consent" href="([^"]+)"', start.text)
    assert found, start.text
    return html.unescape(found.group(1))


def consent(client: TestClient, account: str = "kab-a/x") -> str:
    """Start connecting; the browser goes to the fake X consent page (real HTTP), which
    sends it back: returns the address it is sent back to, as a path with its query."""
    page = requests.get(start_connecting(client, account), allow_redirects=False, timeout=5)
    assert page.status_code == 302
    back = urlsplit(page.headers["location"])
    assert f"{back.scheme}://{back.netloc}{back.path}" == CALLBACK
    return f"{back.path}?{back.query}"


def stored(engine) -> list[AccountToken]:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        return list(session.exec(select(AccountToken)))


def capture_logs(caplog: pytest.LogCaptureFixture) -> None:
    """Every log line at DEBUG, through the filter `siar` puts on its handlers
    (scheduler.logs): urllib3 writes request paths, and a bot token is in the path."""
    caplog.set_level(logging.DEBUG)
    caplog.handler.addFilter(RedactingFilter())


def assert_no_token(*texts: str) -> None:
    for text in texts:
        for planted in PLANTED:
            assert planted not in text, planted


def test_an_admin_connects_x_through_the_consent_page(admin, synced, fake_x, caplog) -> None:
    capture_logs(caplog)
    listing = admin.get("/akun")
    assert listing.status_code == 200
    assert 'action="/akun/sambung/x"' in listing.text
    assert 'name="akun" value="kab-a/x"' in listing.text
    address = start_connecting(admin, "kab-a/x")
    query = parse_qs(urlsplit(address).query)
    assert query["code_challenge_method"] == ["S256"] and query["redirect_uri"] == [CALLBACK]
    assert "offline.access" in query["scope"][0].split()
    page = requests.get(address, allow_redirects=False, timeout=5)
    back = urlsplit(page.headers["location"])
    done = admin.get(f"{back.path}?{back.query}")
    assert done.status_code == 303, done.text
    assert done.headers["location"] == "/akun?ok=sambung&apa=kab-a/x"
    shown = admin.get(done.headers["location"]).text
    assert "Akun kab-a/x terhubung." in shown and "token berakhir" in shown
    (row,) = stored(synced)
    assert row.fields == ["access_token", "refresh_token"] and row.connected_by == "admin"
    opened = SecretBox(KEY).open(row.sealed)
    assert opened["access_token"].startswith("xat-") and "xat-" not in row.sealed
    # Disconnecting revokes both tokens at X, then forgets them.
    cut = admin.post("/akun/kab-a/x/putuskan", data={"csrf": page_csrf(admin, "/akun")})
    assert cut.status_code == 303 and cut.headers["location"] == "/akun?ok=putus&apa=kab-a/x"
    assert len(fake_x.calls("/2/oauth2/revoke")) == 2 and fake_x.live_refresh_tokens() == 0
    assert stored(synced) == []
    assert_no_token(listing.text, address, shown, caplog.text,
                    admin.get("/akun").text)


def test_an_answer_that_does_not_match_this_session_connects_nothing(
        admin, signed_in, synced) -> None:
    back = consent(admin)
    forged = back.replace("state=", "state=x")
    refused = admin.get(forged)
    assert refused.status_code == 400 and "state berbeda" in refused.text
    other = signed_in("admin")  # another session, carrying this browser's note
    other.cookies.set("siar_sambung", admin.cookies.get("siar_sambung") or "",
                      domain="testserver.local", path="/akun/sambung")
    assert other.get(back).status_code == 400
    assert admin.get(back.replace("code=", "code=bad")).status_code == 400
    assert stored(synced) == []
    assert_no_token(refused.text)


def test_x_cannot_be_connected_without_a_public_address(admin, application) -> None:
    csrf = page_csrf(admin, "/akun")
    application.settings = dataclasses.replace(application.settings, public_url="")
    refused = admin.post("/akun/sambung/x", data={"csrf": csrf, "akun": "kab-a/x"})
    assert refused.status_code == 500
    assert "SIAR_PUBLIC_URL belum disetel" in refused.text


def test_a_telegram_bot_is_pasted_checked_and_stored_sealed(
        admin, synced, fake_telegram, caplog) -> None:
    capture_logs(caplog)
    csrf = page_csrf(admin, "/akun")
    wrong = admin.post("/akun/kab-a/telegram/tempel",
                       data={"csrf": csrf, "bot_token": BOT, "chat_id": "@lain"})
    assert wrong.status_code == 400 and "tidak dihubungkan" in wrong.text
    assert stored(synced) == []
    done = admin.post("/akun/kab-a/telegram/tempel",
                      data={"csrf": csrf, "bot_token": BOT, "chat_id": "@kpukaba"})
    assert done.status_code == 303, done.text
    shown = admin.get(done.headers["location"]).text
    assert "Akun kab-a/telegram terhubung." in shown and "KPU Kab A (@kpukaba)" in shown
    (row,) = stored(synced)
    assert SecretBox(KEY).open(row.sealed)["bot_token"] == BOT
    assert_no_token(wrong.text, shown, caplog.text, row.sealed)


def test_only_admins_see_the_page(signed_in) -> None:  # type: ignore[no-untyped-def]
    assert signed_in("ops").get("/akun").status_code == 403
    ops = signed_in("ops")
    csrf = page_csrf(ops, "/operasi")
    assert ops.post("/akun/sambung/x", data={"csrf": csrf, "akun": "kab-a/x"}).status_code == 403


def test_another_site_cannot_start_a_connection(admin, synced) -> None:
    """A link or a form on another site carries no CSRF token: nothing starts, no note
    is set, and the consent page is never named."""
    assert admin.get("/akun/sambung/x?akun=kab-a/x").status_code == 405
    forged = admin.post("/akun/sambung/x", data={"akun": "kab-a/x"})
    assert forged.status_code == 403 and "siar_sambung" not in forged.headers.get(
        "set-cookie", "")
    assert "oauth2/authorize" not in forged.text
    wrong = admin.post("/akun/sambung/x", data={"akun": "kab-a/x", "csrf": "bukan-token"})
    assert wrong.status_code == 403


def test_the_operasi_page_warns_of_a_token_ending_within_seven_days(
        admin, signed_in, synced, clock) -> None:
    from scheduler.account_tokens import connect
    from scheduler.db import session_scope
    from tests.conftest import actor

    with session_scope(synced, write=True) as session:
        connect(session, actor=actor("admin", "admin"), account_key="kab-a/telegram",
                values={"bot_token": BOT, "chat_id": "@kpukaba"}, box=SecretBox(KEY),
                now=clock.now(), expires_at=clock.now() + timedelta(days=3))
    page = signed_in("ops").get("/operasi").text
    assert 'data-token="kab-a/telegram"' in page
    assert "tidak diperbarui otomatis; hubungkan ulang akun sebelum itu" in page
    assert 'href="/akun"' not in page.split('id="token"')[1].split("</section>")[0]
    assert 'href="/akun"' in admin.get("/operasi").text
    assert_no_token(page)


def test_an_admin_connects_threads_through_its_consent_page(
        admin, synced, application, clock) -> None:
    from tests.fakes.threads_auth import LONG_SECONDS, FakeThreadsAuth

    back_to = f"{PUBLIC}/akun/sambung/threads/kembali"
    with FakeThreadsAuth(app_id="threads-app", app_secret="PLANTED-THREADS-SECRET-x",
                         redirect_uris=frozenset({back_to}), user_id="2784",
                         clock=clock) as fake:
        application.settings = dataclasses.replace(
            application.settings, api_urls={"threads": fake.url},
            oauth_apps={"threads": OAuthApp("threads-app", "PLANTED-THREADS-SECRET-x",
                                            f"{fake.url}/oauth/authorize")})
        page = requests.get(start_connecting(admin, "kab-a/threads"), allow_redirects=False,
                            timeout=5)
        back = urlsplit(page.headers["location"])
        assert f"{back.scheme}://{back.netloc}{back.path}" == back_to
        done = admin.get(f"{back.path}?{back.query}")
        assert done.status_code == 303, done.text
        shown = admin.get(done.headers["location"]).text
    assert "Akun kab-a/threads terhubung." in shown
    (row,) = stored(synced)
    assert row.fields == ["access_token", "threads_user_id"]
    assert row.expires_at == clock.now() + timedelta(seconds=LONG_SECONDS)
    assert SecretBox(KEY).open(row.sealed)["threads_user_id"] == "2784"
    assert "THQ-" not in shown and "PLANTED-THREADS-SECRET" not in shown
