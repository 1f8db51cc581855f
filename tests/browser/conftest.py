"""Browser tests: Playwright driving Debian's Chromium (/usr/bin/chromium; Playwright's own
browser download cannot work here) against the web app on a real uvicorn server over the
test database and the mini content.

One browser per test session, a new context (cookies, storage) and page per test. Every
test in this folder is marked `browser` (`pytest -m browser`, or `-m "not browser"` to
leave them out). Without Chromium or the playwright package they skip with the reason;
with SIAR_REQUIRE_BROWSER=1 (CI sets it) that skip is a failure.

Fixtures: `browser`, `server` (its `.url`), `base_url`, `context`, `page`, `watch` (the
page's dialogs, console messages and errors); `web`, `application` and `session_clock`
come from tests/web/conftest.py with its users (admin, rudi, rina, ani, budi, ops).
Helpers in tests/browser/support.py: `sign_in(page, name)`, `shoot(page, name)`.
The end-to-end tests on the real content use `prepared` and `open_tab` from
tests/browser/scenario.py (registered here).
"""

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from fastapi import FastAPI

from scheduler import users
from tests.browser.scenario import open_tab, prepared  # noqa: F401 (fixtures)
from tests.browser.support import (
    CHROMIUM,
    CHROMIUM_ARGS,
    HEIGHT,
    LiveServer,
    Watch,
    live_server,
    skip_or_fail,
)
from tests.web.conftest import application, session_clock, web  # noqa: F401 (fixtures)

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

HERE = Path(__file__).resolve().parent
_HASHES: dict[str, str] = {}


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(autouse=True)
def _hash_each_password_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test's users get the same argon2 hash of the same password, computed once per
    session (six fresh hashes would cost every test over two seconds)."""
    real = users.hash_password

    def cached(password: str) -> str:
        if password not in _HASHES:
            _HASHES[password] = real(password)
        return _HASHES[password]

    monkeypatch.setattr(users, "hash_password", cached)


@pytest.fixture(scope="session")
def browser() -> Iterator["Browser"]:
    if not CHROMIUM.exists():
        skip_or_fail(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError:
        skip_or_fail("the playwright package is not installed (pip install -e '.[dev]')")
    with sync_playwright() as playwright:
        try:
            launched = playwright.chromium.launch(executable_path=str(CHROMIUM),
                                                  args=CHROMIUM_ARGS)
        except Error as exc:
            skip_or_fail(f"Chromium did not start: {exc}")
        yield launched
        launched.close()


@pytest.fixture
def server(web: FastAPI) -> Iterator[LiveServer]:  # noqa: F811
    with live_server(web) as running:
        yield running


@pytest.fixture
def base_url(server: LiveServer) -> str:
    return server.url


@pytest.fixture
def context(browser: "Browser", server: LiveServer) -> Iterator["BrowserContext"]:
    opened = browser.new_context(base_url=server.url, viewport={"width": 1440, "height": HEIGHT},
                                 locale="id-ID", timezone_id="Asia/Jakarta")
    opened.set_default_timeout(10_000)
    yield opened
    opened.close()


@pytest.fixture
def watch() -> Watch:
    return Watch()


@pytest.fixture
def page(context: "BrowserContext", watch: Watch) -> "Page":
    opened = context.new_page()
    watch.attach(opened)
    return opened
