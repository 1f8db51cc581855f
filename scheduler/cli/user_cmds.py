"""`siar user`: add users, list them, change passwords."""

from typing import Annotated

import typer
from rich.table import Table

from scheduler.cli.app import app
from scheduler.cli.auth import PasswordStdinOption, read_password
from scheduler.cli.state import AppState
from scheduler.db import session_scope
from scheduler.users import add_user, list_users, set_password

user_app = typer.Typer(help="Pengguna: tambah, daftar, ganti kata sandi (users).",
                       no_args_is_help=True)
app.add_typer(user_app, name="user")


@user_app.command("add")
def user_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Nama pengguna, mis. rina.blitar")],
    role: Annotated[str, typer.Option("--role", help="author, reviewer, operator atau admin")],
    region: Annotated[str, typer.Option(
        "--region", help="Kunci wilayah (mis. kota-blitar) atau 'province' untuk provinsi")],
    password_stdin: PasswordStdinOption = False,
) -> None:
    """Tambah pengguna. Kata sandi diminta tanpa ditampilkan."""
    state: AppState = ctx.obj
    password = read_password(password_stdin, confirm=True)
    with session_scope(state.engine) as session:
        user = add_user(session, name=name, role=role, region=region, password=password,
                        now=state.clock.now())
        state.out.print(f"Pengguna {user.name} ({user.role}, {user.region_key}) ditambahkan.")


@user_app.command("list")
def user_list(ctx: typer.Context) -> None:
    """Daftar pengguna."""
    state: AppState = ctx.obj
    with session_scope(state.engine, write=False) as session:
        table = Table()
        for column in ("Nama", "Peran", "Wilayah", "Aktif"):
            table.add_column(column)
        for user in list_users(session):
            table.add_row(user.name, user.role, user.region_key, "ya" if user.active else "tidak")
    state.out.print(table)


@user_app.command("passwd")
def user_passwd(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Nama pengguna")],
    password_stdin: PasswordStdinOption = False,
) -> None:
    """Ganti kata sandi pengguna."""
    state: AppState = ctx.obj
    password = read_password(password_stdin, confirm=True)
    with session_scope(state.engine) as session:
        set_password(session, name=name, password=password, now=state.clock.now())
    state.out.print(f"Kata sandi {name} diganti.")
