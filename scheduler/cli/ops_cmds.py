"""Operators' commands: run, status, history, post show/resolve, account list/pause/resume."""

import logging
from collections.abc import Mapping
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from scheduler import localtime
from scheduler.accounts import list_accounts, pause_account, resume_account
from scheduler.adapters.base import Adapter
from scheduler.cli.app import app
from scheduler.cli.auth import AsOption, PasswordStdinOption, login
from scheduler.cli.filters import PlatformOption, RegionOption, check_filters
from scheduler.cli.ops_tables import (
    accounts_layouts,
    events_layouts,
    history_layouts,
    next_due_layout,
    where,
)
from scheduler.cli.output import OutputFormat, write_rows
from scheduler.cli.parse import parse_date
from scheduler.cli.plan_cmds import TABLE_LIMIT
from scheduler.cli.post_cmds import NoteOption, PostIdArgument, post_app
from scheduler.cli.review_cmds import print_post
from scheduler.cli.state import AppState
from scheduler.cli.tables import print_cut, print_layouts, print_quoted, print_table
from scheduler.db import session_scope
from scheduler.event_details import detail_lines
from scheduler.history import (
    HISTORY_FIELDS,
    history_record,
    iter_history,
    iter_history_rows,
    status_report,
    timeline,
)
from scheduler.labels import event_label, status_label
from scheduler.logs import configure_logging
from scheduler.ops_view import due_unapproved_by_office
from scheduler.posts import PostFilter
from scheduler.publishing.attempt import Outcome
from scheduler.publishing.reconcile import resolve
from scheduler.token_warnings import token_warnings
from scheduler.users import MACHINE_ADMIN
from scheduler.worker import Worker

PROBLEMS_SHOWN = 10  # problem posts listed by `siar status`; history has the rest
OFFICES_SHOWN = 10  # offices with unapproved posts due soon, earliest first

account_app = typer.Typer(help="Akun media sosial: daftar, jeda, lanjutkan (accounts).",
                          no_args_is_help=True)
app.add_typer(account_app, name="account")


@app.command("run")
def run_command(
    ctx: typer.Context,
    once: Annotated[bool, typer.Option(
        "--once", help="Terbitkan yang jatuh tempo sekarang, lalu selesai.")] = False,
) -> None:
    """Jalankan pekerja: rencanakan tiap hari dan terbitkan unggahan tepat waktunya."""
    state: AppState = ctx.obj
    configure_logging(state.settings)
    worker = Worker(state.engine, state.catalog, state.settings, state.clock,
                    state.app.adapters(), reload_content=True)
    if once:
        outcomes = _run_once(state, worker)
        counts: dict[str, int] = {}
        for outcome in outcomes:
            counts[outcome.status] = counts.get(outcome.status, 0) + 1
        summary = ", ".join(f"{status_label(status)}: {n}"
                            for status, n in sorted(counts.items()))
        state.out.print(f"{len(outcomes)} unggahan diproses" + (f" ({summary})" if summary
                                                                  else "") + ".")
        if worker.missed:
            state.out.print(f"{worker.missed} unggahan terlewat batas waktunya dan tidak "
                            "diterbitkan (terlewat): lihat `siar posts --status missed`.")
        return
    logging.getLogger("scheduler").info(
        "pekerja %s mulai (konkurensi %s); hentikan dengan Ctrl+C atau SIGTERM", worker.name,
        state.settings.worker_concurrency)
    worker.run_forever()


def _run_once(state: AppState, worker: Worker) -> list[Outcome]:
    """The worker's one pass; on a terminal, with a progress bar as posts finish."""
    if not state.out.is_terminal:
        return worker.run_once()
    with Progress(TextColumn("Menerbitkan"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=state.out, transient=True) as bar:
        task = bar.add_task("terbit", total=None)
        return worker.run_once(lambda done, known: bar.update(task, completed=done,
                                                               total=max(known, 1)))


@app.command("status")
def status_command(ctx: typer.Context) -> None:
    """Ringkasan: jumlah per status, unggahan berikutnya, masalah 24 jam, akun dijeda, kuota."""
    state: AppState = ctx.obj
    tz = state.settings.timezone
    factory = state.app.adapters()
    with session_scope(state.engine, write=False) as session:
        # Like `siar user` without --as: whoever runs siar here reads every region.
        report = status_report(session, actor=MACHINE_ADMIN, now=state.clock.now(),
                               route=factory.route)
        waiting = due_unapproved_by_office(session, actor=MACHINE_ADMIN, now=state.clock.now())
    state.out.print("[bold]Jumlah per status:[/] " + ", ".join(
        f"{status_label(status)} {count}" for status, count in sorted(report.counts.items())))
    if report.next_due:
        print_table(state.out, *next_due_layout(report.next_due, tz, state.clock.now()),
                    title="Berikutnya")
    else:
        state.out.print("[bold]Berikutnya:[/] tidak ada unggahan disetujui yang menunggu")
    state.out.print(f"[bold]Belum disetujui, jatuh tempo dalam 24 jam:[/] "
                    f"{sum(count for _, count, _ in waiting)}"
                    + (f" di {len(waiting)} kantor" if waiting else ""))
    for region, count, first in waiting[:OFFICES_SHOWN]:
        state.out.print(f"  {region}: {count} unggahan, pertama "
                        f"{localtime.format_compact(first, tz)}")
    if len(waiting) > OFFICES_SHOWN:
        state.out.print(f"  ... dan {len(waiting) - OFFICES_SHOWN} kantor lainnya")
    if waiting:
        state.out.print("  (siar review list --region WILAYAH)")
    problems = report.recent_problems
    state.out.print(f"[bold]Gagal/tidak pasti/terlewat (24 jam):[/] {len(problems)}")
    for post in problems[:PROBLEMS_SHOWN]:
        print_cut(state.out, f"  #{post.id} {post.region_key}/{post.platform} "
                             f"{status_label(post.status)}: ", post.last_error or "-")
    if len(problems) > PROBLEMS_SHOWN:
        state.out.print(f"  … dan {len(problems) - PROBLEMS_SHOWN} lainnya (siar history "
                        "--status failed --status uncertain --status missed)")
    state.out.print(f"[bold]Akun dijeda:[/] {len(report.paused)}")
    for account in report.paused:
        print_cut(state.out, f"  {account.region_key}/{account.platform}: ",
                  account.paused_reason or "-")
    state.out.print(f"[bold]Akun ditahan (tidak menerbitkan):[/] {len(report.held)}")
    for key, reason in report.held[:PROBLEMS_SHOWN]:
        print_cut(state.out, f"  {key}: ", reason)
    if len(report.held) > PROBLEMS_SHOWN:
        state.out.print(f"  … dan {len(report.held) - PROBLEMS_SHOWN} lainnya "
                        "(siar account list)")
    if report.quotas:
        state.out.print("[bold]Kuota 24 jam:[/] " + ", ".join(
            f"{q.account} {q.used}/{q.quota}" for q in report.quotas))
    if not report.workers:
        state.out.print("[bold]Pekerja:[/] belum pernah berjalan (siar run)")
    for worker in report.workers:
        state.out.print(f"[bold]Pekerja:[/] {escape(worker.name)}, detak terakhir "
                        f"{localtime.format_compact(worker.last_beat, tz)}"
                        + (" (tidak aktif)" if worker.stale else ""))
    _token_warnings(state, factory.adapters)


def _token_warnings(state: AppState, adapters: Mapping[str, type[Adapter]]) -> None:
    """Connected accounts whose token needs a person within seven days (issue 13)."""
    now, tz = state.clock.now(), state.settings.timezone
    with session_scope(state.engine, write=False) as session:
        warnings = token_warnings(session, actor=MACHINE_ADMIN, now=now, adapters=adapters)
    if warnings:
        state.out.print(f"[bold]Token akun perlu perhatian (7 hari):[/] {len(warnings)}")
    for warning in warnings:
        state.out.print("  " + escape(warning.text(localtime.format_compact(warning.ends, tz),
                                                   now)))


@app.command("history")
def history_command(
    ctx: typer.Context,
    region: RegionOption = None,
    platform: PlatformOption = None,
    stage: Annotated[list[str] | None, typer.Option("--stage", help="Kunci tahapan.")] = None,
    status: Annotated[list[str] | None, typer.Option(
        "--status", help="published, failed, uncertain, ...")] = None,
    since: Annotated[str | None, typer.Option(
        "--from", "--since", help="Sejak tanggal (lokal).")] = None,
    until: Annotated[str | None, typer.Option(
        "--to", "--until", help="Sampai tanggal (lokal).")] = None,
    limit: Annotated[int | None, typer.Option(
        "--limit", min=1, help="Paling banyak N (bawaan tabel: 50).")] = None,
    output: Annotated[OutputFormat, typer.Option(
        "--format", help="table, csv atau json (csv/json dialirkan).")] = OutputFormat.table,
) -> None:
    """Riwayat penerbitan, terbaru dulu: apa terbit di mana, apa gagal dan mengapa."""
    state: AppState = ctx.obj
    check_filters(state, regions=region, platforms=platform, stages=stage, statuses=status)
    tz = state.settings.timezone
    table_limit = limit or TABLE_LIMIT
    filters = PostFilter(
        regions=tuple(region or ()), platforms=tuple(platform or ()), stages=tuple(stage or ()),
        statuses=tuple(status or ()), date_from=parse_date(since, "--from") if since else None,
        date_to=parse_date(until, "--to") if until else None,
        limit=limit if output is not OutputFormat.table else table_limit)
    with session_scope(state.engine, write=False) as session:
        if output is not OutputFormat.table:
            write_rows(iter_history_rows(session, actor=MACHINE_ADMIN, filters=filters, tz=tz),
                       output, HISTORY_FIELDS)
            return
        records = (history_record(p, tz) for p in iter_history(
            session, actor=MACHINE_ADMIN, filters=filters, tz=tz))
        shown = list(records)
    print_layouts(state.out, history_layouts(shown))
    count = len(shown)
    state.out.print(f"{count} unggahan" + (" (batas tercapai; pakai --limit atau --format csv)"
                                           if limit is None and count == table_limit
                                           else "") + ".")


@post_app.command("show")
def post_show(ctx: typer.Context, post_id: PostIdArgument) -> None:
    """Satu unggahan dengan seluruh riwayatnya (timeline)."""
    state: AppState = ctx.obj
    tz = state.settings.timezone
    with session_scope(state.engine, write=False) as session:
        post, events = timeline(session, actor=MACHINE_ADMIN, post_id=post_id)
    print_post(state, post)
    if post.platform_url:
        state.out.print(f"Tautan: {escape(where(post.platform_url) or '')}")
    if post.published_via:
        state.out.print(f"Diterbitkan lewat: {post.published_via}")
    if post.last_error:
        state.out.print(f"Catatan terakhir: {escape(post.last_error)}")
    print_layouts(state.out, events_layouts(events, tz), title=f"Riwayat #{post.id}",
                  shown_below=True)  # each note whole, under the table
    explained = [(number, event_label(event.kind), lines)
                 for number, event in enumerate(events, start=1)
                 if (lines := ([f"catatan: {event.note}"] if event.note else [])
                     + detail_lines(event.kind, event.details, where))]
    for number, kind, lines in explained:
        state.out.print(f"[bold]{number}. {kind}[/]")
        for line in lines:
            print_quoted(state.out, line, gutter="   ")


@post_app.command("resolve")
def post_resolve(
    ctx: typer.Context,
    post_id: Annotated[int, typer.Argument(help="ID unggahan uncertain atau failed.")],
    as_user: AsOption,
    published: Annotated[str | None, typer.Option(
        "--published", help="Sudah terbit: tautannya di platform.")] = None,
    retry: Annotated[bool, typer.Option("--retry", help="Belum terbit: kirim lagi.")] = False,
    note: NoteOption = None,
    password_stdin: PasswordStdinOption = False,
) -> None:
    """Putuskan nasib unggahan yang tidak pasti atau gagal (operator)."""
    state: AppState = ctx.obj
    actor = login(state, as_user, password_stdin)
    with session_scope(state.engine, write=True) as session:
        post = resolve(session, actor=actor, post_id=post_id, now=state.clock.now(),
                       published_url=published, retry=retry, note=note)
    state.out.print(f"Unggahan #{post.id}: {status_label(post.status)}.")


@account_app.command("list")
def account_list(ctx: typer.Context, region: RegionOption = None) -> None:
    """Daftar akun dan statusnya (aktif, dijeda, kredensial)."""
    state: AppState = ctx.obj
    check_filters(state, regions=region)
    factory = state.app.adapters()
    with session_scope(state.engine, write=False) as session:
        accounts = [a for a in list_accounts(session, actor=MACHINE_ADMIN)
                    if not region or a.region_key in region]
    rows = []
    for account in accounts:
        route = factory.route(account)
        status = ("dijeda", account.paused_reason or "") if account.paused_at else (
            (("aktif", "") if route.adapter else ("ditahan", route.held or "")) if account.enabled
            else ("nonaktif", ""))
        rows.append((account, route.name or "-", status))
    print_layouts(state.out, accounts_layouts(rows))


@account_app.command("pause")
def account_pause(ctx: typer.Context,
                  key: Annotated[str, typer.Argument(help="wilayah/platform")],
                  as_user: AsOption,
                  note: Annotated[str, typer.Option("--note", help="Alasan (wajib).")],
                  password_stdin: PasswordStdinOption = False) -> None:
    """Jeda penerbitan ke satu akun; unggahannya menunggu."""
    state: AppState = ctx.obj
    actor = login(state, as_user, password_stdin)
    with session_scope(state.engine, write=True) as session:
        pause_account(session, actor=actor, key=key, now=state.clock.now(), reason=note)
    state.out.print(f"Akun {key} dijeda.")


@account_app.command("resume")
def account_resume(ctx: typer.Context,
                   key: Annotated[str, typer.Argument(help="wilayah/platform")],
                   as_user: AsOption, password_stdin: PasswordStdinOption = False) -> None:
    """Lanjutkan penerbitan ke akun yang dijeda."""
    state: AppState = ctx.obj
    actor = login(state, as_user, password_stdin)
    with session_scope(state.engine, write=True) as session:
        resume_account(session, actor=actor, key=key)
    state.out.print(f"Akun {key} aktif kembali.")
