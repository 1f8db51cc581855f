"""The tables of the operators' commands (history, status, post show, account list), laid
out to fit the terminal by scheduler.cli.tables."""

from collections.abc import Sequence
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any

from rich.markup import escape

from scheduler import localtime
from scheduler.cli.tables import Cell, Col, Free, Layout
from scheduler.labels import actor_label, event_label, status_label
from scheduler.models import Account, Post, PostEvent


def history_layouts(records: list[dict[str, Any]]) -> list[Layout]:
    """One line per post on a wide terminal; two (date over time, status over publish
    time) on a narrow one."""
    zone = time_header("Terjadwal", [r["scheduled_at"] for r in records])
    wide_cols = [Col("ID", right=True), Col(zone), Col("Akun"), Col("Status"),
                 Col("Terbit"), Col("Lewat", drop=2), Col("Tautan / galat", text=True, drop=1)]
    wide: list[list[Cell]] = [
        [str(r["id"]), compact(r["scheduled_at"]), f"{r['region']}/{r['platform']}",
         status_label(r["status"]), published(r["scheduled_at"], r["published_at"]),
         escape(r["published_via"] or "-"), Free(_outcome(r))] for r in records]
    narrow_cols = [Col("ID", right=True), Col(zone), Col("Akun"), Col("Status / terbit"),
                   Col("Tautan / galat", text=True, drop=1)]
    narrow: list[list[Cell]] = [
        [str(r["id"]), compact(r["scheduled_at"]).replace(" ", "\n"),
         f"{r['region']}/{r['platform']}",
         status_label(r["status"]) + "\n" + published(r["scheduled_at"], r["published_at"]),
         Free(_outcome(r), (escape(r["published_via"] or "-"),))] for r in records]
    return [(wide_cols, wide), (narrow_cols, narrow)]


def _outcome(record: dict[str, Any]) -> str:
    return where(record["platform_url"]) or record["last_error"] or ""


def where(url: str | None) -> str | None:
    """A link as people want to see it; outbox files by their path, relative to here when
    they are under the current folder."""
    if not url or not url.startswith("file://"):
        return url
    path = Path(url.removeprefix("file://"))
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def published(scheduled: str | None, went_out: str | None) -> str:
    """When it went out (local HH.MM, with the date if another day) and how late."""
    if not scheduled or not went_out:
        return "-"
    planned, went = datetime.fromisoformat(scheduled), datetime.fromisoformat(went_out)
    shown = f"{went:%H.%M}" if went.date() == planned.date() else f"{went:%Y-%m-%d %H.%M}"
    late = int((went - planned).total_seconds() // 60)
    return shown if late < 1 else f"{shown} (+{late} mnt)"


def compact(iso: str | None) -> str:
    """2024-02-14 09.00 from a local ISO time."""
    return iso[:16].replace("T", " ").replace(":", ".") if iso else "-"


def time_header(name: str, isos: Sequence[str | None]) -> str:
    """"Waktu (WIB)" when every time shown is in one known zone."""
    zones = {localtime.zone_label(datetime.fromisoformat(i)) for i in isos if i}
    return f"{name} ({zones.pop()})" if len(zones) == 1 else f"{name} (lokal)"


def next_due_layout(posts: list[Post], tz: tzinfo, now: datetime) -> Layout:
    """`siar status`: the next posts due (the header names the zone of `now` when none)."""
    isos = [post.due_at.astimezone(tz).isoformat() for post in posts]
    zone = time_header("Jatuh tempo", isos or [now.astimezone(tz).isoformat()])
    cols = [Col("ID", right=True), Col(zone), Col("Wilayah"),
            Col("Platform"), Col("Status")]
    rows: list[list[Cell]] = [[str(p.id), compact(iso), p.region_key, p.platform,
                               status_label(p.status)] for p, iso in zip(posts, isos,
                                                                         strict=True)]
    return cols, rows


def events_layouts(events: list[PostEvent], tz: tzinfo) -> list[Layout]:
    """`siar post show`: every event, on one line each on a wide terminal, stacked on a
    narrow one; a note on one line (the whole one is printed under the table)."""
    return [_events(events, tz, stacked=False), _events(events, tz, stacked=True)]


def _events(events: list[PostEvent], tz: tzinfo, *, stacked: bool) -> Layout:
    isos = [event.at.astimezone(tz).isoformat() for event in events]
    cols = [Col("No", right=True), Col(time_header("Waktu", isos)), Col("Kejadian"),
            Col("Oleh"), Col("Status"), Col("Catatan", text=True, drop=1)]
    rows: list[list[Cell]] = []
    split = "\n" if stacked else " "
    for number, (event, iso) in enumerate(zip(events, isos, strict=True), start=1):
        change = status_label(event.to_status) if event.from_status == event.to_status else \
            f"{status_label(event.from_status)}{split}→ {status_label(event.to_status)}"
        when = compact(iso).replace(" ", "\n") if stacked else compact(iso)
        rows.append([f"{number}.", when, event_label(event.kind),
                     escape(actor_label(event.actor)).replace(" (", f"{split}("), change,
                     Free(event.note or "")])
    return cols, rows


def accounts_layouts(accounts: list[tuple[Account, str, tuple[str, str]]]) -> list[Layout]:
    """`siar account list`: (account, route name, (state, reason)) per account; the state
    and its reason on one line on a wide terminal, the reason (free text, shortened) under
    the state on a narrow one."""
    cols = [Col("Akun"), Col("Handle", drop=1), Col("Terbit lewat"),
            Col("Status", text=True)]
    wide: list[list[Cell]] = []
    narrow: list[list[Cell]] = []
    for account, route, (state, reason) in accounts:
        first = [f"{account.region_key}/{account.platform}", escape(account.handle),
                 escape(route)]
        wide.append([*first, Free(f"{state}: {reason}", ()) if reason else Free("", (state,))])
        narrow.append([*first, Free(reason, (state,))])
    return [(cols, wide), (cols, narrow)]
