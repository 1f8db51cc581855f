"""Commands about the database and content: init, check, stages, preview."""

from typing import Annotated

import typer
from rich.markup import escape
from rich.panel import Panel

from scheduler import localtime
from scheduler.calendar import StageRow, countdowns, stage_rows
from scheduler.checks.post_checks import CheckSettings, length_and_limit
from scheduler.cli.app import app
from scheduler.cli.filters import check_filters, one
from scheduler.cli.parse import parse_date, parse_time
from scheduler.cli.state import AppState
from scheduler.cli.tables import Cell, Col, Free, Layout, print_layouts
from scheduler.errors import ContentError
from scheduler.labels import tag_label
from scheduler.platforms import platform_limit
from scheduler.preview import preview_post
from scheduler.setup import check_content, initialize


@app.command("init")
def init_command(ctx: typer.Context) -> None:
    """Siapkan atau perbarui basis data, lalu sinkronkan wilayah dan akun dari content/."""
    state: AppState = ctx.obj
    catalog = state.catalog
    result = initialize(state.raw_engine, catalog, state.clock.now())
    before = result.revision_before or "kosong"
    state.out.print(f"Basis data siap ({state.settings.database_url}): skema {before} → "
                    f"{result.revision_after}")
    sync = result.sync
    state.out.print(
        f"Wilayah: {sync.regions}; akun baru: {sync.accounts_added}, diperbarui: "
        f"{sync.accounts_updated}, dinonaktifkan: {sync.accounts_disabled}")


@app.command("check")
def check_command(ctx: typer.Context) -> None:
    """Periksa semua konten dan templat: setiap aturan dirender untuk setiap akun dan diperiksa
    (panjang, teks kosong, netralitas, gambar), jadwalnya dicocokkan dengan kalender."""
    state: AppState = ctx.obj
    result = check_content(state.settings.content_dir, state.settings.templates_dir,
                           state.renderer, CheckSettings.of(state.settings))
    if result.problems:
        raise ContentError(result.problems)
    catalog = result.catalog
    assert catalog is not None
    stages = sum(len(e.stages) for e in catalog.elections.values())
    state.out.print(
        f"[green]Konten valid.[/] {len(catalog.elections)} pemilihan, {stages} tahapan, "
        f"{len(catalog.regions)} wilayah, {len(catalog.accounts())} akun, "
        f"{len(catalog.rules)} aturan, {len(catalog.templates)} templat, "
        f"{len(catalog.neutral_terms)} istilah netralitas.")


@app.command("stages")
def stages_command(
    ctx: typer.Context,
    election: Annotated[str | None, typer.Option(
        "--election", help="Kunci pemilihan, mis. pemilu-2024.")] = None,
    on: Annotated[str | None, typer.Option(
        "--on", help="Hanya tahapan yang aktif pada tanggal ini (YYYY-MM-DD).")] = None,
    region: Annotated[str | None, typer.Option(
        "--region", help="Kalender satu wilayah: tanggalnya sendiri bila ada (mis. "
                         "kota-surabaya).")] = None,
) -> None:
    """Kalender tahapan, atau tahapan yang aktif pada satu tanggal beserta hitung mundur."""
    state: AppState = ctx.obj
    check_filters(state, regions=one(region), elections=one(election))
    day = parse_date(on, "--on") if on else None
    rows = stage_rows(state.catalog, election, day, region=region)
    title = f"Tahapan aktif {localtime.format_date(day)}" if day else "Kalender tahapan"
    if region is not None:
        title += f" · {state.catalog.regions[region].name}"
    print_layouts(state.out, _stage_layouts(rows), title=title)
    if day is not None:
        if not rows:
            state.out.print("Tidak ada tahapan aktif pada tanggal ini.")
        for countdown in countdowns(state.catalog, day, election, region=region):
            voting_day = countdown.election.voting_day
            assert voting_day is not None
            state.out.print(
                f"{countdown.election.short_name}: {localtime.countdown(countdown.days)} "
                f"menuju pemungutan suara, {localtime.format_date(voting_day)}")


def _stage_layouts(rows: list[StageRow]) -> list[Layout]:
    """One line per stage on a wide terminal; on a narrow one the key over the name and
    the start over the end."""
    wide_cols = [Col("Pemilihan"), Col("Kunci"), Col("Tahapan", text=True), Col("Mulai"),
                 Col("Selesai"), Col("Tanda", text=True, drop=1)]
    narrow_cols = [Col("Pemilihan"), Col("Tahapan (kunci, nama)", text=True),
                   Col("Mulai / selesai"), Col("Tanda", text=True, drop=1)]
    wide: list[list[Cell]] = []
    narrow: list[list[Cell]] = []
    for row in rows:
        stage = row.stage
        name = stage.name
        marks = [m for m, on in (("belum pasti", stage.unconfirmed),
                                 ("wilayah", stage.regional)) if on]
        start = stage.start.isoformat() if stage.start else "bersyarat"
        if stage.start and stage.time:
            start += f" {stage.time:%H.%M}"
        end = stage.end.isoformat() if stage.end else "bersyarat"
        key = "  " * row.depth + stage.key  # a sub-stage indented under its parent
        if marks:  # kept whole under the key: a cut name must not hide them
            key += "\n" + "  " * row.depth + "(" + ", ".join(marks) + ")"
        election = escape(row.election.short_name)
        tags = Free(", ".join(tag_label(t) for t in stage.tags))
        wide.append([election, key, Free(name), start, end, tags])
        narrow.append([election, Free(name, tuple(key.split("\n"))), f"{start}\n{end}", tags])
    return [(wide_cols, wide), (narrow_cols, narrow)]


@app.command("preview")
def preview_command(
    ctx: typer.Context,
    on: Annotated[str, typer.Option("--on", help="Tanggal unggahan (YYYY-MM-DD).")],
    region: Annotated[str, typer.Option("--region", help="Kunci wilayah, mis. kota-blitar.")],
    platform: Annotated[str, typer.Option("--platform", help="facebook, instagram, x, ...")],
    template: Annotated[str | None, typer.Option(
        "--template", help="Nama templat, mis. coklit (atau --rule).")] = None,
    rule: Annotated[str | None, typer.Option(
        "--rule", help="Kunci aturan di content/plan.yaml, mis. pemilu-masa-kampanye.")] = None,
    at: Annotated[str | None, typer.Option("--at", help="Jam (HH:MM); bawaan: jadwal aturan."
                                           )] = None,
    stage: Annotated[str | None, typer.Option("--stage", help="Kunci tahapan (opsional).")
                     ] = None,
    strict: Annotated[bool, typer.Option(
        "--strict", help="Keluar dengan kode 1 bila ada masalah.")] = False,
) -> None:
    """Tampilkan satu unggahan persis seperti akan diterbitkan: jadwal dan tahapan aturannya,
    panjangnya, dan masalah yang akan diperiksa saat persetujuan."""
    state: AppState = ctx.obj
    check_filters(state, regions=one(region), platforms=one(platform), stages=one(stage))
    result = preview_post(
        state.catalog, state.renderer, template=template, region=region, platform=platform,
        on=parse_date(on, "--on"), at=parse_time(at, "--at") if at else None, stage=stage,
        rule=rule, checks=CheckSettings.of(state.settings))
    length, maximum = length_and_limit(platform, result.text, result.image)
    colour = "red" if length > maximum else "green"
    subtitle = f"[{colour}]{length}/{maximum} {platform_limit(platform).counted_as}[/]"
    zone = result.slot.tzinfo or state.settings.timezone
    sent = result.send_at or result.slot
    state.out.print(Panel(escape(result.text), subtitle=subtitle, expand=False,
                          title=f"{escape(result.template_file)} · {region} · {platform}"))
    state.out.print(f"Terbit: {localtime.format_datetime(sent, zone)}")
    state.out.print(f"Tahapan: {escape(result.stage.name)} [dim]({result.stage.key})[/]")
    if result.rule is not None:
        spread = int((sent - result.slot).total_seconds() // 60)
        state.out.print(f"Aturan: {escape(result.rule.key)} (jadwal "
                        f"{localtime.format_time(result.slot, zone)}"
                        + (f", sebaran +{spread} menit)" if spread else ")"))
    if result.image:
        state.out.print(f"Gambar: {escape(result.image)}; teks alternatif: "
                        f"{escape(result.image_alt or '(kosong)')}")
    for note in result.notes:
        state.out.print(f"[yellow]Catatan:[/] {escape(note)}")
    if not result.problems:
        state.out.print("[green]Tidak ada masalah.[/]")
        return
    state.out.print(f"[red]{len(result.problems)} masalah[/] (persetujuan akan menolaknya "
                    "tanpa alasan tertulis admin):")
    for problem in result.problems:
        state.out.print(f"  [red]{problem.code}[/]: {escape(problem.message)}")
    if strict:
        raise typer.Exit(1)
