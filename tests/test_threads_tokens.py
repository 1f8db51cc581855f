"""Threads long-lived tokens (60 days) against a fake Threads token endpoint over real
HTTP: exchanged from a consent code, renewed 15 days before they expire, and an expired
one refused with the Graph error, which pauses the account."""

import dataclasses
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from scheduler.account_tokens import connect
from scheduler.adapters.base import RefreshRefused
from scheduler.clock import FixedClock
from scheduler.config import OAuthApp, Settings
from scheduler.db import session_scope
from scheduler.models import AccountToken
from scheduler.secretbox import SecretBox
from scheduler.token_refresh import TokenRefresher
from tests.conftest import FIRST_SLOT
from tests.fakes.threads_auth import LONG_SECONDS, FakeThreadsAuth
from tests.test_token_refresh import ADMIN, KEY, account, factory_for

APP_ID, APP_SECRET = "threads-app", "PLANTED-THREADS-APP-SECRET-1a2b"
CALLBACK = "https://siar.kpu-uji.example/akun/sambung/threads/kembali"


@pytest.fixture
def fake(clock: FixedClock) -> Iterator[FakeThreadsAuth]:
    with FakeThreadsAuth(app_id=APP_ID, app_secret=APP_SECRET, user_id="2784", clock=clock,
                         ) as server:
        yield server


@pytest.fixture
def threads_settings(settings: Settings, fake: FakeThreadsAuth) -> Settings:
    return dataclasses.replace(settings, secret_key=KEY, api_urls={"threads": fake.url},
                               oauth_apps={"threads": OAuthApp(APP_ID, APP_SECRET, "")})


@pytest.fixture
def connected(synced, threads_settings, clock, fake):  # type: ignore[no-untyped-def]
    """kab-a/threads connected through the code exchange, at FIRST_SLOT."""
    clock.set(FIRST_SLOT)
    fake.add_code("kode-persetujuan", "2784")
    factory = factory_for(synced, threads_settings, clock)
    grant = factory.auth("threads", {}).exchange(code="kode-persetujuan", verifier="",
                                                 redirect_uri=CALLBACK)
    factory.close()
    assert grant.values["threads_user_id"] == "2784"
    assert grant.expires_at == clock.now() + timedelta(seconds=LONG_SECONDS)
    with session_scope(synced, write=True) as session:
        connect(session, actor=ADMIN, account_key="kab-a/threads", values=grant.values,
                box=SecretBox(KEY), now=clock.now(), expires_at=grant.expires_at)
    return synced


def stored_token(engine) -> tuple[str, object]:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        row = session.exec(select(AccountToken)).one()
        return SecretBox(KEY).open(row.sealed)["access_token"], row.expires_at


def test_a_long_lived_token_is_renewed_fifteen_days_before_it_expires(
        connected, threads_settings, clock, fake) -> None:
    refresher = TokenRefresher(connected, factory_for(connected, threads_settings, clock), clock)
    first, _ = stored_token(connected)
    clock.advance(timedelta(days=44))
    assert refresher.run().refreshed == []
    clock.advance(timedelta(days=1, minutes=1))
    fake.fail_next("server_error", path="/refresh_access_token", times=1)
    refresher.sleep = lambda seconds: None
    assert refresher.run().refreshed == ["kab-a/threads"]
    renewed, ends = stored_token(connected)
    assert renewed != first and fake.accepts(renewed)
    assert ends == clock.now() + timedelta(seconds=LONG_SECONDS)
    assert fake.refreshes == 1


def test_an_expired_token_is_refused_and_the_account_paused(
        connected, threads_settings, clock, fake) -> None:
    clock.advance(timedelta(days=61))  # the worker did not run for two months
    report = TokenRefresher(connected, factory_for(connected, threads_settings, clock),
                            clock).run()
    assert report.paused == ["kab-a/threads"]
    reason = account(connected, "kab-a/threads").paused_reason or ""
    assert "Threads menolak memperbarui token" in reason and "hubungkan ulang" in reason
    assert "THQ-" not in reason and APP_SECRET not in reason


def test_a_refused_exchange_names_neither_the_code_nor_the_secret(
        synced, threads_settings, clock, fake) -> None:  # type: ignore[no-untyped-def]
    """A token endpoint that echoes the whole request back into its error (the code and
    the app secret) yields an error without either."""
    step = "/oauth/access_token"
    code = "kode-rahasia-sekali-pakai-77"
    fake.add_code(code, "2784")
    fake.fail_next("echo", path=step)
    factory = factory_for(synced, threads_settings, clock)
    try:
        with pytest.raises(RefreshRefused) as refused:
            factory.auth("threads", {}).exchange(code=code, verifier="",
                                                 redirect_uri=CALLBACK)
    finally:
        factory.close()
    (echoed,) = [r for r in fake.calls(step) if r.path == step]
    sent = echoed.body.decode() + echoed.target
    assert code in sent and APP_SECRET in sent  # the request really carried them
    texts = (str(refused.value), refused.value.platform_message or "")
    assert "Invalid parameter" in texts[1]  # the platform's text is kept, masked
    for text in texts:
        for secret in (code, APP_SECRET):
            assert secret not in text, secret
