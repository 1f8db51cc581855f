"""Who is acting: `--as USER`, with the password read without echo (or from stdin)."""

import sys
from typing import Annotated

import typer

from scheduler.cli.state import AppState
from scheduler.db import session_scope
from scheduler.errors import InputError
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
    return str(typer.prompt("Kata sandi", hide_input=True, confirmation_prompt=confirm,
                            err=True))


def login(state: AppState, name: str, password_stdin: bool) -> Actor:
    password = read_password(password_stdin)
    with session_scope(state.engine, write=False) as session:
        return authenticate(session, name, password)
