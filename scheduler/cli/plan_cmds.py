"""Commands that plan posts and list them: plan, posts."""

from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from scheduler import localtime
from scheduler.cli.app import app
from scheduler.cli.auth import PasswordStdinOption, login
from scheduler.cli.filters import PlatformOption, RegionOption, check_filters
from scheduler.cli.ops_tables import compact, time_header
from scheduler.cli.output import OutputFormat, write_records
from scheduler.cli.parse import parse_date
from scheduler.cli.state import AppState
from scheduler.cli.tables import Cell, Col, Free, Layout, print_layouts, print_table
from scheduler.db import session_scope
from scheduler.labels import status_label
from scheduler.planning import PlanRequest, PlanSummary, validate_request
from scheduler.planning_parallel import plan_in_processes
from scheduler.posts import RECORD_FIELDS, PostFilter, iter_posts, post_record
from scheduler.users import MACHINE_ADMIN, PLANNER

PROGRESS_THRESHOLD = 2_000  # posts; below this a run is too short for a progress bar



@app.command("plan")
def plan_command(
    ctx: typer.Context,
    date_from: Annotated[str, typer.Option("--from", help="Tanggal awal (YYYY-MM-DD).")],
    date_to: Annotated[str, typer.Option("--to", help="Tanggal akhir, inklusif (YYYY-MM-DD).")],
    region: RegionOption = None,
    platform: PlatformOption = None,
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="Hitung saja; tidak ada yang disimpan.")] = False,
    as_user: Annotated[str | None, typer.Option(
        "--as", help="Pengguna yang merencanakan (bawaan: perencana sistem).")] = None,
    password_stdin: PasswordStdinOption = False,
    processes: Annotated[int | None, typer.Option(
        "--processes", min=1, help="Jumlah proses sekaligus (bawaan: SIAR_PLAN_PROCESSES); "
        "untuk perencana sistem dan nasional.")] = None,
) -> None:
    """Rencanakan unggahan untuk rentang tanggal (tidak menggandakan yang sudah ada)."""
    state: AppState = ctx.obj
    # Without --as: the system's planner (whoever runs it on the machine).
    check_filters(state, regions=region, platforms=platform)
    actor = login(state, as_user, password_stdin) if as_user else PLANNER
    request = PlanRequest(
        date_from=parse_date(date_from, "--from"), date_to=parse_date(date_to, "--to"),
        regions=tuple(region or ()), platforms=tuple(platform or ()), dry_run=dry_run)
    catalog = state.catalog
    validate_request(catalog, request)  # before touching the database
    with Progress(
        TextColumn("Merencanakan"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=state.err, transient=True, disable=not state.err.is_terminal,
    ) as bar:
        task = bar.add_task("plan", total=None, visible=False)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total, visible=total >= PROGRESS_THRESHOLD)

        settings = state.settings
        summary = plan_in_processes(
            state.engine, templates_dir=settings.templates_dir, catalog=catalog, request=request,
            now=state.clock.now(), actor=actor, processes=processes or settings.plan_processes,
            progress=progress, checks=state.checks)
    _print_summary(state, summary)


def _print_summary(state: AppState, summary: PlanSummary) -> None:
    request = summary.request
    title = (f"Rencana {localtime.format_date_short(request.date_from)} – "
             f"{localtime.format_date_short(request.date_to)}")
    if request.dry_run:
        title += " (uji coba, tidak disimpan)"
    # A joint activity outside every stage has none (scheduler.planning_activities).
    keys = sorted(set(summary.created) | set(summary.existing), key=lambda k: (k[0] or "", k[1]))
    cols = [Col("Tahapan"), Col("Platform"), Col("Baru", right=True),
            Col("Sudah ada", right=True)]
    rows: list[list[Cell]] = [[stage or "-", platform, str(summary.created[(stage, platform)]),
                               str(summary.existing[(stage, platform)])]
                              for stage, platform in keys]
    rows.append(["[bold]Jumlah[/]", "", f"[bold]{summary.total_created}[/]",
                 f"[bold]{summary.total_existing}[/]"])
    print_table(state.out, cols, rows, title=title)
    verb = "akan dibuat" if request.dry_run else "dibuat, menunggu tinjauan"
    state.out.print(f"{summary.total_created} unggahan {verb}; "
                    f"{summary.total_existing} sudah ada dan tidak diubah.")


def _posts_wide(records: list[dict[str, Any]]) -> Layout:
    """One line per post."""
    cols = [Col("ID", right=True), Col(_zone(records)), Col("Wilayah"), Col("Platform"),
            Col("Tahapan", drop=2), Col("Status"), Col("Teks", text=True, drop=1)]
    rows: list[list[Cell]] = [[str(r["id"]), compact(r["scheduled_at"]), r["region"], r["platform"],
             r["stage"] or "-", status_label(r["status"]), Free(r["text"])] for r in records]
    return cols, rows


def _posts_narrow(records: list[dict[str, Any]]) -> Layout:
    """Two lines per post: date over time, region over platform, stage over text."""
    cols = [Col("ID", right=True), Col(_zone(records)), Col("Akun"), Col("Status"),
            Col("Tahapan / teks", text=True, drop=1)]
    rows: list[list[Cell]] = [[str(r["id"]), compact(r["scheduled_at"]).replace(" ", "\n"),
             f"{r['region']}\n{r['platform']}", status_label(r["status"]),
             Free(r["text"], (r["stage"] or "-",))] for r in records]
    return cols, rows


def _zone(records: list[dict[str, Any]]) -> str:
    return time_header("Waktu", [r["scheduled_at"] for r in records])


TABLE_LIMIT = 50  # rows a table shows unless --limit or --all says otherwise


@app.command("posts")
def posts_command(
    ctx: typer.Context,
    region: RegionOption = None,
    platform: PlatformOption = None,
    stage: Annotated[list[str] | None, typer.Option("--stage", help="Kunci tahapan.")] = None,
    status: Annotated[list[str] | None, typer.Option(
        "--status", help="pending, approved, published, ...")] = None,
    batch: Annotated[str | None, typer.Option("--batch", help="Kunci batch.")] = None,
    date_from: Annotated[str | None, typer.Option("--from", help="Sejak tanggal.")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="Sampai tanggal.")] = None,
    limit: Annotated[int | None, typer.Option(
        "--limit", min=1, help="Paling banyak N (bawaan tabel: 50).")] = None,
    everything: Annotated[bool, typer.Option(
        "--all", help="Semua unggahan yang cocok, tanpa batas 50 baris tabel.")] = False,
    output: Annotated[OutputFormat, typer.Option(
        "--format", help="table, json atau csv (json/csv: semua yang cocok).")
    ] = OutputFormat.table,
) -> None:
    """Daftar unggahan, urut waktu terjadwal (waktu ditampilkan dalam WIB)."""
    state: AppState = ctx.obj
    check_filters(state, regions=region, platforms=platform, stages=stage, statuses=status)
    filters = PostFilter(
        regions=tuple(region or ()), platforms=tuple(platform or ()), stages=tuple(stage or ()),
        statuses=tuple(status or ()), batch=batch,
        date_from=parse_date(date_from, "--from") if date_from else None,
        date_to=parse_date(date_to, "--to") if date_to else None,
        limit=limit or (TABLE_LIMIT if output is OutputFormat.table and not everything
                        else None))
    tz = state.settings.timezone
    with session_scope(state.engine, write=False) as session:
        # Whoever runs the command line on the machine reads the database anyway.
        found = iter_posts(session, actor=MACHINE_ADMIN, filters=filters, tz=tz)
        records = (post_record(p, tz) for p in found)
        if output is not OutputFormat.table:
            write_records(records, output, RECORD_FIELDS)
            return
        shown = list(records)
        print_layouts(state.out, [_posts_wide(shown), _posts_narrow(shown)])
        count = len(shown)
        capped = limit is None and not everything and count == TABLE_LIMIT
        state.out.print(f"{count} unggahan" + (
            " (batas tabel tercapai; pakai --limit N, --all atau --format csv)" if capped
            else "") + ".")
