"""`siar post` (new, submit, edit, cancel, reschedule) and `siar import`."""

from pathlib import Path
from typing import Annotated

import typer

from scheduler.cli.app import app
from scheduler.cli.auth import AsOption, PasswordStdinOption, login
from scheduler.cli.filters import check_filters, one
from scheduler.cli.parse import parse_instant, parse_instant_or_offset
from scheduler.cli.review_cmds import print_post
from scheduler.cli.state import AppState
from scheduler.db import session_scope
from scheduler.editing import (
    NewPost,
    cancel_target,
    create_posts,
    edit_post,
    reschedule_target,
    submit,
)
from scheduler.errors import InputError
from scheduler.importing import import_csv
from scheduler.labels import status_label
from scheduler.models import Post

post_app = typer.Typer(help="Unggahan: buat, ajukan, sunting, batalkan, jadwal ulang (posts).",
                       no_args_is_help=True)
app.add_typer(post_app, name="post")

TextOption = Annotated[str | None, typer.Option("--text", help="Teks unggahan.")]
TextFileOption = Annotated[Path | None, typer.Option(
    "--text-file", help="Berkas teks UTF-8 berisi teks unggahan.")]
ImageOption = Annotated[str | None, typer.Option(
    "--image", help="Berkas gambar di SIAR_MEDIA_DIR, mis. kartu/dpt.jpg.")]
NoteOption = Annotated[str | None, typer.Option("--note", help="Catatan untuk riwayat.")]
PostIdArgument = Annotated[int, typer.Argument(help="ID unggahan.")]
TargetArgument = Annotated[str, typer.Argument(help="ID unggahan atau kunci batch.")]


def _ids(posts: list[Post]) -> str:
    shown = ", ".join(f"#{p.id}" for p in posts[:20])
    return shown + (f", … (+{len(posts) - 20})" if len(posts) > 20 else "")


def _text(text: str | None, text_file: Path | None, *, required: bool) -> str | None:
    if text is not None and text_file is not None:
        raise InputError("pilih salah satu: --text atau --text-file")
    if text_file is not None:
        try:
            return text_file.read_text(encoding="utf-8")
        except OSError as exc:
            raise InputError(f"--text-file {text_file}: {exc.strerror}") from None
        except UnicodeDecodeError:
            raise InputError(f"--text-file {text_file}: bukan teks UTF-8") from None
    if text is None and required:
        raise InputError("teks wajib: beri --text atau --text-file")
    return text


@post_app.command("new")
def post_new(
    ctx: typer.Context,
    region: Annotated[str, typer.Option("--region", help="Kunci wilayah.")],
    platform: Annotated[list[str], typer.Option("--platform", help="Platform (boleh berulang).")],
    at: Annotated[str, typer.Option("--at", help="Waktu lokal, mis. 2024-02-14T09:00.")],
    as_user: AsOption,
    text: TextOption = None,
    text_file: TextFileOption = None,
    image: ImageOption = None,
    password_stdin: PasswordStdinOption = False,
) -> None:
    """Buat draf unggahan ad hoc (satu per platform); ajukan dengan `siar post submit`."""
    state: AppState = ctx.obj
    check_filters(state, regions=one(region), platforms=platform)
    body = _text(text, text_file, required=True) or ""
    when = parse_instant(at, "--at", state.settings.timezone)
    actor = login(state, as_user, password_stdin)
    items = [NewPost(region, p, when, body, image) for p in platform]
    with session_scope(state.engine, write=True) as session:
        posts = create_posts(session, actor=actor, catalog=state.catalog, items=items,
                             checks=state.checks, now=state.clock.now())
    for post in posts:
        print_post(state, post)
    state.out.print(f"{len(posts)} draf dibuat (batch {posts[0].batch}); ajukan dengan "
                    f"`siar post submit {posts[0].batch} --as {actor.name}`.")


@post_app.command("submit")
def post_submit(
    ctx: typer.Context,
    target: Annotated[str, typer.Argument(help="ID unggahan atau kunci batch.")],
    as_user: AsOption,
    password_stdin: PasswordStdinOption = False,
) -> None:
    """Ajukan draf untuk ditinjau."""
    state: AppState = ctx.obj
    actor = login(state, as_user, password_stdin)
    with session_scope(state.engine, write=True) as session:
        posts = submit(session, actor=actor, target=target, now=state.clock.now())
    state.out.print(f"{len(posts)} unggahan diajukan untuk ditinjau.")


@post_app.command("edit")
def post_edit(
    ctx: typer.Context,
    post_id: PostIdArgument,
    as_user: AsOption,
    text: TextOption = None,
    text_file: TextFileOption = None,
    at: Annotated[str | None, typer.Option("--at", help="Waktu lokal baru.")] = None,
    image: ImageOption = None,
    note: NoteOption = None,
    password_stdin: PasswordStdinOption = False,
) -> None:
    """Sunting teks, waktu atau gambar. Unggahan yang sudah disetujui kembali ke tinjauan."""
    state: AppState = ctx.obj
    body = _text(text, text_file, required=False)
    when = parse_instant(at, "--at", state.settings.timezone) if at else None
    actor = login(state, as_user, password_stdin)
    with session_scope(state.engine, write=True) as session:
        post = edit_post(session, actor=actor, post_id=post_id, catalog=state.catalog,
                         checks=state.checks, now=state.clock.now(), tz=state.settings.timezone,
                         text=body, at=when, image=image, note=note)
    print_post(state, post)
    state.out.print(f"Unggahan #{post.id} disunting; status: {status_label(post.status)}.")


@post_app.command("cancel")
def post_cancel(
    ctx: typer.Context,
    target: TargetArgument,
    as_user: AsOption,
    note: NoteOption = None,
    password_stdin: PasswordStdinOption = False,
) -> None:
    """Batalkan unggahan (atau satu batch) yang belum terbit, termasuk yang terlewat."""
    state: AppState = ctx.obj
    actor = login(state, as_user, password_stdin)
    with session_scope(state.engine, write=True) as session:
        posts = cancel_target(session, actor=actor, target=target, now=state.clock.now(), note=note)
    state.out.print(f"{len(posts)} unggahan dibatalkan: {_ids(posts)}.")


@post_app.command("reschedule")
def post_reschedule(
    ctx: typer.Context,
    target: TargetArgument,
    at: Annotated[str, typer.Option(
        "--at", help="Waktu lokal baru (mis. 2024-02-14T10:00), atau pergeseran dari waktu "
                     "masing-masing unggahan: +2h, -30m, +1d.")],
    as_user: AsOption,
    note: NoteOption = None,
    password_stdin: PasswordStdinOption = False,
) -> None:
    """Pindahkan unggahan (atau satu batch, mis. yang terlewat) ke waktu lain, atau geser
    sekian menit/jam/hari, tanpa mengubah isinya."""
    state: AppState = ctx.obj
    when, shift = parse_instant_or_offset(at, "--at", state.settings.timezone)
    actor = login(state, as_user, password_stdin)
    with session_scope(state.engine, write=True) as session:
        posts = reschedule_target(session, actor=actor, target=target, at=when, by=shift,
                                  catalog=state.catalog, checks=state.checks, now=state.clock.now(),
                                  tz=state.settings.timezone, note=note)
    if len(posts) == 1:
        print_post(state, posts[0])
    else:
        state.out.print(f"{len(posts)} unggahan dijadwal ulang: {_ids(posts)}.")


@app.command("import")
def import_command(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="Berkas CSV (kolom: region, platform, "
                                              "scheduled_at, text, image opsional).")],
    as_user: AsOption,
    skip_duplicates: Annotated[bool, typer.Option(
        "--skip-duplicates", help="Lewati baris yang sama dengan unggahan yang sudah ada atau "
                                  "dengan baris sebelumnya, impor sisanya.")] = False,
    password_stdin: PasswordStdinOption = False,
) -> None:
    """Antrekan banyak unggahan dari CSV untuk ditinjau; satu baris salah, semua ditolak."""
    state: AppState = ctx.obj
    actor = login(state, as_user, password_stdin)
    with session_scope(state.engine, write=True) as session:
        result = import_csv(session, actor=actor, path=file, catalog=state.catalog,
                            checks=state.checks, now=state.clock.now(),
                            tz=state.settings.timezone, skip_duplicates=skip_duplicates)
    for row in result.skipped:
        state.out.print(f"  {file}:{row.line}: dilewati, {row.message}")
    skipped = f"{len(result.skipped)} baris duplikat dilewati"
    if not result.posts:
        state.out.print(f"Tidak ada unggahan yang diimpor; {skipped}.")
        return
    with_problems = sum(1 for p in result.posts if p.problems)
    state.out.print(f"{len(result.posts)} unggahan diimpor ke batch {result.posts[0].batch}, "
                    f"menunggu tinjauan" + (f"; {with_problems} bermasalah" if with_problems
                                            else "") + (f"; {skipped}" if result.skipped else "")
                    + ".")
