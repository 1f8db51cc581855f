"""Tokens renewed before they expire, against a fake X authorisation server over real
HTTP: an X account connected through the consent page stays published to for a week of
two-hour tokens; two workers renewing one rotating token; a refusal pauses the account;
transient failures are retried."""

import dataclasses
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from scheduler.account_tokens import connect
from scheduler.checks.post_checks import CheckSettings
from scheduler.clock import FixedClock
from scheduler.config import OAuthApp, Settings
from scheduler.content.model import Catalog
from scheduler.db import session_scope
from scheduler.models import Account, AccountToken, Post
from scheduler.planning import PlanRequest, plan_posts
from scheduler.publishing.factory import AdapterFactory
from scheduler.publishing.stored import StoredCredentials
from scheduler.review import approve
from scheduler.secretbox import SecretBox
from scheduler.token_refresh import TokenRefresher, renewal_due
from scheduler.users import PLANNER
from scheduler.worker import Worker
from tests.conftest import BOTH_DATABASES, FIRST_SLOT, WIB, actor
from tests.fakes.x_auth import FakeXOAuth

KEY = "s" * 40
CLIENT_ID, CLIENT_SECRET = "siar-client-id", "PLANTED-CLIENT-SECRET-9q8w7e"
PUBLIC = "https://siar.kpu-uji.example"
CALLBACK = f"{PUBLIC}/akun/sambung/x/kembali"
ADMIN = actor("admin.prov", "admin")
both = pytest.mark.parametrize("database_url", BOTH_DATABASES, indirect=True)


@pytest.fixture
def fake(clock: FixedClock) -> Iterator[FakeXOAuth]:
    with FakeXOAuth(client_id=CLIENT_ID, client_secret=CLIENT_SECRET,
                    redirect_uris={CALLBACK}, clock=clock) as server:
        yield server


@pytest.fixture
def x_settings(settings: Settings, fake: FakeXOAuth) -> Settings:
    return dataclasses.replace(
        settings, secret_key=KEY, public_url=PUBLIC,
        api_urls={**settings.api_urls, "x": fake.url},
        oauth_apps={"x": OAuthApp(CLIENT_ID, CLIENT_SECRET, f"{fake.url}/i/oauth2/authorize")})


def factory_for(engine: Engine, settings: Settings, clock: FixedClock) -> AdapterFactory:
    return AdapterFactory(settings, clock, stored=StoredCredentials(engine, settings))


def connect_x(engine: Engine, settings: Settings, clock: FixedClock,
              key: str = "kab-a/x") -> None:
    """What an admin does once: consent on X's page (a real HTTP request to the fake,
    which redirects back with the code), then the code is exchanged and stored."""
    factory = factory_for(engine, settings, clock)
    auth = factory.auth("x", {})
    from scheduler.adapters.base import pkce_pair

    verifier, challenge = pkce_pair()
    page = requests.get(auth.authorize_url(redirect_uri=CALLBACK, state="st", challenge=challenge),
                        allow_redirects=False, timeout=5)
    assert page.status_code == 302
    back = parse_qs(urlsplit(page.headers["Location"]).query)
    assert back["state"] == ["st"]
    grant = auth.exchange(code=back["code"][0], verifier=verifier, redirect_uri=CALLBACK)
    factory.close()
    with session_scope(engine, write=True) as session:
        connect(session, actor=ADMIN, account_key=key, values=grant.values,
                box=SecretBox(KEY), now=clock.now(), expires_at=grant.expires_at)


def approve_days(engine: Engine, catalog: Catalog, settings: Settings, clock: FixedClock,
                 first: date, days: int) -> None:
    plan_posts(engine, catalog, settings.templates_dir,
               PlanRequest(date_from=first, date_to=first + timedelta(days=days - 1)),
               clock.now(), actor=PLANNER)
    with session_scope(engine, write=True) as session:
        for day in range(days):
            approve(session, actor=actor("rudi", "reviewer", "prov"),
                    target=f"daftar-harian@{first + timedelta(days=day)}T09:00",
                    catalog=catalog, checks=CheckSettings(), now=clock.now())


def x_posts(engine: Engine, region: str = "kab-a") -> list[Post]:
    with Session(engine) as session:
        return list(session.exec(select(Post).join(Account).where(
            col(Account.region_key) == region, col(Account.platform) == "x")
            .order_by(col(Post.scheduled_at))))


def account(engine: Engine, key: str = "kab-a/x") -> Account:
    region, platform = key.split("/")
    with Session(engine) as session:
        return session.exec(select(Account).where(col(Account.region_key) == region,
                                                  col(Account.platform) == platform)).one()


def test_the_refresh_rule() -> None:
    start = FIRST_SLOT
    two_hours = start + timedelta(hours=2)
    assert not renewal_due(two_hours, start, start + timedelta(minutes=89))
    assert renewal_due(two_hours, start, start + timedelta(minutes=90))  # a quarter left
    short = start + timedelta(minutes=20)  # a 20-minute token: at least 10 minutes ahead
    assert renewal_due(short, start, start + timedelta(minutes=10))
    sixty_days = start + timedelta(days=60)
    assert renewal_due(sixty_days, start, start + timedelta(days=45))
    young = start + timedelta(hours=20)  # Threads: not before the token is 24 hours old
    assert not renewal_due(young, start, start + timedelta(hours=16), timedelta(hours=24))


def test_an_x_account_stays_published_to_for_a_week_with_no_person_acting(
        synced, catalog, x_settings, clock, fake) -> None:
    clock.set(FIRST_SLOT - timedelta(hours=9))  # midnight WIB, 1 January
    connect_x(synced, x_settings, clock)
    approve_days(synced, catalog, x_settings, clock, date(2024, 1, 1), 7)
    end = clock.now() + timedelta(days=7)
    while clock.now() < end:  # `siar run --once` every ten minutes, as from cron
        Worker(synced, catalog, x_settings, clock, factory_for(synced, x_settings, clock),
               name="uji:1:1").run_once()
        clock.advance(timedelta(minutes=10))
    published = [p for p in fake.published if p["user_id"]]
    assert [p.status for p in x_posts(synced)] == ["published"] * 7
    assert len(published) == 7  # one a day, each with the token of its hour
    assert account(synced).paused_at is None
    # Renewed 30 minutes before each two-hour expiry: every 90 minutes for 7 days.
    assert 7 * 24 / 1.5 - 2 <= fake.refreshes <= 7 * 24 / 1.5 + 1
    assert fake.live_refresh_tokens() == 1  # each one used once, only the newest alive
    with Session(synced) as session:
        row = session.exec(select(AccountToken)).one()
        assert row.expires_at is not None and row.expires_at > clock.now()
        assert "secret" not in row.sealed  # the fake's tokens end in "-secret"


@both
def test_of_two_workers_renewing_one_token_one_wins_and_the_other_uses_its_token(
        synced, catalog, x_settings, clock, fake) -> None:
    clock.set(FIRST_SLOT - timedelta(hours=2))
    connect_x(synced, x_settings, clock)
    approve_days(synced, catalog, x_settings, clock, date(2024, 1, 1), 1)
    clock.advance(timedelta(minutes=95))  # the token is due for renewal
    first = TokenRefresher(synced, factory_for(synced, x_settings, clock), clock)
    second_factory = factory_for(synced, x_settings, clock)
    second = TokenRefresher(synced, second_factory, clock)
    seen = second.due()  # the second worker reads the token...
    assert [c.key for c in seen] == ["kab-a/x"]
    assert first.run().refreshed == ["kab-a/x"]  # ...the first renews it meanwhile...
    from scheduler.publishing.stored import secret_box

    report = second.run()  # (nothing due any more: the renewal moved the expiry)
    assert report.refreshed == [] and report.paused == []
    box = secret_box(x_settings)
    assert box is not None
    second.refresh_one(seen[0], box, report)  # ...then uses the refresh token X rotated
    assert report.adopted == ["kab-a/x"] and report.paused == []
    assert fake.refreshes == 1 and account(synced).paused_at is None
    clock.set(FIRST_SLOT + timedelta(seconds=1))  # the second worker publishes
    Worker(synced, catalog, x_settings, clock, second_factory, name="uji:2:1").run_once()
    assert [p.status for p in x_posts(synced)] == ["published"]


@both
def test_a_refused_renewal_pauses_the_account_with_its_reason(
        synced, catalog, x_settings, clock, fake) -> None:
    clock.set(FIRST_SLOT - timedelta(hours=2))
    connect_x(synced, x_settings, clock)
    fake.revoke_all()  # the office withdrew Siar's access in its X settings
    clock.advance(timedelta(minutes=95))
    report = TokenRefresher(synced, factory_for(synced, x_settings, clock), clock).run()
    assert report.paused == ["kab-a/x"]
    paused = account(synced)
    assert paused.paused_at == clock.now()
    reason = paused.paused_reason or ""
    assert "kab-a/x" in reason and "hubungkan ulang" in reason and "invalid_request" in reason
    assert CLIENT_SECRET not in reason and "secret" not in reason.replace("CLIENT", "")
    # A paused account is not renewed again every minute.
    assert TokenRefresher(synced, factory_for(synced, x_settings, clock), clock).due() == []


def test_transient_failures_are_retried_then_left_for_the_next_round(
        synced, x_settings, clock, fake) -> None:
    clock.set(FIRST_SLOT - timedelta(hours=2))
    connect_x(synced, x_settings, clock)
    clock.advance(timedelta(minutes=95))
    waits: list[float] = []
    refresher = TokenRefresher(synced, factory_for(synced, x_settings, clock), clock,
                               sleep=waits.append)
    fake.fail_next("server_error", path="/2/oauth2/token", times=1)
    assert refresher.run().refreshed == ["kab-a/x"]
    assert waits == [2.0]
    fake.fail_next("server_error", path="/2/oauth2/token", times=3)
    clock.advance(timedelta(minutes=95))
    report = refresher.run()
    assert report.postponed == ["kab-a/x"] and report.paused == []
    assert account(synced).paused_at is None
    assert refresher.run().refreshed == ["kab-a/x"]  # the next round


def test_tokens_that_need_a_person_are_warned_of_seven_days_ahead(
        synced, x_settings, clock, fake, siar) -> None:
    from scheduler.adapters.registry import load_adapters
    from scheduler.token_warnings import token_warnings

    clock.set(datetime(2023, 12, 20, 10, 0, tzinfo=WIB))  # the `siar` fixture's SIAR_NOW
    connect_x(synced, x_settings, clock)
    with session_scope(synced, write=True) as session:
        for key, days in (("kab-a/telegram", 5), ("kota-b/telegram", 9)):
            connect(session, actor=ADMIN, account_key=key,
                    values={"bot_token": "1:planted-bot", "chat_id": "@c"}, box=SecretBox(KEY),
                    now=clock.now(), expires_at=clock.now() + timedelta(days=days))

    def warned(now: datetime) -> list[tuple[str, bool]]:
        with Session(synced) as session:
            return [(w.account, w.renewable) for w in token_warnings(
                session, actor=ADMIN, now=now, adapters=load_adapters())]

    # A Telegram token that ends in 5 days warns; the X token, renewed by Siar, does not
    # (unless its renewal is overdue: 15 minutes before it expires).
    assert warned(clock.now()) == [("kab-a/telegram", False)]
    assert warned(clock.now() + timedelta(minutes=106)) == [
        ("kab-a/x", True), ("kab-a/telegram", False)]
    status = siar("status")
    assert status.exit_code == 0, status.output
    assert "Token akun perlu perhatian (7 hari): 1" in status.output
    assert "kab-a/telegram akan berakhir" in status.output
    assert "hubungkan ulang akun" in status.output and "planted" not in status.output


def test_siar_account_disconnect_revokes_at_x(synced, x_settings, clock, fake, siar) -> None:
    from scheduler.users import add_user

    connect_x(synced, x_settings, clock)
    with session_scope(synced, write=True) as session:
        add_user(session, name="admin.a", role="admin", region="kab-a",
                 password="sandi-admin-2024", now=clock.now())
    env = {"SIAR_SECRET_KEY": KEY, "SIAR_X_API_URL": fake.url, "SIAR_X_CLIENT_ID": CLIENT_ID,
           "SIAR_X_CLIENT_SECRET": CLIENT_SECRET}
    result = siar("account", "disconnect", "kab-a/x", "--as", "admin.a", "--password-stdin",
                  input="sandi-admin-2024\n", env=env)
    assert result.exit_code == 0, result.output
    assert "Kredensial tersimpan akun kab-a/x dihapus." in result.output
    assert len(fake.calls("/2/oauth2/revoke")) == 2 and fake.live_refresh_tokens() == 0
    with Session(synced) as session:
        assert session.exec(select(AccountToken)).first() is None
