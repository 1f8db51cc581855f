"""`siar user`: add, list, deactivate and reactivate users, change a role, a region or a
password. Without --as the machine's administrator acts (whoever can run siar here can
read the database anyway); with --as, an admin acts within the regions they cover."""

from collections.abc import Callable
from datetime import datetime
from typing import Annotated

import typer
from rich.markup import escape
from sqlmodel import Session

from scheduler.cli.app import app
from scheduler.cli.auth import PasswordStdinOption, login, read_password
from scheduler.cli.state import AppState
from scheduler.cli.tables import Cell, Col, print_table
from scheduler.db import session_scope
from scheduler.models import User
from scheduler.user_admin import (
    change_region,
    change_role,
    create_user,
    reset_password,
    set_active,
    users_in_scope,
)
from scheduler.users import MACHINE_ADMIN, Actor

user_app = typer.Typer(help="Pengguna: tambah, daftar, nonaktifkan, ubah peran, wilayah atau "
                            "kata sandi (users).", no_args_is_help=True)
app.add_typer(user_app, name="user")

NameArgument = Annotated[str, typer.Argument(help="Nama pengguna, mis. rina.blitar")]
AdminOption = Annotated[str | None, typer.Option(
    "--as", help="Admin yang bertindak (bawaan: administrator mesin ini).")]


def _admin(state: AppState, as_user: str | None, password_stdin: bool) -> Actor:
    return login(state, as_user, password_stdin) if as_user else MACHINE_ADMIN


@user_app.command("add")
def user_add(
    ctx: typer.Context,
    name: NameArgument,
    role: Annotated[str, typer.Option("--role", help="author, reviewer, operator atau admin")],
    region: Annotated[str, typer.Option(
        "--region", help="Kunci wilayah (mis. kota-blitar) atau 'province' untuk provinsi")],
    as_user: AdminOption = None,
    password_stdin: PasswordStdinOption = False,
) -> None:
    """Tambah pengguna. Kata sandi pengguna baru diminta tanpa ditampilkan."""
    state: AppState = ctx.obj
    actor = _admin(state, as_user, password_stdin)
    password = read_password(password_stdin, confirm=True)  # with --as: the second line
    with session_scope(state.engine, write=True) as session:
        user = create_user(session, actor=actor, name=name, role=role, region=region,
                           password=password, now=state.clock.now())
        state.out.print(f"Pengguna {user.name} ({user.role}, {user.region_key}) ditambahkan.")


@user_app.command("list")
def user_list(ctx: typer.Context) -> None:
    """Daftar pengguna."""
    state: AppState = ctx.obj
    with session_scope(state.engine, write=False) as session:
        rows: list[list[Cell]] = [
            [escape(user.name), user.role, user.region_key, "ya" if user.active else "tidak"]
            for user in users_in_scope(session, actor=MACHINE_ADMIN)]
    print_table(state.out, [Col("Nama"), Col("Peran"), Col("Wilayah"), Col("Aktif")], rows)


@user_app.command("passwd")
def user_passwd(
    ctx: typer.Context,
    name: NameArgument,
    as_user: AdminOption = None,
    password_stdin: PasswordStdinOption = False,
) -> None:
    """Ganti kata sandi pengguna."""
    state: AppState = ctx.obj
    actor = _admin(state, as_user, password_stdin)
    password = read_password(password_stdin, confirm=True)  # with --as: the second line
    with session_scope(state.engine, write=True) as session:
        reset_password(session, actor=actor, name=name, password=password,
                       now=state.clock.now())
    state.out.print(f"Kata sandi {name} diganti.")


@user_app.command("deactivate")
def user_deactivate(ctx: typer.Context, name: NameArgument, as_user: AdminOption = None,
                    password_stdin: PasswordStdinOption = False) -> None:
    """Nonaktifkan pengguna: tidak dapat masuk lagi; unggahan dan riwayatnya tetap."""
    _set_active(ctx, name, as_user, password_stdin, active=False)


@user_app.command("activate")
def user_activate(ctx: typer.Context, name: NameArgument, as_user: AdminOption = None,
                  password_stdin: PasswordStdinOption = False) -> None:
    """Aktifkan kembali pengguna yang dinonaktifkan."""
    _set_active(ctx, name, as_user, password_stdin, active=True)


def _set_active(ctx: typer.Context, name: str, as_user: str | None, password_stdin: bool, *,
                active: bool) -> None:
    user = _administer(ctx, as_user, password_stdin, lambda session, actor, now: set_active(
        session, actor=actor, name=name, active=active, now=now))
    ctx.obj.out.print(f"Pengguna {user.name} {'aktif' if active else 'dinonaktifkan'}.")


@user_app.command("role")
def user_role(
    ctx: typer.Context,
    name: NameArgument,
    role: Annotated[str, typer.Argument(help="author, reviewer, operator atau admin")],
    as_user: AdminOption = None,
    password_stdin: PasswordStdinOption = False,
) -> None:
    """Ubah peran pengguna."""
    user = _administer(ctx, as_user, password_stdin, lambda session, actor, now: change_role(
        session, actor=actor, name=name, role=role, now=now))
    ctx.obj.out.print(f"Peran {user.name} kini {user.role}.")


@user_app.command("region")
def user_region(
    ctx: typer.Context,
    name: NameArgument,
    region: Annotated[str, typer.Argument(help="Kunci wilayah atau 'province'")],
    as_user: AdminOption = None,
    password_stdin: PasswordStdinOption = False,
) -> None:
    """Pindahkan pengguna ke wilayah lain."""
    user = _administer(ctx, as_user, password_stdin, lambda session, actor, now: change_region(
        session, actor=actor, name=name, region=region, now=now))
    ctx.obj.out.print(f"Wilayah {user.name} kini {user.region_key}.")


def _administer(ctx: typer.Context, as_user: str | None, password_stdin: bool,
                change: Callable[[Session, Actor, datetime], User]) -> User:
    """Who acts, then the change in one writing transaction."""
    state: AppState = ctx.obj
    actor = _admin(state, as_user, password_stdin)
    with state.app.unit_of_work(write=True) as session:
        return change(session, actor, state.clock.now())
