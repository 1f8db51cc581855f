"""Operators' commands: run, status, history, post show/resolve, account list/pause/resume."""

import logging
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from scheduler import localtime
from scheduler.accounts import list_accounts, pause_account, resume_account
from scheduler.adapters.base import Adapter
from scheduler.cli.app import app
from scheduler.cli.auth import AsOption, PasswordStdinOption, login
from scheduler.cli.filters import check_filters
from scheduler.cli.output import OutputFormat, write_rows
from scheduler.cli.parse import parse_date
from scheduler.cli.plan_cmds import PlatformOption, RegionOption
from scheduler.cli.post_cmds import NoteOption, PostIdArgument, post_app
from scheduler.cli.review_cmds import print_post
from scheduler.cli.state import AppState
from scheduler.db import session_scope
from scheduler.event_details import detail_lines
from scheduler.history import (
    HISTORY_FIELDS,
    HistoryFilter,
    history_record,
    iter_history,
    iter_history_rows,
    status_report,
    timeline,
)
from scheduler.labels import actor_label, event_label, status_label
from scheduler.logs import configure_logging
from scheduler.ops_view import due_unapproved_by_office
from scheduler.publishing.attempt import Outcome
from scheduler.publishing.reconcile import resolve
from scheduler.token_warnings import token_warnings
from scheduler.users import MACHINE_ADMIN
from scheduler.worker import Worker

PROBLEMS_SHOWN = 10  # problem posts listed by `siar status`; history has the rest

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
                    state.app.adapters())
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
    table = Table(title="Berikutnya")
    for column in ("ID", "Jatuh tempo", "Wilayah", "Platform", "Status"):
        table.add_column(column)
    for post in report.next_due:
        table.add_row(str(post.id), localtime.format_compact(post.due_at, tz), post.region_key,
                      post.platform, status_label(post.status))
    state.out.print(table)
    state.out.print(f"[bold]Belum disetujui, jatuh tempo dalam 24 jam:[/] "
                    f"{sum(count for _, count, _ in waiting)}")
    for region, count, first in waiting:
        state.out.print(f"  {region}: {count} unggahan, pertama "
                        f"{localtime.format_compact(first, tz)} (siar review list --region "
                        f"{region})")
    problems = report.recent_problems
    state.out.print(f"[bold]Gagal/tidak pasti/terlewat (24 jam):[/] {len(problems)}")
    for post in problems[:PROBLEMS_SHOWN]:
        state.out.print(f"  #{post.id} {post.region_key}/{post.platform} "
                        f"{status_label(post.status)}: "
                        f"{escape(post.last_error or '-')}")
    if len(problems) > PROBLEMS_SHOWN:
        state.out.print(f"  … dan {len(problems) - PROBLEMS_SHOWN} lainnya (siar history "
                        "--status failed --status uncertain --status missed)")
    state.out.print(f"[bold]Akun dijeda:[/] {len(report.paused)}")
    for account in report.paused:
        state.out.print(f"  {account.region_key}/{account.platform}: "
                        f"{escape(account.paused_reason or '-')}")
    state.out.print(f"[bold]Akun ditahan (tidak menerbitkan):[/] {len(report.held)}")
    for key, reason in report.held[:PROBLEMS_SHOWN]:
        state.out.print(f"  {key}: {escape(reason)}")
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
    table_limit = limit or 50
    filters = HistoryFilter(
        regions=tuple(region or ()), platforms=tuple(platform or ()), stages=tuple(stage or ()),
        statuses=tuple(status or ()), since=parse_date(since, "--from") if since else None,
        until=parse_date(until, "--to") if until else None,
        limit=limit if output is not OutputFormat.table else table_limit)
    with session_scope(state.engine, write=False) as session:
        if output is not OutputFormat.table:
            write_rows(iter_history_rows(session, actor=MACHINE_ADMIN, filters=filters, tz=tz),
                       output, HISTORY_FIELDS)
            return
        records = (history_record(p, tz) for p in iter_history(
            session, actor=MACHINE_ADMIN, filters=filters, tz=tz))
        table = Table()
        table.add_column("ID", justify="right")
        table.add_column("Terjadwal", no_wrap=True)
        table.add_column("Akun", no_wrap=True)
        table.add_column("Status", no_wrap=True)
        table.add_column("Terbit", no_wrap=True)
        table.add_column("Lewat", no_wrap=True)
        table.add_column("Tautan / galat", overflow="fold")
        count = 0
        for r in records:
            count += 1
            table.add_row(str(r["id"]), _short(r["scheduled_at"]),
                          f"{r['region']}/{r['platform']}", status_label(r["status"]),
                          _published(r["scheduled_at"], r["published_at"]),
                          r["published_via"] or "",
                          escape(_where(r["platform_url"]) or r["last_error"] or ""))
    state.out.print(table)
    state.out.print(f"{count} unggahan" + (" (batas tercapai; pakai --limit atau --format csv)"
                                           if count == table_limit else "") + ".")


def _where(url: str | None) -> str | None:
    """A link as people want to see it; outbox files by their path, relative to here when
    they are under the current folder."""
    if not url or not url.startswith("file://"):
        return url
    path = Path(url.removeprefix("file://"))
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _published(scheduled: str | None, published: str | None) -> str:
    """When it went out (local HH.MM, with the date if another day) and how late."""
    if not scheduled or not published:
        return "-"
    planned, went = datetime.fromisoformat(scheduled), datetime.fromisoformat(published)
    shown = f"{went:%H.%M}" if went.date() == planned.date() else f"{went:%Y-%m-%d %H.%M}"
    late = int((went - planned).total_seconds() // 60)
    return shown if late < 1 else f"{shown} (+{late} mnt)"


def _short(iso: str | None) -> str:
    return iso[:16].replace("T", " ") if iso else "-"


@post_app.command("show")
def post_show(ctx: typer.Context, post_id: PostIdArgument) -> None:
    """Satu unggahan dengan seluruh riwayatnya (timeline)."""
    state: AppState = ctx.obj
    tz = state.settings.timezone
    with session_scope(state.engine, write=False) as session:
        post, events = timeline(session, actor=MACHINE_ADMIN, post_id=post_id)
    print_post(state, post)
    if post.platform_url:
        state.out.print(f"Tautan: {escape(post.platform_url)}")
    if post.published_via:
        state.out.print(f"Diterbitkan lewat: {post.published_via}")
    if post.last_error:
        state.out.print(f"Catatan terakhir: {escape(post.last_error)}")
    table = Table(title=f"Riwayat #{post.id}")
    for column in ("Waktu", "Kejadian", "Oleh", "Status", "Catatan"):
        table.add_column(column, overflow="fold")
    explained = []
    for number, event in enumerate(events, start=1):
        change = status_label(event.to_status) if event.from_status == event.to_status else \
            f"{status_label(event.from_status)} → {status_label(event.to_status)}"
        table.add_row(f"{number}. {localtime.format_compact(event.at, tz)}",
                      event_label(event.kind), escape(actor_label(event.actor)), change,
                      escape(event.note or ""))
        lines = detail_lines(event.kind, event.details)
        if lines:
            explained.append((number, event_label(event.kind), lines))
    state.out.print(table)
    for number, kind, lines in explained:
        state.out.print(f"[bold]{number}. {kind}[/]")
        for line in lines:
            state.out.print(f"   {escape(line)}", soft_wrap=True)


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
    table = Table()
    table.add_column("Akun", no_wrap=True)
    table.add_column("Handle", overflow="fold")
    table.add_column("Terbit lewat", no_wrap=True)
    table.add_column("Status", overflow="fold")  # a missing variable's whole name
    for account in accounts:
        route = factory.route(account)
        status = ("dijeda: " + (account.paused_reason or "")) if account.paused_at else (
            ("aktif" if route.adapter else f"ditahan: {route.held}") if account.enabled
            else "nonaktif")
        table.add_row(f"{account.region_key}/{account.platform}", account.handle,
                      route.name or "-", escape(status))
    state.out.print(table)


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
