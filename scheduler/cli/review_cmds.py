"""`siar review`: one batch's variants, approve, reject (the group and `list` are in
review_list_cmds)."""

import sys
from typing import Annotated

import typer
from rich.markup import escape

from scheduler import localtime
from scheduler.cli.auth import AsOption, PasswordStdinOption, login
from scheduler.cli.filters import PlatformOption, RegionOption, check_filters
from scheduler.cli.review_format import print_grouped, print_summary
from scheduler.cli.review_list_cmds import (
    FromOption,
    StageOption,
    ToOption,
    review_app,
    review_filters,
)
from scheduler.cli.state import AppState
from scheduler.cli.tables import print_quoted
from scheduler.db import session_scope
from scheduler.errors import InputError
from scheduler.labels import status_label
from scheduler.models import Post
from scheduler.posts import PostFilter
from scheduler.review import Decision, approve, reject, show
from scheduler.review_bulk import Selection, approve_many, bulk_summary
from scheduler.review_view import batch_view
from scheduler.targets import is_post_id
from scheduler.users import Actor

ExceptOption = Annotated[list[int] | None, typer.Option(
    "--except", help="ID unggahan yang dikecualikan dari batch (boleh berulang).")]
TargetArgument = Annotated[str, typer.Argument(help="Kunci batch, atau ID satu unggahan.")]


@review_app.command("show")
def review_show(ctx: typer.Context, target: TargetArgument, as_user: AsOption,
                every: Annotated[bool, typer.Option(
                    "--all", help="Setiap unggahan satu per satu, bukan per teks.")] = False,
                password_stdin: PasswordStdinOption = False) -> None:
    """Satu batch: setiap teks berbeda sekali, dengan kantor dan platform yang memakainya,
    beserta masalahnya (atau satu unggahan)."""
    state: AppState = ctx.obj
    actor = login(state, as_user, password_stdin)
    with session_scope(state.engine, write=False) as session:
        if not every and not is_post_id(target):
            view = batch_view(session, actor=actor, batch=target.strip(),
                              media_dir=state.settings.media_dir)
            print_grouped(state, view)
            return
        posts = show(session, actor=actor, target=target)
    for post in posts:
        print_post(state, post)
    state.out.print(f"{len(posts)} unggahan.")


def print_post(state: AppState, post: Post) -> None:
    tz = state.settings.timezone
    state.out.print(
        f"[bold]#{post.id}[/] {post.region_key} · {post.platform} · "
        f"{status_label(post.status)} · "
        f"{localtime.format_datetime(post.scheduled_at, tz)}"
        + (f" · gambar: {escape(post.image)}" if post.image else ""))
    for problem in post.problems or []:
        state.out.print(f"  [red]masalah:[/] {escape(problem['message'])}")
    print_quoted(state.out, post.text)
    state.out.print()


@review_app.command("approve")
def review_approve(
    ctx: typer.Context,
    as_user: AsOption,
    targets: Annotated[list[str] | None, typer.Argument(
        help="Kunci batch atau ID unggahan (boleh beberapa).", show_default=False)] = None,
    excepts: ExceptOption = None,
    region: RegionOption = None,
    platform: PlatformOption = None,
    stage: StageOption = None,
    date_from: FromOption = None,
    date_to: ToOption = None,
    yes: Annotated[bool, typer.Option(
        "--yes", help="Setujui tanpa bertanya (untuk skrip).")] = False,
    note: Annotated[str | None, typer.Option("--note", help="Catatan persetujuan.")] = None,
    override: Annotated[str | None, typer.Option(
        "--override", help="Admin: setujui walau bermasalah, dengan alasan tertulis.")] = None,
    password_stdin: PasswordStdinOption = False,
) -> None:
    """Setujui satu batch (bagian dalam wilayah Anda) atau satu unggahan; beberapa batch,
    atau semua yang cocok dengan --stage/--from/--to/--region/--platform, setelah
    ringkasan dikonfirmasi. Semua atau tidak sama sekali."""
    state: AppState = ctx.obj
    check_filters(state, regions=region, platforms=platform, stages=stage)
    filters = review_filters(region, platform, stage, date_from, date_to)
    chosen = list(dict.fromkeys(t.strip() for t in targets or ()))
    if len(chosen) == 1 and filters == PostFilter():
        actor = login(state, as_user, password_stdin)
        with session_scope(state.engine, write=True) as session:
            decision = approve(session, actor=actor, target=chosen[0], catalog=state.catalog,
                               checks=state.checks, now=state.clock.now(),
                               excepts=excepts or (), note=note, override_reason=override)
    else:
        selection = Selection(
            batches=tuple(t for t in chosen if not is_post_id(t)),
            posts=tuple(int(t) for t in chosen if is_post_id(t)), filters=filters,
            excepts=tuple(excepts or ()))
        selection.check()
        actor = login(state, as_user, password_stdin)
        decision = _approve_selection(state, actor, selection, yes=yes,
                                      can_ask=not password_stdin and sys.stdin.isatty(),
                                      note=note, override=override)
    _print_decision(state, decision, "disetujui")
    for post_id, problems in decision.overridden.items():
        state.out.print(f"  [yellow]#{post_id} dikesampingkan:[/] {escape('; '.join(problems))}")


@review_app.command("reject")
def review_reject(
    ctx: typer.Context,
    target: TargetArgument,
    as_user: AsOption,
    note: Annotated[str, typer.Option("--note", help="Alasan penolakan (wajib).")],
    excepts: ExceptOption = None,
    password_stdin: PasswordStdinOption = False,
) -> None:
    """Tolak satu batch atau satu unggahan, dengan catatan."""
    state: AppState = ctx.obj
    actor = login(state, as_user, password_stdin)
    with session_scope(state.engine, write=True) as session:
        decision = reject(session, actor=actor, target=target, note=note, now=state.clock.now(),
                          excepts=excepts or ())
    _print_decision(state, decision, "ditolak")


def _approve_selection(state: AppState, actor: Actor, selection: Selection, *, yes: bool,
                       can_ask: bool, note: str | None, override: str | None) -> Decision:
    """Summary, confirmation, then the approval of exactly what the summary counted."""
    tz = state.settings.timezone
    with session_scope(state.engine, write=False) as session:
        summary = bulk_summary(session, actor=actor, selection=selection, tz=tz,
                               now=state.clock.now())
    print_summary(state, summary)
    if not yes:
        if not can_ask:
            raise InputError("persetujuan massal perlu konfirmasi: jalankan di terminal, atau "
                             "tambahkan --yes untuk menyetujui tanpa bertanya")
        if not typer.confirm(f"Setujui {summary.posts} unggahan ini?", default=False):
            raise typer.Exit(1)
    with session_scope(state.engine, write=True) as session:
        return approve_many(session, actor=actor, selection=selection, tz=tz,
                            catalog=state.catalog, checks=state.checks, now=state.clock.now(),
                            expected=summary.fingerprint, note=note, override_reason=override)


def _print_decision(state: AppState, decision: Decision, verb: str) -> None:
    state.out.print(f"{len(decision.changed)} unggahan {verb}"
                    + (f"; {len(decision.skipped)} dilewati (dikecualikan atau tidak menunggu)"
                       if decision.skipped else "") + ".")
