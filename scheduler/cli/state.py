"""What every command shares: the application (scheduler.app) and the consoles."""

from typing import TYPE_CHECKING

from rich.console import Console
from sqlalchemy.engine import Engine

from scheduler.app import Application, create_app
from scheduler.clock import Clock
from scheduler.config import Settings

if TYPE_CHECKING:  # imported by the commands that use them (scheduler/app.py)
    from scheduler.checks.post_checks import CheckSettings
    from scheduler.content.model import Catalog
    from scheduler.rendering import PostRenderer


class AppState:
    def __init__(self, settings: Settings) -> None:
        self.app: Application = create_app(settings)
        self.settings = settings
        self.out = Console(highlight=False, soft_wrap=False)
        self.err = Console(stderr=True, highlight=False)

    @property
    def clock(self) -> Clock:
        return self.app.clock

    @property
    def raw_engine(self) -> Engine:
        return self.app.raw_engine

    @property
    def engine(self) -> Engine:
        """The engine of a database that `siar init` has prepared."""
        return self.app.engine

    @property
    def catalog(self) -> "Catalog":
        return self.app.catalog

    @property
    def checks(self) -> "CheckSettings":
        return self.app.checks

    @property
    def renderer(self) -> "PostRenderer":
        return self.app.renderer

    def close(self) -> None:
        self.app.close()
