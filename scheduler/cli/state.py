"""What every command shares: settings, clock, and lazily built engine and catalog."""

from functools import cached_property

from rich.console import Console
from sqlalchemy.engine import Engine

from scheduler.checks.post_checks import CheckSettings
from scheduler.clock import Clock, make_clock
from scheduler.config import Settings
from scheduler.content.catalog import load_catalog
from scheduler.content.model import Catalog
from scheduler.db import make_engine
from scheduler.rendering import PostRenderer
from scheduler.setup import ensure_schema


class AppState:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.out = Console(highlight=False, soft_wrap=False)
        self.err = Console(stderr=True, highlight=False)

    @cached_property
    def clock(self) -> Clock:
        return make_clock(self.settings.now)

    @cached_property
    def raw_engine(self) -> Engine:
        return make_engine(self.settings.database_url)

    @cached_property
    def engine(self) -> Engine:
        """The engine of a database that `siar init` has prepared."""
        ensure_schema(self.raw_engine)
        return self.raw_engine

    @cached_property
    def catalog(self) -> Catalog:
        return load_catalog(self.settings.content_dir, self.settings.templates_dir)

    @cached_property
    def checks(self) -> CheckSettings:
        return CheckSettings.of(self.settings)

    @cached_property
    def renderer(self) -> PostRenderer:
        return PostRenderer(self.settings.templates_dir, self.settings.timezone)

    def close(self) -> None:
        if "raw_engine" in self.__dict__:
            self.raw_engine.dispose()
