"""`siar review`: pending batches, one batch's variants, approve, reject."""

from typing import Annotated

import typer
from rich.markup import escape

from scheduler import localtime
from scheduler.cli.app import app
from scheduler.cli.auth import AsOption, PasswordStdinOption, login
from scheduler.cli.filters import check_filters
from scheduler.cli.parse import parse_date
from scheduler.cli.plan_cmds import PlatformOption, RegionOption
from scheduler.cli.state import AppState
from scheduler.db import session_scope
from scheduler.labels import status_label
from scheduler.models import Post
from scheduler.posts import PostFilter
from scheduler.review import Decision, approve, list_batches, reject, show

review_app = typer.Typer(help="Tinjauan: daftar, lihat, setujui, tolak (review).",
                         no_args_is_help=True)
app.add_typer(review_app, name="review")

ExceptOption = Annotated[list[int] | None, typer.Option(
    "--except", help="ID unggahan yang dikecualikan dari batch (boleh berulang).")]
TargetArgument = Annotated[str, typer.Argument(help="Kunci batch, atau ID satu unggahan.")]


@review_app.command("list")
def review_list(
    ctx: typer.Context,
    as_user: AsOption,
    region: RegionOption = None,
    platform: PlatformOption = None,
    stage: Annotated[list[str] | None, typer.Option("--stage", help="Kunci tahapan.")] = None,
    date_from: Annotated[str | None, typer.Option("--from", help="Sejak tanggal.")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="Sampai tanggal.")] = None,
    password_stdin: PasswordStdinOption = False,
) -> None:
    """Batch yang menunggu tinjauan, dengan jumlah, platform dan satu contoh teks."""
    state: AppState = ctx.obj
    check_filters(state, regions=region, platforms=platform, stages=stage)
    actor = login(state, as_user, password_stdin)
    filters = PostFilter(regions=tuple(region or ()), platforms=tuple(platform or ()),
                         stages=tuple(stage or ()),
                         date_from=parse_date(date_from, "--from") if date_from else None,
                         date_to=parse_date(date_to, "--to") if date_to else None)
    tz = state.settings.timezone
    with session_scope(state.engine, write=False) as session:
        batches = list_batches(session, actor=actor, filters=filters, tz=tz)
    state.out.print(f"[bold]Menunggu tinjauan[/] ({actor.name}, {actor.region_key})\n")
    for b in batches:
        sample = b.sample_text.replace("\n", " ")
        problems = f"[red]{b.with_problems} bermasalah[/]" if b.with_problems else "0 bermasalah"
        state.out.print(
            f"[bold]{escape(b.batch)}[/]  {localtime.format_compact(b.scheduled_at, tz)}\n"
            f"  {b.pending} unggahan · {b.regions} wilayah · {', '.join(b.platforms)} · "
            f"{problems}\n  [dim]#{b.sample_id}:[/] "
            f"{escape(sample[:140] + ('…' if len(sample) > 140 else ''))}\n")
    state.out.print(f"{len(batches)} batch, {sum(b.pending for b in batches)} unggahan menunggu.")


@review_app.command("show")
def review_show(ctx: typer.Context, target: TargetArgument, as_user: AsOption,
                password_stdin: PasswordStdinOption = False) -> None:
    """Semua varian satu batch (atau satu unggahan) beserta masalahnya."""
    state: AppState = ctx.obj
    actor = login(state, as_user, password_stdin)
    with session_scope(state.engine, write=False) as session:
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
    for line in post.text.splitlines():
        state.out.print(f"  │ {escape(line)}")
    state.out.print()


@review_app.command("approve")
def review_approve(
    ctx: typer.Context,
    target: TargetArgument,
    as_user: AsOption,
    excepts: ExceptOption = None,
    note: Annotated[str | None, typer.Option("--note", help="Catatan persetujuan.")] = None,
    override: Annotated[str | None, typer.Option(
        "--override", help="Admin: setujui walau bermasalah, dengan alasan tertulis.")] = None,
    password_stdin: PasswordStdinOption = False,
) -> None:
    """Setujui satu batch (bagian dalam wilayah Anda) atau satu unggahan."""
    state: AppState = ctx.obj
    actor = login(state, as_user, password_stdin)
    with session_scope(state.engine, write=True) as session:
        decision = approve(session, actor=actor, target=target, catalog=state.catalog,
                           checks=state.checks, now=state.clock.now(), excepts=excepts or (),
                           note=note, override_reason=override)
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


def _print_decision(state: AppState, decision: Decision, verb: str) -> None:
    state.out.print(f"{len(decision.changed)} unggahan {verb}"
                    + (f"; {len(decision.skipped)} dilewati (dikecualikan atau tidak menunggu)"
                       if decision.skipped else "") + ".")
