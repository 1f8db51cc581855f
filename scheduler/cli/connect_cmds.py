"""`siar account connect|disconnect` and `siar secrets`: an account's credentials given to
Siar (checked with the platform, stored sealed), and the key that seals them."""

import sys
from typing import Annotated

import typer
from rich.markup import escape

from scheduler.account_tokens import connectable, rotate
from scheduler.cli.app import app
from scheduler.cli.auth import AsOption, PasswordStdinOption, login
from scheduler.cli.ops_cmds import account_app
from scheduler.cli.parse import parse_instant
from scheduler.cli.state import AppState
from scheduler.connecting import connect_pasted, disconnect_account
from scheduler.db import session_scope
from scheduler.errors import InputError
from scheduler.localtime import format_compact
from scheduler.models import Account
from scheduler.publishing.stored import required_box, secret_box
from scheduler.secretbox import new_secret

secrets_app = typer.Typer(help="Kunci penyegel token akun: buat, rotasi (secrets).",
                          no_args_is_help=True)
app.add_typer(secrets_app, name="secrets")


def _read_values(fields: tuple[str, ...], from_stdin: bool) -> dict[str, str]:
    """Each field from a prompt that does not echo, or `field=value` lines on stdin."""
    if not from_stdin:
        return {f: str(typer.prompt(f, hide_input=True, err=True)) for f in fields}
    values: dict[str, str] = {}
    for number, line in enumerate(sys.stdin.read().splitlines(), start=1):
        if not line.strip():
            continue
        name, sep, value = line.partition("=")
        if not sep:
            raise InputError(f"--values-stdin baris {number}: bentuknya kolom=nilai "
                             f"(kolom: {', '.join(fields)})")
        values[name.strip()] = value.strip()
    unknown = sorted(set(values) - set(fields))
    if unknown:
        raise InputError(f"kolom kredensial tidak dikenal: {', '.join(unknown)} (kolom: "
                         f"{', '.join(fields)})")
    return values


@account_app.command("connect")
def account_connect(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(help="wilayah/platform")],
    as_user: AsOption,
    password_stdin: PasswordStdinOption = False,
    values_stdin: Annotated[bool, typer.Option(
        "--values-stdin", help="Baca kredensial sebagai baris kolom=nilai dari standard "
                               "input (setelah kata sandi bila --password-stdin).")] = False,
    expires: Annotated[str | None, typer.Option(
        "--expires", help="Kapan token berakhir (waktu lokal), bila platform memberi tahu.")
    ] = None,
) -> None:
    """Hubungkan akun: kredensialnya ditanyakan (tanpa ditampilkan), diperiksa ke platform,
    lalu disimpan terenkripsi dengan SIAR_SECRET_KEY. Kredensial di lingkungan tetap menang."""
    state: AppState = ctx.obj
    actor = login(state, as_user, password_stdin)
    box = required_box(state.settings)
    ends = parse_instant(expires, "--expires", state.settings.timezone) if expires else None
    factory = state.app.adapters()
    with session_scope(state.engine, write=False) as session:
        account: Account = connectable(session, actor=actor, key=key)
    cls = factory.adapters.get(account.platform)
    fields = cls.credential_fields if cls is not None else ()
    if not fields:
        raise InputError(f"akun {key}: platform {account.platform} tidak memakai kredensial")
    from_env = sorted(factory.env_credentials(account))
    if from_env:
        state.err.print(f"Dari lingkungan (tetap dipakai): {', '.join(from_env)}")
    values = _read_values(tuple(f for f in fields if f not in from_env), values_stdin)
    try:
        info, reached = connect_pasted(state.engine, actor=actor, account_key=key,
                                       values=values, factory=factory, box=box,
                                       now=state.clock.now(), expires_at=ends)
    finally:
        factory.close()
    tz = state.settings.timezone
    state.out.print(f"Akun {key} terhubung" + (f" ke {reached}" if reached else "") +
                    f"; disimpan terenkripsi: {', '.join(info.fields)}" +
                    (f"; berakhir {format_compact(info.expires_at, tz)}" if info.expires_at
                     else "") + ".")


@account_app.command("disconnect")
def account_disconnect(ctx: typer.Context,
                       key: Annotated[str, typer.Argument(help="wilayah/platform")],
                       as_user: AsOption, password_stdin: PasswordStdinOption = False) -> None:
    """Cabut token di platform bila bisa (X, Facebook, Instagram), lalu lupakan kredensial
    tersimpan sebuah akun; unggahannya menunggu sampai terhubung lagi."""
    state: AppState = ctx.obj
    actor = login(state, as_user, password_stdin)
    factory = state.app.adapters()
    try:
        outcome = disconnect_account(state.engine, actor=actor, account_key=key,
                                     factory=factory, box=secret_box(state.settings))
    finally:
        factory.close()
    if outcome.problem:
        state.err.print(f"Token tidak dapat dicabut di platform: {escape(outcome.problem)}")
    state.out.print(f"Kredensial tersimpan akun {key} dihapus." if outcome.removed else
                    f"Akun {key} tidak punya kredensial tersimpan; tidak ada yang diubah.")


@secrets_app.command("new-key")
def secrets_new_key() -> None:
    """Cetak nilai acak baru untuk SIAR_SECRET_KEY (simpan di .env, jangan di repositori)."""
    typer.echo(new_secret())


@secrets_app.command("rotate")
def secrets_rotate(ctx: typer.Context, as_user: AsOption,
                   password_stdin: PasswordStdinOption = False) -> None:
    """Segel ulang semua token dengan SIAR_SECRET_KEY saat ini (kunci lama di
    SIAR_SECRET_KEYS_OLD). Semua atau tidak sama sekali."""
    state: AppState = ctx.obj
    actor = login(state, as_user, password_stdin)
    box = required_box(state.settings)
    with session_scope(state.engine, write=True) as session:
        count = rotate(session, actor=actor, box=box)
    state.out.print(f"{count} kredensial tersimpan disegel ulang dengan SIAR_SECRET_KEY saat "
                    "ini; SIAR_SECRET_KEYS_OLD kini boleh dikosongkan.")
