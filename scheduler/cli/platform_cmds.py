"""`siar platforms`: the registered adapters and what they declare."""

from typing import Annotated

import typer
from rich.table import Table

from scheduler.adapters.registry import load_adapters
from scheduler.cli.app import app
from scheduler.cli.output import OutputFormat, write_records
from scheduler.cli.state import AppState
from scheduler.labels import thousands
from scheduler.platform_info import FIELDS, platform_infos


def _number(value: int | None) -> str:
    return thousands(value) if value is not None else "-"


@app.command("platforms")
def platforms_command(
    ctx: typer.Context,
    output: Annotated[OutputFormat, typer.Option(
        "--format", help="table, csv atau json.")] = OutputFormat.table,
) -> None:
    """Platform yang terpasang (adapter): batas teks, kuota, kredensial (nama saja), alamat."""
    state: AppState = ctx.obj
    infos = platform_infos(load_adapters(), state.settings)
    if output is not OutputFormat.table:
        write_records((i.record() for i in infos), output, FIELDS)
        return
    for info in infos:
        table = Table(title=f"{info.name} ({info.label})", title_justify="left",
                      show_header=False, box=None, padding=(0, 1))
        table.add_column(no_wrap=True)
        table.add_column(overflow="fold")
        caption = (f"; dengan gambar {_number(info.caption_length)}"
                   if info.caption_length else "")
        table.add_row("Panjang", f"{_number(info.max_length)} {info.counted_as}{caption}")
        table.add_row("Gambar", "wajib" if info.image_required else "boleh")
        table.add_row("Tagar", _number(info.max_hashtags) if info.max_hashtags else "bebas")
        table.add_row("Kuota/24 jam", _number(info.daily_quota) if info.daily_quota
                      else "tidak diketahui/tidak ada")
        table.add_row("Kredensial", ", ".join(info.credentials) or "-")
        table.add_row("Alamat", (info.address or "berkas lokal") + (
            f" ({info.address_setting})" if info.address_setting else ""))
        table.add_row("Cek ulang", "ya" if info.can_reconcile else "tidak")
        state.out.print(table)
        state.out.print()
