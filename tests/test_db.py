"""The database layer: SQLite pragmas, migrations as the only schema owner."""

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, select

import scheduler.models  # noqa: F401
from scheduler.db import make_engine, writer
from scheduler.errors import ConfigError, SiarError
from scheduler.migrate import head_revision, upgrade_database
from scheduler.setup import ensure_schema
from tests.conftest import BOTH_DATABASES

both_databases = pytest.mark.parametrize("database_url", BOTH_DATABASES, indirect=True)


def test_sqlite_runs_in_wal_mode_with_busy_timeout_and_foreign_keys(engine: Engine) -> None:
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 10_000
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1


@both_databases
def test_migrations_create_exactly_the_models(engine: Engine) -> None:
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    assert diff == []


@both_databases
def test_upgrade_is_repeatable(engine: Engine) -> None:
    assert upgrade_database(engine) == (head_revision(), head_revision())
    assert "post" in inspect(engine).get_table_names()


def test_a_fresh_database_is_refused_until_init(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'baru.db'}")
    with pytest.raises(SiarError, match="siar init"):
        ensure_schema(engine)
    engine.dispose()


def test_unsupported_database_url_is_refused() -> None:
    with pytest.raises(ConfigError, match="mysql"):
        make_engine("mysql://localhost/siar")


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_postgres_stores_instants_as_timestamptz_in_utc(engine: Engine) -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from scheduler.models import Region

    with engine.begin() as connection:
        kind = connection.execute(text(
            "SELECT data_type FROM information_schema.columns "
            "WHERE table_name = 'post' AND column_name = 'scheduled_at'")).scalar()
    assert kind == "timestamp with time zone"
    with Session(writer(engine)) as session:
        session.add(Region(key="r", name="R", area="A", kind="kota", province_key="r",
                           website="w", hashtag="#R", timezone="Asia/Jakarta",
                           synced_at=datetime(2024, 2, 14, 9, tzinfo=ZoneInfo("Asia/Jakarta"))))
        session.commit()
        stored = session.exec(select(Region)).one().synced_at
    assert stored.utcoffset().total_seconds() == 0  # type: ignore[union-attr]
    assert stored.hour == 2


@both_databases
def test_a_unit_of_work_is_read_only_unless_asked_to_write(engine: Engine) -> None:
    from datetime import UTC, datetime

    from sqlalchemy.exc import DBAPIError

    from scheduler.db import session_scope
    from scheduler.models import Region

    def add(key: str) -> Region:
        return Region(key=key, name="R", area="A", kind="kota", province_key=key, website="w",
                      hashtag="#R", timezone="Asia/Jakarta", synced_at=datetime.now(UTC))

    with pytest.raises(DBAPIError, match=r"(?i)read.only|readonly"), \
            session_scope(engine) as session:
        session.add(add("baca"))
    with session_scope(engine, write=True) as session:
        session.add(add("tulis"))
    with session_scope(engine) as session:  # reading after a write: still read-only
        assert [r.key for r in session.exec(select(Region))] == ["tulis"]
