"""The planted-token test for connected accounts (issue 13): tokens stored through the
X consent flow, renewed by `siar run`, refused by an authorisation server that echoes the
whole request back, never appear in a log line, the database (sealed), the status, the
pause reason or an export; likewise a Facebook Page token connected through Facebook
Login in the web app, in its pages too."""

import base64
import dataclasses
import os
from datetime import timedelta
from pathlib import Path

from sqlmodel import Session, select

from scheduler.config import OAuthApp
from scheduler.models import AccountToken
from scheduler.secretbox import SecretBox
from tests.conftest import FIRST_SLOT
from tests.test_secrets import siar
from tests.test_token_refresh import (
    CALLBACK,
    CLIENT_ID,
    CLIENT_SECRET,
    KEY,
    PUBLIC,
    account,
    connect_x,
    fake,  # noqa: F401 (a fixture)
    x_settings,  # noqa: F401 (a fixture)
)
from tests.web.conftest import (  # noqa: F401 (fixtures)
    application,
    csrf_of,
    session_clock,
    signed_in,
    web,
)


def test_stored_and_renewed_tokens_appear_in_no_output(
        approved, settings, x_settings, clock, fake, tmp_path) -> None:  # noqa: F811
    clock.set(FIRST_SLOT - timedelta(minutes=100))  # due for renewal at FIRST_SLOT
    connect_x(approved, x_settings, clock)
    with Session(approved) as session:
        opened = SecretBox(KEY).open(session.exec(select(AccountToken)).one().sealed)
    basic = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
    secrets = (opened["access_token"], opened["refresh_token"], CLIENT_SECRET, basic)
    clock.set(FIRST_SLOT + timedelta(seconds=1))
    fake.fail_next("echo", path="/2/oauth2/token", times=10)
    env = {**os.environ, "SIAR_DATABASE_URL": settings.database_url,
           "SIAR_CONTENT_DIR": str(settings.content_dir),
           "SIAR_TEMPLATES_DIR": str(settings.templates_dir),
           "SIAR_OUTBOX_DIR": str(settings.outbox_dir),
           "SIAR_MEDIA_DIR": str(settings.media_dir),
           "SIAR_NOW": (FIRST_SLOT + timedelta(seconds=1)).isoformat(), "SIAR_ALLOW_NOW": "1",
           "SIAR_LOG_LEVEL": "DEBUG", "SIAR_HTTP_TIMEOUT": "5", "SIAR_SECRET_KEY": KEY,
           "SIAR_PUBLIC_URL": PUBLIC, "SIAR_X_API_URL": fake.url,
           "SIAR_X_CLIENT_ID": CLIENT_ID, "SIAR_X_CLIENT_SECRET": CLIENT_SECRET,
           "SIAR_X_AUTH_URL": f"{fake.url}/i/oauth2/authorize"}
    run = siar(env, tmp_path, "run", "--once")
    assert run.returncode == 0, run.stderr
    token_calls = fake.calls("/2/oauth2/token")
    assert opened["refresh_token"] in token_calls[-1].body.decode()  # it really went out
    paused = account(approved)
    assert paused.paused_at is not None and "hubungkan ulang" in (paused.paused_reason or "")
    assert "***" in (paused.paused_reason or "")  # the echoed request, redacted
    outputs = [run.stdout, run.stderr, paused.paused_reason or ""]
    for args in (["history", "--format", "csv"], ["history", "--format", "json"],
                 ["status"], ["account", "list"], ["posts", "--format", "json"]):
        result = siar(env, tmp_path, *args)
        assert result.returncode == 0, (args, result.stderr)
        outputs += [result.stdout, result.stderr]
    assert "kab-a/x" in outputs[-6]  # the status names the paused account
    database = Path(settings.database_url.removeprefix("sqlite:///"))
    stored = [p.read_bytes() for p in database.parent.glob(database.name + "*")]
    outbox = [p.read_bytes() for p in settings.outbox_dir.rglob("*") if p.is_file()]
    for secret in secrets:
        for text in outputs:
            assert secret not in text
        for blob in stored + outbox:
            assert secret.encode() not in blob
    assert CALLBACK  # the consent flow's address, registered with the fake


def test_a_facebook_page_token_appears_in_no_page_log_error_or_export(
        approved, settings, clock, application, signed_in, session_clock,  # noqa: F811
        caplog, tmp_path) -> None:
    """A Page connected through Facebook Login, then published to by `siar run` while
    the Page API echoes every request (token included) back into its error: the Page
    token, the user token and the app secret appear in no page, no log line, no error,
    no export, and only sealed in the database."""
    from tests.fakes.meta_auth import FakeMetaAuth, FakePage
    from tests.web.test_account_pages import PUBLIC as WEB  # http: the client's cookies
    from tests.web.test_account_pages import capture_logs
    from tests.web.test_meta_accounts import APP_ID, APP_SECRET, login_dialog

    capture_logs(caplog)
    session_clock.at = clock.now()  # the web sessions' clock, at the posts' day
    back = {f"{WEB}/akun/sambung/facebook/kembali"}
    with FakeMetaAuth(app_id=APP_ID, app_secret=APP_SECRET, redirect_uris=back,
                      pages=[FakePage("101", "KPU Kabupaten A")], clock=clock) as meta:
        app = OAuthApp(APP_ID, APP_SECRET, f"{meta.url}/v21.0/dialog/oauth")
        application.settings = dataclasses.replace(
            application.settings, secret_key=KEY, public_url=WEB,
            api_urls={"facebook": meta.url}, oauth_apps={"meta": app})
        admin = signed_in("admin")
        pages = [admin.get("/akun").text]
        admin.get(login_dialog(admin, "kab-a/facebook"))
        meta.fail_next("echo_token", path="/me/accounts")  # quotes the user token
        refused = admin.get("/akun/sambung/facebook/pilih")
        assert refused.status_code == 400 and "Invalid parameter" in refused.text
        pages.append(refused.text)
        callback = admin.get(login_dialog(admin, "kab-a/facebook"))
        pages.append(admin.get(callback.headers["location"]).text)
        csrf = csrf_of(pages[0])
        done = admin.post("/akun/sambung/facebook/pilih", data={"csrf": csrf, "halaman": "101"})
        assert done.status_code == 303, done.text
        meta.fail_next("echo_token", path="/101/", times=10)  # the Page's edges
        env = {**os.environ, "SIAR_DATABASE_URL": settings.database_url,
               "SIAR_CONTENT_DIR": str(settings.content_dir),
               "SIAR_TEMPLATES_DIR": str(settings.templates_dir),
               "SIAR_OUTBOX_DIR": str(settings.outbox_dir),
               "SIAR_MEDIA_DIR": str(settings.media_dir),
               "SIAR_NOW": (FIRST_SLOT + timedelta(seconds=1)).isoformat(),
               "SIAR_ALLOW_NOW": "1", "SIAR_LOG_LEVEL": "DEBUG", "SIAR_HTTP_TIMEOUT": "5",
               "SIAR_SECRET_KEY": KEY, "SIAR_PUBLIC_URL": WEB,
               "SIAR_FACEBOOK_API_URL": meta.url, "SIAR_FACEBOOK_APP_ID": APP_ID,
               "SIAR_FACEBOOK_APP_SECRET": APP_SECRET}
        run = siar(env, tmp_path, "run", "--once")
        assert run.returncode == 0, run.stderr
        feeds = meta.calls("/101/")
        assert len(feeds) == 1, run.stderr[-3000:]
        sent = feeds[0]
        with Session(approved) as session:
            opened = SecretBox(KEY).open(session.exec(select(AccountToken)).one().sealed)
        assert opened["access_token"] == sent.param("access_token")  # echoed in the error
        outputs = [run.stdout, run.stderr, *pages, done.text]
        for args in (["history", "--format", "csv"], ["history", "--format", "json"],
                     ["status"], ["account", "list"], ["posts", "--format", "json"]):
            result = siar(env, tmp_path, *args)
            assert result.returncode == 0, (args, result.stderr)
            outputs += [result.stdout, result.stderr]
        assert "Invalid parameter" in outputs[-10]  # the echoed error is in the history
        outputs += [admin.get(path).text for path in ("/akun", "/operasi", "/operasi/riwayat",
                                                          "/operasi/riwayat.csv")]
        outputs.append(caplog.text)
        secrets = (opened["access_token"], opened["user_token"], APP_SECRET, *meta._issued)
    database = Path(settings.database_url.removeprefix("sqlite:///"))
    stored = [p.read_bytes() for p in database.parent.glob(database.name + "*")]
    outbox = [p.read_bytes() for p in settings.outbox_dir.rglob("*") if p.is_file()]
    for secret in secrets:
        for text in outputs:
            assert secret not in text, secret
        for blob in stored + outbox:
            assert secret.encode() not in blob
