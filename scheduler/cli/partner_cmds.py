"""Partners and MoUs: `siar partners` (MoUs and PKS with their expiry) and
`siar partners report` (joint activities per office and period)."""

from typing import Annotated

import typer
from rich.markup import escape

from scheduler import localtime
from scheduler.cli.app import app
from scheduler.cli.filters import check_filters, one
from scheduler.cli.output import OutputFormat, write_records
from scheduler.cli.parse import parse_date
from scheduler.cli.state import AppState
from scheduler.cli.tables import Cell, Col, Free, print_table
from scheduler.db import session_scope
from scheduler.partners_report import (
    PARTNER_FIELDS,
    REPORT_FIELDS,
    PartnerLine,
    activity_report,
    partner_lines,
)
from scheduler.users import MACHINE_ADMIN

partners_app = typer.Typer(
    help="Mitra ber-MoU dengan KPU RI: daftar MoU dan PKS beserta masa berlakunya, dan "
         "laporan kegiatan bersama (partners).", invoke_without_command=True)
app.add_typer(partners_app, name="partners")

FormatOption = Annotated[OutputFormat, typer.Option(
    "--format", help="table, csv atau json.")]


@partners_app.callback()
def partners_command(
    ctx: typer.Context,
    expiring_days: Annotated[int, typer.Option(
        "--expiring-days", min=0,
        help="Tandai MoU/PKS yang berakhir dalam sekian hari (bawaan 60).")] = 60,
    region: Annotated[str | None, typer.Option(
        "--region", help="Hanya mitra yang punya PKS dengan kantor ini atau provinsinya.")]
    = None,
    output: FormatOption = OutputFormat.table,
) -> None:
    """Daftar mitra: MoU dengan KPU RI dan PKS tiap kantor, yang segera berakhir ditandai."""
    if ctx.invoked_subcommand is not None:
        return
    state: AppState = ctx.obj
    check_filters(state, regions=one(region))
    today = state.clock.now().astimezone(state.settings.timezone).date()
    lines = partner_lines(state.catalog, today=today, region=region,
                          expiring_days=expiring_days)
    if output is not OutputFormat.table:
        write_records((line.record() for line in lines), output, PARTNER_FIELDS)
        return
    cols = [Col("Mitra", text=True), Col("Jenis", drop=1), Col("MoU KPU RI"),
            Col("PKS per kantor")]
    rows: list[list[Cell]] = []
    for line in lines:
        mou = line.partner.mou
        key = f"[bold yellow]{line.partner.key}[/]" if line.expiring else line.partner.key
        rows.append([Free(line.partner.name, (key,)),
                     escape(line.partner.kind_label),
                     f"{escape(mou.number)}\ns.d. {mou.valid_until.isoformat()}\n"
                     f"{_days(line.days_left)}" if mou else "[red]belum ada[/]",
                     "\n".join(f"{a.region_key} s.d. {a.end.isoformat()}\n  {escape(a.number)}"
                               for a in line.agreements) or "-"])
    print_table(state.out, cols, rows, title=f"Mitra per {localtime.format_date_short(today)}")
    expiring = [line for line in lines if line.expiring]
    state.out.print(f"{len(lines)} mitra; {len(expiring)} dengan MoU/PKS yang berakhir dalam "
                    f"{expiring_days} hari atau sudah berakhir" + (":" if expiring else "."))
    for line in expiring:
        state.out.print(f"  {escape(line.partner.name)}: {escape(_ending(line, expiring_days))}")


def _days(days: int | None) -> str:
    if days is None:
        return "-"
    return f"sisa {days} hari" if days >= 0 else f"berakhir {-days} hari lalu"


def _ending(line: PartnerLine, window: int) -> str:
    parts = []
    mou = line.partner.mou
    if mou is None:
        parts.append("belum ada MoU dengan KPU RI")
    elif line.days_left is not None and line.days_left <= window:
        parts.append(f"MoU {mou.number} {_ends(line.days_left)}")
    parts += [f"PKS {a.region_key} {a.number} {_ends(a.days_left)}"
              for a in line.agreements if a.days_left <= window]
    return "; ".join(parts)


def _ends(days: int) -> str:
    return f"berakhir {-days} hari lalu" if days < 0 else f"berakhir dalam {days} hari"


@partners_app.command("report")
def report_command(
    ctx: typer.Context,
    date_from: Annotated[str, typer.Option("--from", help="Tanggal awal (YYYY-MM-DD).")],
    date_to: Annotated[str, typer.Option("--to", help="Tanggal akhir, inklusif (YYYY-MM-DD).")],
    region: Annotated[list[str] | None, typer.Option(
        "--region", help="Kunci wilayah (boleh berulang).")] = None,
    output: FormatOption = OutputFormat.table,
) -> None:
    """Laporan kegiatan bersama per kantor dan periode, dengan jumlah unggahannya."""
    state: AppState = ctx.obj
    check_filters(state, regions=region)
    with session_scope(state.engine, write=False) as session:
        # Like `siar posts`: whoever runs the command line on the machine reads everything.
        lines = activity_report(session, actor=MACHINE_ADMIN, catalog=state.catalog,
                                date_from=parse_date(date_from, "--from"),
                                date_to=parse_date(date_to, "--to"), regions=tuple(region or ()))
    if output is not OutputFormat.table:
        write_records((line.record() for line in lines), output, REPORT_FIELDS)
        return
    cols = [Col("Kantor"), Col("Tanggal"), Col("Templat"), Col("Rencana", right=True),
            Col("Terbit", right=True), Col("Kegiatan · mitra", text=True, drop=1)]
    rows: list[list[Cell]] = [
        [line.activity.region_key, line.activity.date.isoformat(), line.activity.template,
         str(line.planned), str(line.published),
         Free(f"{line.activity.title} · {line.partner}")] for line in lines]
    print_table(state.out, cols, rows, title=f"Kegiatan bersama {date_from} – {date_to}")
    state.out.print(f"{len(lines)} kegiatan bersama.")
