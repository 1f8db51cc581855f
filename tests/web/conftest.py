"""Fixtures for the web app: the application over the test database and mini content,
signed-in clients for each role, and a session clock the tests move."""

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from scheduler.app import Application, create_app
from scheduler.clock import FixedClock
from scheduler.config import Settings
from scheduler.db import session_scope
from scheduler.users import add_user
from scheduler.web.server import create_web_app

PASSWORD = "rahasia-uji-123"
# name -> (role, region): the mini content has province "prov" and regencies "kab-a",
# "kab-b", "kota-c".
USERS = {
    "admin": ("admin", "prov"),
    "rudi": ("reviewer", "prov"),
    "rina": ("reviewer", "kab-a"),
    "ani": ("author", "prov"),
    "budi": ("author", "kab-a"),
    "ops": ("operator", "prov"),
}


class SessionClock:
    """The real-time clock of sessions and sign-in delays, moved by tests."""

    def __init__(self) -> None:
        self.at = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.at

    def advance(self, **kwargs: float) -> None:
        self.at += timedelta(**kwargs)


@pytest.fixture
def session_clock() -> SessionClock:
    return SessionClock()


@pytest.fixture
def application(settings: Settings, synced: Engine, clock: FixedClock) -> Iterator[Application]:
    app = create_app(settings, clock=clock)
    with session_scope(synced, write=True) as session:
        for name, (role, region) in USERS.items():
            add_user(session, name=name, role=role, region=region, password=PASSWORD,
                     now=clock.now())
    yield app
    app.close()


@pytest.fixture
def web(application: Application, session_clock: SessionClock) -> FastAPI:
    return create_web_app(application, session_clock=session_clock)


@pytest.fixture
def client(web: FastAPI) -> Iterator[TestClient]:
    with TestClient(web, follow_redirects=False) as test_client:
        yield test_client


CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "no CSRF field in the page"
    return found.group(1)


def sign_in(client: TestClient, name: str, password: str = PASSWORD) -> TestClient:
    page = client.get("/masuk")
    answer = client.post("/masuk", data={"name": name, "password": password,
                                         "csrf": csrf_of(page.text), "lanjut": "/"})
    assert answer.status_code == 303, answer.text
    return client


@pytest.fixture
def signed_in(web: FastAPI):  # type: ignore[no-untyped-def]
    """signed_in("rudi") -> a TestClient signed in as rudi (its own cookie jar)."""
    clients: list[TestClient] = []

    def make(name: str) -> TestClient:
        test_client = TestClient(web, follow_redirects=False)
        test_client.__enter__()
        clients.append(test_client)
        return sign_in(test_client, name)

    yield make
    for test_client in clients:
        test_client.__exit__(None, None, None)


def page_csrf(client: TestClient, path: str) -> str:
    """The CSRF token of the signed-in session, read from a page."""
    return csrf_of(client.get(path).text)
