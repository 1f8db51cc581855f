"""Logging for the worker: to stderr, and never a secret.

Every record passes through a redacting filter that masks credential values (any
environment variable whose name says TOKEN, SECRET, PASSWORD or KEY) and
credential-looking URL parts; the HTTP libraries' debug lines, which print whole URLs,
are kept quiet.
"""

import logging
import re
import sys
from typing import Any

from scheduler.adapters.logging_filter import RedactingFilter, quiet_http_loggers
from scheduler.config import Settings

_SECRET_NAME = re.compile(r"TOKEN|SECRET|PASSWORD|KEY", re.IGNORECASE)


def secret_values(settings: Settings) -> list[str]:
    return [v for k, v in settings.environ.items() if v and _SECRET_NAME.search(k)]


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever sys.stderr is when a record comes, not to the stream of the
    moment logging was set up (which may since have been replaced and closed)."""

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:
        pass


def configure_logging(settings: Settings) -> None:
    handler = _StderrHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter(secrets=secret_values(settings)))
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(settings.log_level)
    quiet_http_loggers(max(logging.WARNING, root.level))
    for noisy in ("apscheduler", "alembic"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
