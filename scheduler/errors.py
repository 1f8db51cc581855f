"""Every error Siar raises on purpose, in one tree.

SiarError                      base; its message is shown to the user as is
├── ConfigError                a setting has a bad value
├── ContentError               content/ or templates/ is invalid (carries every problem found)
├── InputError(ValueError)     a bad value on the command line or in a form
│   ├── UnknownRegionError
│   └── UnknownPlatformError
├── NotFoundError(LookupError) a post, batch, user or account that does not exist
├── AuthError                  unknown user or wrong password
│   └── SignInLocked           too many failed sign-ins: wait before trying again
├── PermissionDenied           acting outside one's role or region
├── ReviewError                a state transition that the workflow refuses
├── DatabaseBusyError          the database stayed locked by other work: try again later
└── PublishError               raised by adapters (see scheduler.adapters.base)
    ├── TransientPublishError        try again later
    ├── PermanentPublishError        the platform refused the post
    ├── ReauthorizationRequired      the account's token is expired or revoked
    └── AmbiguousPublishError        the post may or may not have been published

Messages are user-facing (Bahasa Indonesia) and never contain secrets. Every class has a
stable `error_code` (for programs: JSON answers, logs, tests), the command line's `exit_code`
and the web's `http_status`; tests/test_errors.py holds the table they must match.
"""

from collections.abc import Iterable
from dataclasses import dataclass


class SiarError(Exception):
    """Base class: the message is safe to show to a user."""

    error_code = "error"
    exit_code = 1
    http_status = 500


class ConfigError(SiarError):
    error_code = "config"
    exit_code = 2
    http_status = 500  # the server is misconfigured, not the request


@dataclass(frozen=True)
class Problem:
    """One problem in one content or template file, located as precisely as we can."""

    source: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line else self.source
        return f"{where}: {self.message}"


class ContentError(SiarError):
    """Content or templates are invalid; carries every problem found, not just the first."""

    error_code = "content"
    exit_code = 2
    http_status = 422

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = list(problems)
        lines = "\n".join(f"  {p}" for p in self.problems)
        super().__init__(f"{len(self.problems)} masalah pada konten/templat:\n{lines}")


class InputError(SiarError, ValueError):
    error_code = "input"
    exit_code = 2
    http_status = 400


class UnknownRegionError(InputError):
    error_code = "unknown_region"


class UnknownPlatformError(InputError):
    error_code = "unknown_platform"


class NotFoundError(SiarError, LookupError):
    error_code = "not_found"
    exit_code = 3
    http_status = 404


class AuthError(SiarError):
    error_code = "auth"
    exit_code = 4
    http_status = 401


class SignInLocked(AuthError):
    error_code = "sign_in_locked"
    http_status = 429

    def __init__(self, seconds: int) -> None:
        self.retry_after = max(1, seconds)
        super().__init__(f"terlalu banyak percobaan masuk yang gagal; coba lagi dalam "
                         f"{self.retry_after} detik")


class PermissionDenied(SiarError):
    error_code = "forbidden"
    exit_code = 5
    http_status = 403


class ReviewError(SiarError):
    error_code = "refused"
    exit_code = 6
    http_status = 409


class DatabaseBusyError(SiarError):
    """Raised after a bounded number of tries (scheduler.busy), never a traceback."""

    error_code = "database_busy"
    exit_code = 7
    http_status = 503
