"""The database layer: SQLite pragmas, migrations as the only schema owner."""

import subprocess
import sys
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
from scheduler.migrate import HEAD, current_revision, ensure_schema, head_revision, upgrade_database
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


def test_the_head_kept_in_code_is_alembics_head() -> None:
    """Commands compare the database with HEAD instead of asking Alembic: a new revision
    without raising HEAD fails here."""
    assert head_revision() == HEAD


@both_databases
def test_the_cheap_revision_reading_agrees_with_alembic(engine: Engine) -> None:
    with engine.connect() as connection:
        assert current_revision(engine) == \
            MigrationContext.configure(connection).get_current_revision() == HEAD
    ensure_schema(engine)


def test_an_older_schema_is_refused_until_init(engine: Engine) -> None:
    with writer(engine).begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0010'"))
    with pytest.raises(SiarError, match="0010 sudah usang"):
        ensure_schema(engine)
    with writer(engine).begin() as connection:
        connection.execute(text("DELETE FROM alembic_version"))
    with pytest.raises(SiarError, match="belum disiapkan"):
        ensure_schema(engine)


def test_a_short_command_does_not_import_alembic(tmp_path: Path) -> None:
    """Checking the schema before a command needs no Alembic (Alembic and its templates
    are a third of a short command's start)."""
    url = f"sqlite:///{tmp_path / 'siar.db'}"
    prepared = make_engine(url)
    upgrade_database(prepared)
    prepared.dispose()
    code = ("import sys\nfrom scheduler.db import make_engine\n"
            "from scheduler.migrate import ensure_schema\n"
            f"ensure_schema(make_engine({url!r}))\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in {'alembic', 'mako'}))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, cwd=Path(__file__).parent.parent)
    assert done.stdout.strip() == "[]"


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


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_a_commit_that_may_be_lost_does_not_wait_for_the_disk_on_postgres(
        engine: Engine) -> None:
    from scheduler.db import session_scope, write_connection

    def setting(connection: object) -> str:
        return str(connection.exec_driver_sql(  # type: ignore[attr-defined]
            "SHOW synchronous_commit").scalar())

    with write_connection(engine, durable=False) as connection:
        assert setting(connection) == "off"  # as SQLite's synchronous=NORMAL
    with write_connection(engine) as connection:  # a claim: on disk before it returns
        assert setting(connection) == "on"
    with session_scope(engine, write=True, durable=False) as session:
        assert setting(session.connection()) == "off"
    with session_scope(engine) as session:
        assert setting(session.connection()) == "on"
