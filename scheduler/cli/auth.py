"""Who is acting: `--as USER`, with the password read without echo (or from stdin), or a
session kept by `siar login` for that user (scheduler.cli_sessions)."""

import sys
from typing import Annotated

import typer

from scheduler.cli.state import AppState
from scheduler.cli_sessions import actor_for
from scheduler.db import session_scope
from scheduler.errors import InputError
from scheduler.session_file import read_saved
from scheduler.users import Actor, authenticate

AsOption = Annotated[str, typer.Option("--as", help="Nama pengguna yang bertindak.")]
PasswordStdinOption = Annotated[bool, typer.Option(
    "--password-stdin", help="Baca kata sandi dari baris pertama standard input (untuk skrip).")]


def read_password(from_stdin: bool, *, confirm: bool = False) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        if not line:
            raise InputError("--password-stdin: standard input kosong")
        return line.rstrip("\r\n")
    while True:  # asked without echo; a new password twice (Typer would ask in English)
        password = str(typer.prompt("Kata sandi", hide_input=True, err=True))
        if not confirm or password == str(typer.prompt("Ulangi kata sandi", hide_input=True,
                                                       err=True)):
            return password
        typer.echo("Kedua kata sandi tidak sama; ulangi.", err=True)


def login(state: AppState, name: str, password_stdin: bool) -> Actor:
    """The actor for `--as NAME`: from this machine's `siar login` session when it is
    NAME's and still valid, else by password (always by password with --password-stdin)."""
    if not password_stdin:
        actor = saved_actor(state, name)
        if actor is not None:
            return actor
    password = read_password(password_stdin)
    with session_scope(state.engine, write=False) as session:
        return authenticate(session, name, password)


def saved_actor(state: AppState, name: str) -> Actor | None:
    saved = read_saved(state.settings.session_file, database_url=state.settings.database_url)
    if saved is None or saved.user != name.strip().lower():
        return None
    with session_scope(state.engine, write=False) as session:
        actor = actor_for(session, token=saved.token, name=name, now=state.clock.now())
    if actor is None:
        state.err.print(f"Sesi masuk {saved.user} sudah berakhir; kata sandi diminta lagi.")
    return actor
