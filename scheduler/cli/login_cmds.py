"""`siar login` and `siar logout`: a session that spares the password for some hours."""

import typer

from scheduler.cli.app import app
from scheduler.cli.auth import AsOption, PasswordStdinOption, read_password
from scheduler.cli.state import AppState
from scheduler.cli_sessions import log_in, log_out
from scheduler.db import session_scope
from scheduler.localtime import format_datetime
from scheduler.session_file import SavedSession, forget, read_saved, save


@app.command("login")
def login_command(
    ctx: typer.Context,
    as_user: AsOption,
    password_stdin: PasswordStdinOption = False,
) -> None:
    """Masuk sekali: perintah berikutnya dengan --as yang sama tidak meminta kata sandi
    selama SIAR_SESSION_HOURS jam (bawaan 8)."""
    state: AppState = ctx.obj
    settings = state.settings
    password = read_password(password_stdin)
    previous = read_saved(settings.session_file, database_url=settings.database_url)
    with session_scope(state.engine, write=True) as session:
        done = log_in(session, name=as_user, password=password, now=state.clock.now(),
                      hours=settings.session_hours,
                      replaces=previous.token if previous else None)
    save(settings.session_file, database_url=settings.database_url,
         saved=SavedSession(user=done.actor.name, token=done.token))
    state.out.print(f"Masuk sebagai {done.actor.name} sampai "
                    f"{format_datetime(done.expires_at, settings.timezone)}. "
                    "Akhiri dengan `siar logout`.")


@app.command("logout")
def logout_command(ctx: typer.Context) -> None:
    """Keluar: akhiri sesi `siar login` di mesin ini (di basis data dan berkasnya)."""
    state: AppState = ctx.obj
    settings = state.settings
    saved = read_saved(settings.session_file, database_url=settings.database_url)
    if saved is None:
        state.out.print("Tidak ada sesi masuk di mesin ini.")
        return
    with session_scope(state.engine, write=True) as session:
        log_out(session, token=saved.token)
    forget(settings.session_file, database_url=settings.database_url)
    state.out.print(f"Sesi {saved.user} diakhiri.")
