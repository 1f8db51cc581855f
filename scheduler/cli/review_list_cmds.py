"""`siar review` and its `list`: the group, the options the review commands share, and
the pending batches. Its own module so that `siar review list`, run often, imports no
more than it needs (scheduler.cli_loading); the other review commands are in
review_cmds."""

from typing import Annotated

import typer
from rich.markup import escape

from scheduler import localtime
from scheduler.cli.app import app
from scheduler.cli.auth import AsOption, PasswordStdinOption, login
from scheduler.cli.filters import PlatformOption, RegionOption, check_filters
from scheduler.cli.parse import parse_date
from scheduler.cli.state import AppState
from scheduler.cli.tables import print_cut
from scheduler.db import session_scope
from scheduler.posts import PostFilter
from scheduler.review_queue import list_batches

review_app = typer.Typer(help="Tinjauan: daftar, lihat, setujui, tolak (review).",
                         no_args_is_help=True)
app.add_typer(review_app, name="review")

StageOption = Annotated[list[str] | None, typer.Option("--stage", help="Kunci tahapan.")]
FromOption = Annotated[str | None, typer.Option("--from", help="Sejak tanggal (YYYY-MM-DD).")]
ToOption = Annotated[str | None, typer.Option("--to", help="Sampai tanggal (YYYY-MM-DD).")]


@review_app.command("list")
def review_list(
    ctx: typer.Context,
    as_user: AsOption,
    region: RegionOption = None,
    platform: PlatformOption = None,
    stage: StageOption = None,
    date_from: FromOption = None,
    date_to: ToOption = None,
    password_stdin: PasswordStdinOption = False,
) -> None:
    """Batch yang menunggu tinjauan, dengan jumlah, platform dan satu contoh teks."""
    state: AppState = ctx.obj
    check_filters(state, regions=region, platforms=platform, stages=stage)
    actor = login(state, as_user, password_stdin)
    filters = review_filters(region, platform, stage, date_from, date_to)
    tz = state.settings.timezone
    with session_scope(state.engine, write=False) as session:
        batches = list_batches(session, actor=actor, filters=filters, tz=tz)
    state.out.print(f"[bold]Menunggu tinjauan[/] ({actor.name}, {actor.region_key})\n")
    for b in batches:
        sample = b.sample_text
        problems = f"[red]{b.with_problems} bermasalah[/]" if b.with_problems else "0 bermasalah"
        state.out.print(
            f"[bold]{escape(b.batch)}[/]  {localtime.format_compact(b.scheduled_at, tz)}\n"
            f"  {b.pending} unggahan · {b.regions} wilayah · {', '.join(b.platforms)} · "
            f"{problems}")
        print_cut(state.out, f"  #{b.sample_id}: ", sample, style="dim")
        state.out.print()
    state.out.print(f"{len(batches)} batch, {sum(b.pending for b in batches)} unggahan menunggu.")


def review_filters(region: list[str] | None, platform: list[str] | None,
                   stage: list[str] | None, date_from: str | None,
                   date_to: str | None) -> PostFilter:
    return PostFilter(regions=tuple(region or ()), platforms=tuple(platform or ()),
                      stages=tuple(stage or ()),
                      date_from=parse_date(date_from, "--from") if date_from else None,
                      date_to=parse_date(date_to, "--to") if date_to else None)
