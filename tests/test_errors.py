"""Every error class carries a stable code, an exit code and an HTTP status. The table is
written out here, independently of the classes, so changing one means changing the other
deliberately (a program may depend on a code; a script on an exit code)."""

import pytest

from scheduler.adapters.base import (
    AmbiguousPublishError,
    PermanentPublishError,
    PublishError,
    ReauthorizationRequired,
    RefreshRefused,
    TransientPublishError,
)
from scheduler.errors import (
    AuthError,
    ConfigError,
    ContentError,
    DatabaseBusyError,
    InputError,
    NotFoundError,
    PermissionDenied,
    ReviewError,
    SiarError,
    SignInLocked,
    UnknownPlatformError,
    UnknownRegionError,
)
from scheduler.importing import ImportRefused
from scheduler.planning_parallel import PlanningProcessError
from scheduler.publishing.attempt import ClaimLost
from scheduler.publishing.factory import AccountHeld
from scheduler.secretbox import SealedTokenUnreadable, SecretKeyMissing

TABLE: dict[type[SiarError], tuple[str, int, int]] = {
    SiarError: ("error", 1, 500),
    ConfigError: ("config", 2, 500),
    ContentError: ("content", 2, 422),
    InputError: ("input", 2, 400),
    UnknownRegionError: ("unknown_region", 2, 400),
    UnknownPlatformError: ("unknown_platform", 2, 400),
    ImportRefused: ("import_refused", 2, 422),
    NotFoundError: ("not_found", 3, 404),
    AuthError: ("auth", 4, 401),
    SignInLocked: ("sign_in_locked", 4, 429),
    PermissionDenied: ("forbidden", 5, 403),
    ReviewError: ("refused", 6, 409),
    AccountHeld: ("account_held", 6, 409),
    DatabaseBusyError: ("database_busy", 7, 503),
    SecretKeyMissing: ("secret_key_missing", 2, 500),
    SealedTokenUnreadable: ("token_unreadable", 2, 500),
    PublishError: ("publish", 1, 502),
    TransientPublishError: ("publish_transient", 1, 503),
    ClaimLost: ("claim_lost", 1, 503),
    PermanentPublishError: ("publish_refused", 1, 502),
    ReauthorizationRequired: ("publish_reauthorize", 1, 502),
    AmbiguousPublishError: ("publish_uncertain", 1, 502),
    RefreshRefused: ("refresh_refused", 1, 502),
    PlanningProcessError: ("planning_process", 1, 500),
}


def _subclasses(cls: type[SiarError]) -> set[type[SiarError]]:
    found = set(cls.__subclasses__())
    for sub in list(found):
        found |= _subclasses(sub)
    return found


@pytest.mark.parametrize("cls", sorted(TABLE, key=lambda c: c.__name__))
def test_each_error_has_its_code_exit_code_and_http_status(cls: type[SiarError]) -> None:
    assert (cls.error_code, cls.exit_code, cls.http_status) == TABLE[cls]


def test_every_error_class_is_in_the_table() -> None:
    missing = sorted(c.__name__ for c in _subclasses(SiarError) - set(TABLE))
    assert not missing, f"error classes without a row in tests/test_errors.py: {missing}"


def test_codes_are_unique() -> None:
    codes = [code for code, _, _ in TABLE.values()]
    assert len(codes) == len(set(codes))
