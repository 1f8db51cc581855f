"""`siar results`: record a region's results as officially announced, and list them."""

from typing import Annotated

import typer
from rich.markup import escape

from scheduler import localtime
from scheduler.cli.app import app
from scheduler.cli.auth import AsOption, PasswordStdinOption, login
from scheduler.cli.filters import check_filters, one
from scheduler.cli.parse import parse_instant
from scheduler.cli.state import AppState
from scheduler.cli.tables import Cell, Col, Free, print_table
from scheduler.db import session_scope
from scheduler.results import announce
from scheduler.results_view import announcement_rows, office_zone

results_app = typer.Typer(
    help="Hasil resmi per wilayah: catat pengumuman, lihat catatan (results).",
    no_args_is_help=True)
app.add_typer(results_app, name="results")


@results_app.command("announce")
def announce_command(
    ctx: typer.Context,
    election: Annotated[str, typer.Option("--election", help="Kunci pemilihan, mis. "
                                                             "pilkada-2024.")],
    stage: Annotated[str, typer.Option("--stage", help="Kunci tahapan hasil, mis. "
                                                       "pilkada_penetapan_calon_terpilih.")],
    region: Annotated[str, typer.Option("--region", help="Kunci wilayah, mis. kota-blitar.")],
    at: Annotated[str, typer.Option("--at", help="Waktu pengumuman, waktu setempat "
                                                 "(YYYY-MM-DD HH:MM).")],
    as_user: AsOption,
    note: Annotated[str | None, typer.Option("--note", help="Catatan, mis. nomor "
                                                            "keputusan.")] = None,
    password_stdin: PasswordStdinOption = False,
) -> None:
    """Catat bahwa hasil resmi satu tahapan sudah diumumkan di satu wilayah: unggahan hasil
    wilayah itu (dan kabupaten/kotanya, bila provinsi) tidak ditahan lagi sejak waktu itu."""
    state: AppState = ctx.obj
    check_filters(state, elections=one(election), stages=one(stage), regions=one(region))
    actor = login(state, as_user, password_stdin)
    catalog = state.catalog
    zone = office_zone(catalog, region, state.settings.timezone)
    when = parse_instant(at, "--at", zone)
    with session_scope(state.engine, write=True) as session:
        result = announce(session, actor=actor, catalog=catalog, election=election,
                          stage=stage, region=region, at=when, now=state.clock.now(),
                          note=note)
    state.out.print(
        f"[green]Tercatat:[/] hasil {escape(stage)} di {escape(region)} diumumkan "
        f"{localtime.format_datetime(when, zone)} (oleh {escape(actor.name)}).")
    if result.earlier is not None and result.earlier <= when:
        state.out.print(
            f"[dim]Kalender wilayah ini sudah membuka hasilnya sejak "
            f"{localtime.format_datetime(result.earlier, zone)}.[/]")
    state.out.print("Unggahan hasil yang ditahan dapat ditinjau ulang dan disetujui sekarang.")


@results_app.command("list")
def list_command(
    ctx: typer.Context,
    as_user: AsOption,
    election: Annotated[str | None, typer.Option("--election", help="Kunci pemilihan.")
                        ] = None,
    password_stdin: PasswordStdinOption = False,
) -> None:
    """Pengumuman hasil yang sudah dicatat, di wilayah Anda."""
    state: AppState = ctx.obj
    check_filters(state, elections=one(election))
    actor = login(state, as_user, password_stdin)
    with session_scope(state.engine, write=False) as session:
        rows = announcement_rows(session, actor=actor, catalog=state.catalog,
                                 fallback=state.settings.timezone, election=election)
    cols = [Col("Pemilihan / tahapan"), Col("Wilayah / oleh"), Col("Diumumkan"),
            Col("Catatan", text=True, drop=1)]
    cells: list[list[Cell]] = [
        [f"{row.election}\n{row.stage}", f"{row.region}\n{escape(row.actor)}",
         row.announced_label.replace(" ", "\n", 1), Free(row.note)] for row in rows]
    print_table(state.out, cols, cells, title="Pengumuman hasil tercatat (terbaru dulu)")
    state.out.print(f"{len(rows)} pengumuman.")
