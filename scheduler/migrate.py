"""Create or upgrade the database schema with Alembic (never create_all at run time).

Every command checks that the database is at the newest revision before it works. That
check reads the `alembic_version` table and compares it with HEAD, kept here, so that a
command does not import Alembic (a third of a short command's start): Alembic is
imported only when a migration must run. tests/test_db.py proves HEAD equals Alembic's
own head, so the constant cannot drift from the revisions in migrations/versions/.
"""

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine

from scheduler.db import writer
from scheduler.errors import SiarError

if TYPE_CHECKING:
    from alembic.config import Config

# The newest revision in migrations/versions/ (raise it with every new revision).
HEAD = "0011"
VERSION_TABLE = "alembic_version"

_SCRIPTS = Path(__file__).parent / "migrations"


def _config() -> "Config":
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(_SCRIPTS))
    return config


def upgrade_database(engine: Engine) -> tuple[str | None, str]:
    """Upgrade to the newest revision; return (revision before, revision after)."""
    from alembic import command

    config = _config()
    before = current_revision(engine)
    with writer(engine).begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    return before, HEAD


def current_revision(engine: Engine) -> str | None:
    """The database's revision (None before `siar init`), read like Alembic reads it."""
    with engine.connect() as connection:
        if not inspect(connection).has_table(VERSION_TABLE):
            return None
        versions = connection.execute(text("SELECT version_num FROM alembic_version")) \
            .scalars().all()
    if len(versions) > 1:  # Alembic refuses this too (several heads)
        raise SiarError(f"tabel {VERSION_TABLE} memuat beberapa versi skema "
                        f"({', '.join(sorted(versions))}): periksa basis data")
    return versions[0] if versions else None


def ensure_schema(engine: Engine) -> None:
    """Refuse to work on a database that `siar init` has not prepared or upgraded."""
    current = current_revision(engine)
    if current is None:
        raise SiarError("basis data belum disiapkan: jalankan `siar init` terlebih dahulu")
    if current != HEAD:
        raise SiarError(
            f"skema basis data versi {current} sudah usang: jalankan `siar init` untuk "
            "memperbarui")


def head_revision() -> str:
    """The newest revision as Alembic finds it in migrations/versions/ (imports Alembic;
    HEAD is the cheap answer, equal to this one)."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head
