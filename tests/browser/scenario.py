"""Real-world fixtures for the end-to-end browser tests: the repository's own content/ and
templates/ (KPU Provinsi Jawa Timur and its 38 KPU Kabupaten/Kota) on a fresh SQLite
file, prepared once per test session and copied for each test (the web app writes its
sessions, the tests write decisions), served by the web app on a live uvicorn server.

Two prepared databases (`prepared.get(name)`, the fixture `prepared`):

- "one-batch": a single slot, `pemilu-cek-dpt-berkala@2024-02-05T09:00`, planned on X only:
  39 pending posts (the province and its 38 regencies);
- "busy": four days of Pemilu 2024 around voting day (12-15 February 2024) on all five
  platforms, the first two days approved and published by the worker at each slot's
  minute, one post failed and one uncertain, the last two days waiting for review.

People (all province-wide, one password): `peninjau` (reviewer), `operator`, `penulis`
(author), `admin`.
"""

import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Protocol
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from scheduler import users
from scheduler.app import Application, create_app
from scheduler.catalog import load_catalog
from scheduler.checks.post_checks import CheckSettings
from scheduler.clock import FixedClock
from scheduler.config import Settings, load_settings
from scheduler.content.model import Catalog
from scheduler.db import make_engine, session_scope
from scheduler.events import record
from scheduler.models import Post, PostStatus
from scheduler.planning import PlanRequest, plan_posts
from scheduler.publishing.factory import AdapterFactory
from scheduler.review import approve
from scheduler.setup import initialize
from scheduler.users import PLANNER, Actor, add_user, authenticate
from scheduler.web.server import create_web_app
from scheduler.worker import Worker
from tests.browser.support import HEIGHT, REPO, Watch, live_server

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

WIB = ZoneInfo("Asia/Jakarta")
PASSWORD = "sandi-uji-e2e-2024"  # a throwaway test database's people
PEOPLE = {"peninjau": "reviewer", "operator": "operator", "penulis": "author",
          "admin": "admin"}
PLANNED_AT = datetime(2024, 1, 15, 8, 0, tzinfo=WIB)  # when the planner ran

# one-batch: one rule's one slot on X.
RULE = "pemilu-cek-dpt-berkala"
SLOT = datetime(2024, 2, 5, 9, 0, tzinfo=WIB)
BATCH = f"{RULE}@2024-02-05T09:00"
BEFORE_SLOT = datetime(2024, 2, 4, 20, 0, tzinfo=WIB)  # the reviewer decides the evening before

# busy: four days around voting day, the first two published.
BUSY_DAYS = (date(2024, 2, 12), date(2024, 2, 15))
PUBLISHED_UNTIL = date(2024, 2, 13)  # batches up to this day are approved and published
BUSY_NOW = datetime(2024, 2, 13, 21, 0, tzinfo=WIB)  # the web app's time on busy
FAILED_ERROR = "X menjawab 503: layanan tidak tersedia (5 kali dicoba)"
UNCERTAIN_ERROR = "koneksi terputus setelah permintaan terkirim: belum pasti terbit"
WORKER = "siar-uji:1:1"


def settings_for(folder: Path, database: Path) -> Settings:
    """The real content and templates, this database, an outbox and a media folder in
    `folder` (the composer stores uploads in the media folder: never the repository's)."""
    media = folder / "media"
    if not media.exists():
        shutil.copytree(REPO / "content" / "media", media)
    return load_settings(env={
        "SIAR_DATABASE_URL": f"sqlite:///{database}",
        "SIAR_CONTENT_DIR": str(REPO / "content"),
        "SIAR_TEMPLATES_DIR": str(REPO / "templates"),
        "SIAR_OUTBOX_DIR": str(folder / "outbox"),
        "SIAR_MEDIA_DIR": str(media),
        "SIAR_OUTBOX_FALLBACK": "1",
    }, env_file=None)


def real_catalog() -> Catalog:
    return load_catalog(REPO / "content", REPO / "templates")


def _fresh(path: Path, catalog: Catalog) -> Engine:
    """What `siar init` does, on a new SQLite file, with the people added."""
    engine = make_engine(f"sqlite:///{path}")
    initialize(engine, catalog, PLANNED_AT)
    hashed = users.hash_password(PASSWORD)  # one argon2 hash for everyone: fast
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(users, "hash_password", lambda _password: hashed)
        with session_scope(engine, write=True) as session:
            for name, role in PEOPLE.items():
                add_user(session, name=name, role=role, region="province",
                         password=PASSWORD, now=PLANNED_AT)
    return engine


def actor_of(engine: Engine, name: str) -> Actor:
    with session_scope(engine, write=False) as session:
        return authenticate(session, name, PASSWORD)


def prepare_one_batch(path: Path) -> None:
    catalog = real_catalog()
    engine = _fresh(path, catalog)
    # Unspread (the shipped plan spreads it over 15 minutes): one `run --once` a minute
    # after the slot publishes the whole batch.
    one_rule = replace(catalog, rules=tuple(replace(r, spread=0) for r in catalog.rules
                                            if r.key == RULE))
    plan_posts(engine, one_rule, REPO / "templates",
               PlanRequest(date_from=SLOT.date(), date_to=SLOT.date(), platforms=("x",)),
               PLANNED_AT, actor=PLANNER)
    engine.dispose()


def prepare_busy(path: Path, folder: Path) -> None:
    """Plan four days; approve and publish the first two slot by slot as the worker does
    at each minute; then one post failed and one uncertain."""
    catalog = real_catalog()
    engine = _fresh(path, catalog)
    first, last = BUSY_DAYS
    plan_posts(engine, catalog, REPO / "templates", PlanRequest(date_from=first, date_to=last),
               PLANNED_AT, actor=PLANNER)
    reviewer = actor_of(engine, "peninjau")
    with session_scope(engine, write=True) as session:
        batches = session.exec(select(Post.batch, Post.scheduled_at).distinct()).all()
        early = sorted({b for b, at in batches if b and at.astimezone(WIB).date()
                        <= PUBLISHED_UNTIL})
        for batch in early:
            approve(session, actor=reviewer, target=batch, catalog=catalog, checks=CheckSettings(),
                    now=PLANNED_AT, note="tinjauan mingguan")
    settings = settings_for(folder, path)
    with session_scope(engine, write=False) as session:
        slots = sorted(set(session.exec(select(Post.scheduled_at).where(
            col(Post.status) == PostStatus.APPROVED)).all()))
    clock = FixedClock(slots[0])
    for slot in slots:  # `siar run --once` at each slot's minute: one worker each time
        clock.set(slot + timedelta(seconds=30))
        Worker(engine, catalog, settings, clock, AdapterFactory(settings, clock),
               name=WORKER).run_once()
    clock.set(BUSY_NOW - timedelta(minutes=1))
    worker = Worker(engine, catalog, settings, clock, AdapterFactory(settings, clock),
                    name=WORKER)
    worker.heartbeat()
    worker.dispatcher.shutdown()
    _trouble(engine, clock.now())
    engine.dispose()


def _trouble(engine: Engine, now: datetime) -> None:
    """The last X post of the published days failed, the last Telegram post uncertain."""
    with session_scope(engine, write=True) as session:
        for platform, status, error in (("x", PostStatus.FAILED, FAILED_ERROR),
                                        ("telegram", PostStatus.UNCERTAIN, UNCERTAIN_ERROR)):
            post = session.exec(select(Post).where(
                col(Post.platform) == platform, col(Post.status) == PostStatus.PUBLISHED)
                .order_by(col(Post.scheduled_at).desc(), col(Post.id).desc())).first()
            assert post is not None
            post.platform_url = post.published_at = post.published_via = None
            post.last_error, post.attempts, post.attempt_via = error, 5, platform
            record(session, post, kind=str(status), actor=WORKER, now=now,
                   to_status=status, note=error)


@dataclass
class Prepared:
    """Prepared database files of this test session, made when first asked for."""

    folder: Path
    made: dict[str, Path] = field(default_factory=dict)

    def get(self, name: str) -> Path:
        if name not in self.made:
            folder = self.folder / name
            folder.mkdir(parents=True)
            path = folder / "siar.db"
            if name == "one-batch":
                prepare_one_batch(path)
            elif name == "busy":
                prepare_busy(path, folder)
            else:
                raise KeyError(f"no prepared database called {name!r}")
            _settle(path)
            self.made[name] = path
        return self.made[name]


def _settle(path: Path) -> None:
    """Everything in the main file (nothing left in a -wal file), ready to be copied."""
    connection = sqlite3.connect(path)
    try:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()


@pytest.fixture(scope="session")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Prepared:
    return Prepared(tmp_path_factory.mktemp("prepared"))


@dataclass
class Site:
    """The web app on a copy of a prepared database, on a live server."""

    url: str
    app: Application
    clock: FixedClock
    folder: Path

    @property
    def settings(self) -> Settings:
        return self.app.settings

    @property
    def engine(self) -> Engine:
        return self.app.engine

    def posts(self, sql: str = "1 = 1", **params: object) -> list[Post]:
        with Session(self.engine) as session:
            ids = [i for (i,) in session.connection().execute(
                text(f"SELECT id FROM post WHERE {sql} ORDER BY id"), params)]  # noqa: S608
            return list(session.exec(select(Post).where(col(Post.id).in_(ids))
                                     .order_by(col(Post.id))))


@contextmanager
def site(source: Path, folder: Path, now: datetime) -> Iterator[Site]:
    """A copy of `source` in `folder`, the web app on it at the application time `now`."""
    database = folder / "siar.db"
    shutil.copyfile(source, database)
    outbox = source.parent / "outbox"
    if outbox.exists():
        shutil.copytree(outbox, folder / "outbox")
    clock = FixedClock(now)
    app = create_app(settings_for(folder, database), clock=clock)
    try:
        with live_server(create_web_app(app)) as server:
            yield Site(server.url, app, clock, folder)
    finally:
        app.close()


@dataclass
class Tab:
    context: "BrowserContext"
    page: "Page"
    watch: Watch


class Opener(Protocol):
    def __call__(self, url: str, *, js: bool = True, width: int = 1440) -> Tab: ...


@pytest.fixture
def open_tab(browser: "Browser") -> Iterator[Opener]:
    """open_tab(url, js=True, width=1440) -> a page in a new browser context (its own
    cookies) on that site, watched; closed after the test."""
    contexts: list[BrowserContext] = []

    def make(url: str, *, js: bool = True, width: int = 1440) -> Tab:
        context = browser.new_context(base_url=url, viewport={"width": width, "height": HEIGHT},
                                      locale="id-ID", timezone_id="Asia/Jakarta",
                                      java_script_enabled=js)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        watch = Watch()
        watch.attach(page)
        return Tab(context, page, watch)

    yield make
    for context in contexts:
        context.close()
