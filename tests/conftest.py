"""Shared fixtures: every test gets its own copy of the mini content and its own SQLite file."""

import atexit
import shutil
import tempfile
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from scheduler.catalog import load_catalog
from scheduler.clock import FixedClock
from scheduler.config import Settings, load_settings
from scheduler.content.model import Catalog
from scheduler.db import make_engine
from scheduler.migrate import upgrade_database
from tests.dists import source_entry_points

REPO = Path(__file__).resolve().parent.parent
MINI = Path(__file__).resolve().parent / "data" / "mini"


# The tests see the adapters pyproject.toml registers (tests/dists.py): set up on import,
# before any conftest collects the registered adapters as parameters.
_ENTRY_POINTS = Path(tempfile.mkdtemp(prefix="siar-entry-points-"))
atexit.register(shutil.rmtree, _ENTRY_POINTS, ignore_errors=True)
source_entry_points(REPO, _ENTRY_POINTS)


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    """A writable copy of tests/data/mini (content/ and templates/)."""
    target = tmp_path / "mini"
    shutil.copytree(MINI, target)
    return target


# A module runs its tests on both databases with:
#   pytestmark = pytest.mark.parametrize("database_url", BOTH_DATABASES, indirect=True)
BOTH_DATABASES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(scope="session")
def postgres_base_url() -> Iterator[str]:
    from tests.pg import postgres_server

    with postgres_server() as url:
        yield url


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of the kind asked for: an SQLite file (default), or a fresh
    database on the session's PostgreSQL server. SIAR_TEST_DATABASE=postgres runs the
    tests that do not ask on PostgreSQL too."""
    import os

    if getattr(request, "param", os.environ.get("SIAR_TEST_DATABASE", "sqlite")) == "sqlite":
        yield f"sqlite:///{tmp_path / 'siar.db'}"
        return
    import uuid

    import psycopg

    base = request.getfixturevalue("postgres_base_url")
    name = f"siar_{uuid.uuid4().hex[:12]}"
    admin = base.replace("postgresql+psycopg://", "postgresql://") + "/postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    yield f"{base}/{name}"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def settings(tmp_path: Path, mini: Path, database_url: str) -> Settings:
    return load_settings(
        env={
            "SIAR_DATABASE_URL": database_url,
            "SIAR_CONTENT_DIR": str(mini / "content"),
            "SIAR_TEMPLATES_DIR": str(mini / "templates"),
            "SIAR_OUTBOX_DIR": str(tmp_path / "outbox"),
            "SIAR_MEDIA_DIR": str(mini / "content" / "media"),
            # Accounts without credentials publish to the outbox in these tests; the
            # fail-closed default has its own tests (tests/test_safety.py).
            "SIAR_OUTBOX_FALLBACK": "1",
        },
        env_file=None,
    )


@pytest.fixture
def catalog(settings: Settings) -> Catalog:
    return load_catalog(settings.content_dir, settings.templates_dir)


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    engine = make_engine(settings.database_url)
    upgrade_database(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2023, 12, 20, 3, 0, tzinfo=UTC))


@pytest.fixture
def cli_env(settings: Settings) -> dict[str, str]:
    """Environment for running `siar` against the test database and content."""
    return {
        "SIAR_DATABASE_URL": settings.database_url,
        "SIAR_CONTENT_DIR": str(settings.content_dir),
        "SIAR_TEMPLATES_DIR": str(settings.templates_dir),
        "SIAR_OUTBOX_DIR": str(settings.outbox_dir),
        "SIAR_MEDIA_DIR": str(settings.media_dir),
        "SIAR_NOW": "2023-12-20T10:00",
        "SIAR_ALLOW_NOW": "1",
        "SIAR_OUTBOX_FALLBACK": "1",
        "SIAR_SESSION_FILE": str(settings.outbox_dir.parent / "session"),  # never ~/.config
        "COLUMNS": "200",
    }


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def siar(runner: CliRunner, cli_env: dict[str, str], tmp_path: Path):  # type: ignore[no-untyped-def]
    """Run a `siar` command in-process against the test database; returns the Result."""
    from scheduler.cli import app

    def run(*args: str, input: str | None = None, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
        return runner.invoke(app, ["--env-file", str(tmp_path / "no.env"), *args],
                             env={**cli_env, **(env or {})}, input=input)

    return run


@pytest.fixture
def synced(engine: Engine, catalog: Catalog, clock: FixedClock) -> Engine:
    """The test database with regions and accounts synced from the mini content."""
    from scheduler.accounts import sync_accounts
    from scheduler.db import session_scope

    with session_scope(engine, write=True) as session:
        sync_accounts(session, catalog=catalog, now=clock.now())
    return engine


def actor(name: str, role: str, region: str = "prov"):  # type: ignore[no-untyped-def]
    from scheduler.models import Role
    from scheduler.users import Actor

    return Actor(name, Role(role), region, province_wide=region == "prov")


WIB = ZoneInfo("Asia/Jakarta")
FIRST_SLOT = datetime(2024, 1, 1, 9, 0, tzinfo=WIB)  # the mini plan's first slot


@pytest.fixture
def approved(synced: Engine, catalog: Catalog, settings: Settings, clock: FixedClock) -> Engine:
    """The first day's batch (15 posts, 3 regions x 5 platforms) planned and approved,
    and the clock one second past their minute."""
    from scheduler.checks.post_checks import CheckSettings
    from scheduler.db import session_scope
    from scheduler.planning import PlanRequest, plan_posts
    from scheduler.review import approve
    from scheduler.users import PLANNER

    plan_posts(synced, catalog, settings.templates_dir,
               PlanRequest(date_from=date(2024, 1, 1), date_to=date(2024, 1, 1)), clock.now(),
               actor=PLANNER)
    with session_scope(synced, write=True) as session:
        approve(session, actor=actor("rudi", "reviewer", "prov"),
                target="daftar-harian@2024-01-01T09:00",
                catalog=catalog, checks=CheckSettings(), now=clock.now())
    clock.set(FIRST_SLOT + timedelta(seconds=1))
    return synced


def worker_for(engine: Engine, catalog: Catalog, settings: Settings, clock: FixedClock):  # type: ignore[no-untyped-def]
    from scheduler.publishing.factory import AdapterFactory
    from scheduler.worker import Worker

    return Worker(engine, catalog, settings, clock, AdapterFactory(settings, clock),
                  name="uji:1:1")


def posts(engine: Engine) -> list[Any]:
    from sqlmodel import Session, col, select

    from scheduler.models import Post

    with Session(engine) as session:
        return list(session.exec(select(Post).order_by(col(Post.id))))


def events(engine: Engine, post_id: int) -> list[Any]:
    from sqlmodel import Session, col, select

    from scheduler.models import PostEvent

    with Session(engine) as session:
        return list(session.exec(select(PostEvent).where(col(PostEvent.post_id) == post_id)
                                 .order_by(col(PostEvent.id))))
