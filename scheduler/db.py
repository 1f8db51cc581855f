"""Engines and sessions. SQLite (WAL, busy timeout) by default,
PostgreSQL by URL. The schema is created and upgraded by Alembic migrations only."""

import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DisconnectionError
from sqlmodel import Session, create_engine

from scheduler.errors import ConfigError

SQLITE_BUSY_TIMEOUT_MS = 10_000


PG_POOL_SIZE, PG_POOL_OVERFLOW = 16, 8  # connections per process on PostgreSQL
PG_PING_AFTER = 10.0  # seconds unused after which a pooled connection is pinged before use


def make_engine(database_url: str, *, echo: bool = False) -> Engine:
    """Create an engine; SQLite gets WAL, a busy timeout and enforced foreign keys."""
    if database_url.startswith("sqlite"):
        _ensure_sqlite_folder(database_url)
        engine = create_engine(
            database_url, echo=echo,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
            # Every transaction here ends in COMMIT or ROLLBACK already; the pool's own
            # rollback on check-in would be one more round trip per transaction.
            pool_reset_on_return=None,
            # Kept open between uses: the web app serves many requests at once, and a
            # new connection costs its PRAGMAs (several times a page's own query).
            pool_size=16, max_overflow=48,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        # pysqlite's own BEGIN handling defers locks; we issue BEGIN IMMEDIATE ourselves
        # where a transaction will write, so disable the driver's implicit transactions.
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    if database_url.startswith("postgresql"):
        # A worker's publishing threads each take a connection briefly to record an
        # outcome: kept open (an overflow connection is closed on return and opened again
        # for the next, a new server process each time), and few enough that three
        # workers stay well under the server's default max_connections of 100.
        engine = create_engine(database_url, echo=echo,
                               pool_size=PG_POOL_SIZE, max_overflow=PG_POOL_OVERFLOW)
        event.listen(engine, "begin", _postgresql_begin)
        _ping_when_idle(engine)
        return engine
    raise ConfigError(
        f"SIAR_DATABASE_URL tidak didukung: {database_url.split(':', 1)[0]}:... "
        "(gunakan sqlite:///berkas.db atau postgresql+psycopg://...)")


def _ping_when_idle(engine: Engine) -> None:
    """A pooled connection unused for PG_PING_AFTER seconds is pinged before it is handed
    out, and replaced if the server has dropped it (a restart, an idle timeout).
    SQLAlchemy's pool_pre_ping pings at every checkout: a round trip for every
    transaction, in a burst where the connection was used a few milliseconds before. A
    connection that dies in between fails its transaction like any dropped connection
    (scheduler.publishing.retrying tries it again; the pool then replaces it)."""

    def checkin(_dbapi_connection: Any, record: Any) -> None:
        record.info["siar_used"] = time.monotonic()

    def checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        used = record.info.get("siar_used")  # none yet: a connection just opened
        if used is None or time.monotonic() - used < PG_PING_AFTER:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:  # the pool replaces the connection and checks out again
            raise DisconnectionError(str(exc)) from exc

    event.listen(engine, "checkin", checkin)
    event.listen(engine, "checkout", checkout)


def sqlite_file(database_url: str) -> Path | None:
    """The file of an SQLite database address; None for another database or in memory."""
    if not database_url.startswith("sqlite"):
        return None
    path = database_url.split("///", 1)[-1]
    return Path(path) if path and path != ":memory:" else None


def _ensure_sqlite_folder(database_url: str) -> None:
    path = database_url.split("///", 1)[-1]
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # we send BEGIN ourselves (see _sqlite_begin)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    # FULL: a committed claim survives a power loss (with NORMAL, WAL mode may lose the
    # last commits, and a post whose claim was lost could be sent a second time). Only
    # transactions that may lose their last commit say otherwise (see write_connection).
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    # A writing transaction takes the write lock at BEGIN (IMMEDIATE), so two writers
    # wait for each other through busy_timeout instead of one failing with "database is
    # locked" when it upgrades a read lock. Readers stay DEFERRED and never block.
    options = connection.get_execution_options()
    write = options.get("siar_write", False)
    # Straight to the driver: this runs for every transaction the worker makes.
    driver = connection.connection.driver_connection
    sync = "FULL" if options.get("siar_durable", True) else "NORMAL"
    info = connection.connection.info  # lives as long as the driver's connection
    if info.get("siar_sync", "FULL") != sync:
        driver.execute(f"PRAGMA synchronous={sync}")
        info["siar_sync"] = sync
    # A unit of work is read-only unless it asked to write: a write in it fails at once
    # instead of quietly taking the write lock.
    if info.get("siar_query_only", False) == write:
        driver.execute(f"PRAGMA query_only={0 if write else 1}")
        info["siar_query_only"] = not write
    driver.execute("BEGIN IMMEDIATE" if write else "BEGIN")


def _postgresql_begin(connection: Any) -> None:
    options = connection.get_execution_options()
    if not options.get("siar_write", False):
        connection.exec_driver_sql("SET TRANSACTION READ ONLY")
    elif not options.get("siar_durable", True):
        # As SQLite's synchronous=NORMAL: the commit returns before its WAL record is on
        # disk; a server crash may lose the last such commits, never corrupts (a planning
        # batch is planned again, an outcome looked up: see write_connection).
        connection.exec_driver_sql("SET LOCAL synchronous_commit TO OFF")


@lru_cache(maxsize=64)
def writer(engine: Engine, durable: bool = True) -> Engine:
    """The same engine, for transactions that will write (made once per engine: the
    worker asks for it for every post). A transaction that is not `durable` may be lost
    with its last commits in a power loss (SQLite synchronous=NORMAL) but never corrupts."""
    if durable:
        return engine.execution_options(siar_write=True)
    return engine.execution_options(siar_write=True, siar_durable=False)


_WRITE_LOCKS: dict[str, threading.RLock] = {}
_WRITE_LOCKS_GUARD = threading.Lock()


def _write_lock(engine: Engine) -> AbstractContextManager[object]:
    """SQLite lets one writer in at a time, and a waiting connection polls with sleeps
    (busy_timeout). Threads of one process queue on a lock instead, which is fair and
    wakes immediately; other processes still meet at SQLite's own lock."""
    if engine.dialect.name != "sqlite":
        return nullcontext()
    key = str(engine.url)
    with _WRITE_LOCKS_GUARD:
        return _WRITE_LOCKS.setdefault(key, threading.RLock())


@contextmanager
def write_connection(engine: Engine, *, durable: bool = True) -> Iterator[Connection]:
    """A Core connection in one writing transaction: the worker's hot path, where ORM
    sessions would cost more than the statements themselves. `durable=False` for a commit
    whose loss in a power cut is harmless (a later durable commit makes it durable too;
    until then, recovery treats the post as claimed and looks it up)."""
    with _write_lock(engine), writer(engine, durable).begin() as connection:
        yield connection


@contextmanager
def session_scope(engine: Engine, *, write: bool = False,
                  durable: bool = True) -> Iterator[Session]:
    """One unit of work, read-only unless `write=True` (a write in a read-only one
    fails); committed on success, rolled back on any error. `durable=False` as for
    write_connection: for work that is simply done again if a power cut loses it."""
    with _write_lock(engine) if write else nullcontext(), \
            _session(engine, write, durable) as session:
        yield session


@contextmanager
def _session(engine: Engine, write: bool, durable: bool) -> Iterator[Session]:
    bind = writer(engine, durable) if write else engine
    with Session(bind, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
