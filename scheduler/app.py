"""The application: everything a face (the command line, the worker, the web app) needs,
built in one place from the settings, each part only when first used (no work at import
time or at construction).

    app = create_app(load_settings())
    with app.unit_of_work() as session:              # read-only
        ...
    with app.unit_of_work(write=True) as session:    # one writing transaction
        ...
"""

import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from typing import TYPE_CHECKING

from sqlalchemy.engine import Engine
from sqlmodel import Session

from scheduler.clock import Clock, make_clock
from scheduler.config import Settings
from scheduler.db import make_engine, session_scope, sqlite_file
from scheduler.errors import SiarError
from scheduler.migrate import ensure_schema

# The parts below are imported where first used: a short command that needs no catalog,
# checks, templates or platforms does not pay for importing them.
if TYPE_CHECKING:
    from scheduler.checks.post_checks import CheckSettings
    from scheduler.content.model import Catalog
    from scheduler.publishing.factory import AdapterFactory
    from scheduler.rendering import PostRenderer

# A long-lived application (the web app, the worker) looks at the content files at most
# this often (seconds) to see whether the catalog must be read again.
CATALOG_RECHECK = 1.0


class Application:
    def __init__(self, settings: Settings, *, clock: Clock | None = None) -> None:
        self.settings = settings
        self._clock = clock
        self._catalog: Catalog | None = None
        self._catalog_checked = 0.0

    @cached_property
    def clock(self) -> Clock:
        return self._clock or make_clock(self.settings.now)

    @cached_property
    def raw_engine(self) -> Engine:
        """The database's engine, whether or not `siar init` has prepared it."""
        return make_engine(self.settings.database_url)

    @cached_property
    def engine(self) -> Engine:
        """The engine of a database that `siar init` has prepared (refused otherwise). A
        missing SQLite file is refused before connecting, which would create it empty."""
        missing = sqlite_file(self.settings.database_url)
        if missing is not None and not missing.exists():
            raise SiarError(f"basis data belum disiapkan: {missing} tidak ada; jalankan "
                            "`siar init` terlebih dahulu (atau arahkan SIAR_DATABASE_URL ke "
                            "basis data yang sudah ada)")
        ensure_schema(self.raw_engine)
        return self.raw_engine

    @property
    def catalog(self) -> "Catalog":
        """The content, shared with every application of this process on the same folders
        (scheduler/catalog_cache.py); read again when a file changed."""
        from scheduler.catalog_cache import cached_catalog

        now = time.monotonic()
        if self._catalog is None or now - self._catalog_checked >= CATALOG_RECHECK:
            self._catalog = cached_catalog(self.settings.content_dir,
                                           self.settings.templates_dir)
            self._catalog_checked = now
        return self._catalog

    @cached_property
    def checks(self) -> "CheckSettings":
        from scheduler.checks.post_checks import CheckSettings

        return CheckSettings.of(self.settings)

    @cached_property
    def renderer(self) -> "PostRenderer":
        from scheduler.rendering import PostRenderer

        return PostRenderer(self.settings.templates_dir, self.settings.timezone)

    def adapters(self) -> "AdapterFactory":
        """A new adapter factory (it owns HTTP sessions: close it when done), reading
        connected accounts' stored credentials from the database."""
        from scheduler.publishing.factory import AdapterFactory
        from scheduler.publishing.stored import StoredCredentials

        return AdapterFactory(self.settings, self.clock, stored=StoredCredentials(
            self.engine, self.settings))

    @contextmanager
    def unit_of_work(self, *, write: bool = False) -> Iterator[Session]:
        """One transaction on the prepared database, read-only unless `write=True`."""
        with session_scope(self.engine, write=write) as session:
            yield session

    def close(self) -> None:
        if "raw_engine" in self.__dict__:
            self.raw_engine.dispose()


def create_app(settings: Settings, *, clock: Clock | None = None) -> Application:
    return Application(settings, clock=clock)
