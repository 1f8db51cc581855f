"""User administration: authorised services, the machine's administrator, and nobody
locking themself out."""

import pytest
from sqlalchemy.engine import Engine

from scheduler.clock import FixedClock
from scheduler.db import session_scope
from scheduler.errors import AuthError, InputError, PermissionDenied, ReviewError
from scheduler.user_admin import change_region, change_role, create_user, reset_password, set_active
from scheduler.users import MACHINE_ADMIN, add_user, authenticate, get_user
from tests.conftest import BOTH_DATABASES, actor

pytestmark = pytest.mark.parametrize("database_url", BOTH_DATABASES, indirect=True)

PROVINCE_ADMIN = actor("admin.prov", "admin", "prov")
REGENCY_ADMIN = actor("admin.kab-a", "admin", "kab-a")


@pytest.fixture
def staff(synced: Engine, clock: FixedClock) -> Engine:
    with session_scope(synced, write=True) as session:
        add_user(session, name="rina", role="author", region="kab-a", password="sandi-rina-1",
                 now=clock.now())
        add_user(session, name="budi", role="author", region="kota-b", password="sandi-budi-1",
                 now=clock.now())
    return synced


def test_a_deactivated_user_cannot_log_in_and_can_be_reactivated(staff, clock) -> None:
    with session_scope(staff, write=True) as session:
        set_active(session, actor=REGENCY_ADMIN, name="rina", active=False, now=clock.now())
    with pytest.raises(AuthError), session_scope(staff, write=False) as session:
        authenticate(session, "rina", "sandi-rina-1")
    with session_scope(staff, write=True) as session:
        set_active(session, actor=REGENCY_ADMIN, name="rina", active=True, now=clock.now())
    with session_scope(staff, write=False) as session:
        assert authenticate(session, "rina", "sandi-rina-1").name == "rina"


def test_a_regency_admin_manages_only_their_regency(staff, clock) -> None:
    with pytest.raises(PermissionDenied), session_scope(staff, write=True) as session:
        set_active(session, actor=REGENCY_ADMIN, name="budi", active=False, now=clock.now())
    with pytest.raises(PermissionDenied), session_scope(staff, write=True) as session:
        change_region(session, actor=REGENCY_ADMIN, name="rina", region="kota-b",
                      now=clock.now())
    with pytest.raises(PermissionDenied), session_scope(staff, write=True) as session:
        create_user(session, actor=REGENCY_ADMIN, name="dewi", role="admin", region="prov",
                    password="sandi-dewi-1", now=clock.now())


def test_a_province_admin_changes_roles_regions_and_passwords(staff, clock) -> None:
    with session_scope(staff, write=True) as session:
        change_role(session, actor=PROVINCE_ADMIN, name="rina", role="reviewer",
                    now=clock.now())
        change_region(session, actor=PROVINCE_ADMIN, name="rina", region="kota-b",
                      now=clock.now())
        reset_password(session, actor=PROVINCE_ADMIN, name="rina", password="sandi-baru-2",
                       now=clock.now())
    with session_scope(staff, write=False) as session:
        who = authenticate(session, "rina", "sandi-baru-2")
        assert (who.role, who.region_key) == ("reviewer", "kota-b")


def test_nobody_locks_themself_out(staff, clock) -> None:
    with session_scope(staff, write=True) as session:
        add_user(session, name="admin.kab-a", role="admin", region="kab-a",
                 password="sandi-admin-1", now=clock.now())
    for change in (
        lambda s: set_active(s, actor=REGENCY_ADMIN, name="admin.kab-a", active=False,
                             now=clock.now()),
        lambda s: change_role(s, actor=REGENCY_ADMIN, name="admin.kab-a", role="author",
                              now=clock.now()),
    ):
        with pytest.raises(ReviewError, match="sendiri"), \
                session_scope(staff, write=True) as session:
            change(session)
    with session_scope(staff, write=False) as session:
        assert get_user(session, "admin.kab-a").active


def test_only_admins_manage_users_and_roles_are_checked(staff, clock) -> None:
    with pytest.raises(PermissionDenied), session_scope(staff, write=True) as session:
        set_active(session, actor=actor("rev.prov", "reviewer", "prov"), name="rina",
                   active=False, now=clock.now())
    with pytest.raises(InputError, match="peran tidak dikenal"), \
            session_scope(staff, write=True) as s:
        change_role(s, actor=MACHINE_ADMIN, name="rina", role="superuser", now=clock.now())


def test_the_command_line_administers_users(staff, siar) -> None:
    assert siar("user", "deactivate", "rina").exit_code == 0
    listed = siar("user", "list").output
    assert "rina" in listed and "tidak" in listed
    assert siar("user", "activate", "rina").exit_code == 0
    moved = siar("user", "region", "rina", "kota-b")
    assert moved.exit_code == 0, moved.output
    assert "kota-b" in moved.output
    role = siar("user", "role", "rina", "reviewer")
    assert "reviewer" in role.output
    siar("user", "add", "admin.kab-a", "--role", "admin", "--region", "kab-a",
         "--password-stdin", input="sandi-admin-1\n")
    refused = siar("user", "deactivate", "budi", "--as", "admin.kab-a", "--password-stdin",
                   input="sandi-admin-1\n")
    assert refused.exit_code == 5
    assert "kab-a" in refused.output


def test_a_new_password_is_asked_twice_in_indonesian(synced, siar) -> None:
    """Without --password-stdin the password is typed twice; a mismatch asks again."""
    added = siar("user", "add", "sari", "--role", "author", "--region", "kab-a",
                 input="sandi-sari-1\nsandi-lain-1\nsandi-sari-1\nsandi-sari-1\n")
    assert added.exit_code == 0, added.output
    assert "Ulangi kata sandi" in added.output
    assert "Kedua kata sandi tidak sama; ulangi." in added.output
    assert "Repeat for confirmation" not in added.output
    login = siar("login", "--as", "sari", "--password-stdin", input="sandi-sari-1\n")
    assert login.exit_code == 0, login.output  # the password typed twice is the one kept
