"""`siar login` keeps a session so later commands need no password; `siar logout` ends it.
Real SQLite database, real session file, the real CLI."""

import json
import stat
from pathlib import Path

import pytest
from sqlmodel import Session, select

from scheduler.db import make_engine, session_scope
from scheduler.models import CliSession, User
from scheduler.websessions import token_hash

PASSWORDS = {"sari": "sandi-sari-123", "rudi": "sandi-rudi-123"}


@pytest.fixture
def world(siar):  # type: ignore[no-untyped-def]
    assert siar("init").exit_code == 0
    for name in PASSWORDS:
        result = siar("user", "add", name, "--role", "reviewer", "--region", "kab-a",
                      "--password-stdin", input=PASSWORDS[name] + "\n")
        assert result.exit_code == 0, result.output
    return siar


@pytest.fixture
def session_file(cli_env: dict[str, str]) -> Path:
    return Path(cli_env["SIAR_SESSION_FILE"])


def log_in(siar, name: str, **kwargs):  # type: ignore[no-untyped-def]
    result = siar("login", "--as", name, "--password-stdin", input=PASSWORDS[name] + "\n",
                  **kwargs)
    assert result.exit_code == 0, result.output
    return result


def saved_token(session_file: Path) -> str:
    [entry] = json.loads(session_file.read_text()).values()
    return str(entry["token"])


def rows(settings) -> list[CliSession]:  # type: ignore[no-untyped-def]
    engine = make_engine(settings.database_url)
    try:
        with Session(engine) as session:
            return list(session.exec(select(CliSession)))
    finally:
        engine.dispose()


def test_after_login_a_command_needs_no_password(world, session_file) -> None:
    before = world("review", "list", "--as", "sari")  # no session, no input: refused
    assert before.exit_code != 0
    shown = log_in(world, "sari")
    assert "Masuk sebagai sari sampai" in shown.stdout
    after = world("review", "list", "--as", "sari")  # no password given at all
    assert after.exit_code == 0, after.output
    assert "Kata sandi" not in after.output


def test_the_file_is_private_and_the_database_keeps_only_a_hash(world, session_file,
                                                                settings) -> None:
    shown = log_in(world, "sari")
    assert stat.S_IMODE(session_file.stat().st_mode) == 0o600
    token = saved_token(session_file)
    assert len(token) >= 40 and token not in shown.output
    [row] = rows(settings)
    assert row.id == token_hash(token) and row.user_name == "sari"
    database = Path(settings.database_url.removeprefix("sqlite:///"))
    for stored in database.parent.glob(database.name + "*"):
        assert token.encode() not in stored.read_bytes()


def test_a_new_folder_for_the_file_is_private_too(world, tmp_path) -> None:
    path = tmp_path / "config" / "siar" / "session"
    log_in(world, "sari", env={"SIAR_SESSION_FILE": str(path)})
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_file_others_can_read_is_not_trusted(world, session_file) -> None:
    log_in(world, "sari")
    session_file.chmod(0o644)
    result = world("review", "list", "--as", "sari")
    assert result.exit_code != 0  # asked for the password, got none


def test_logout_ends_the_session_in_the_database_and_the_file(world, session_file,
                                                              settings) -> None:
    log_in(world, "sari")
    result = world("logout")
    assert result.exit_code == 0, result.output
    assert "Sesi sari diakhiri" in result.stdout
    assert not session_file.exists()
    assert rows(settings) == []
    assert world("review", "list", "--as", "sari").exit_code != 0
    again = world("logout")
    assert again.exit_code == 0 and "Tidak ada sesi" in again.stdout


def test_the_session_expires_after_the_configured_hours(world) -> None:
    log_in(world, "sari", env={"SIAR_SESSION_HOURS": "2"})
    within = world("review", "list", "--as", "sari", env={"SIAR_NOW": "2023-12-20T11:59"})
    assert within.exit_code == 0, within.output
    late = {"SIAR_NOW": "2023-12-20T12:01"}  # (the clock runs on from SIAR_NOW)
    assert world("review", "list", "--as", "sari", env=late).exit_code != 0
    prompted = world("review", "list", "--as", "sari", env=late,
                     input=PASSWORDS["sari"] + "\n")
    assert prompted.exit_code == 0, prompted.output
    assert "Sesi masuk sari sudah berakhir; kata sandi diminta lagi." in prompted.stderr


def test_default_lifetime_is_eight_hours(world) -> None:
    shown = log_in(world, "sari")  # SIAR_NOW is 2023-12-20T10:00 WIB
    assert "pukul 18.00 WIB" in shown.stdout
    late = world("review", "list", "--as", "sari", env={"SIAR_NOW": "2023-12-20T18:01"})
    assert late.exit_code != 0


def test_a_session_serves_only_its_own_user(world) -> None:
    log_in(world, "sari")
    assert world("review", "list", "--as", "rudi").exit_code != 0
    wrong = world("review", "list", "--as", "rudi", input="sandi-sari-123\n")
    assert wrong.exit_code == 4
    right = world("review", "list", "--as", "rudi", input=PASSWORDS["rudi"] + "\n")
    assert right.exit_code == 0, right.output


def test_password_stdin_still_reads_the_password(world) -> None:
    log_in(world, "sari")
    wrong = world("review", "list", "--as", "sari", "--password-stdin", input="salah\n")
    assert wrong.exit_code == 4


def test_a_deactivated_users_session_stops_working(world, settings) -> None:
    log_in(world, "sari")
    assert world("user", "deactivate", "sari").exit_code == 0
    assert rows(settings) == []  # ended at once
    assert world("review", "list", "--as", "sari").exit_code != 0
    assert world("user", "activate", "sari").exit_code == 0
    assert world("review", "list", "--as", "sari").exit_code != 0  # a new login is needed


def test_a_deactivated_user_is_refused_even_with_a_live_row(world, settings) -> None:
    log_in(world, "sari")
    engine = make_engine(settings.database_url)
    try:
        with session_scope(engine, write=True) as session:  # the row outlives deactivation
            user = session.exec(select(User).where(User.name == "sari")).one()
            user.active = False
    finally:
        engine.dispose()
    assert len(rows(settings)) == 1
    assert world("review", "list", "--as", "sari").exit_code != 0


def test_a_new_password_ends_the_session(world, settings) -> None:
    log_in(world, "sari")
    result = world("user", "passwd", "sari", input="sandi-baru-456\nsandi-baru-456\n")
    assert result.exit_code == 0, result.output
    assert rows(settings) == []


def test_a_second_login_replaces_the_first(world, session_file, settings) -> None:
    log_in(world, "sari")
    first = saved_token(session_file)
    log_in(world, "rudi")
    [row] = rows(settings)
    assert row.user_name == "rudi" and row.id != token_hash(first)
    result = world("review", "list", "--as", "rudi")
    assert result.exit_code == 0, result.output


def test_login_with_a_wrong_password_keeps_no_session(world, session_file, settings) -> None:
    result = world("login", "--as", "sari", "--password-stdin", input="salah\n")
    assert result.exit_code == 4
    assert not session_file.exists() and rows(settings) == []


def test_the_token_appears_in_no_output_or_log(world, session_file, caplog) -> None:
    debug = {"SIAR_LOG_LEVEL": "DEBUG"}
    outputs = [log_in(world, "sari", env=debug).output]
    token = saved_token(session_file)
    for args in (["review", "list", "--as", "sari"], ["review", "list", "--as", "rudi"],
                 ["user", "deactivate", "sari"], ["review", "list", "--as", "sari"],
                 ["logout"]):
        result = world(*args, env=debug)
        outputs += [result.stdout, result.stderr, repr(result.exception)]
    for text in [*outputs, caplog.text]:
        assert token not in text
