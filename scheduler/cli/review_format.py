"""How `siar review` prints a bulk approval's summary and a batch grouped by text."""

from datetime import tzinfo

from rich.markup import escape

from scheduler import localtime
from scheduler.cli.state import AppState
from scheduler.cli.tables import print_quoted
from scheduler.labels import status_label
from scheduler.review_bulk import BulkSummary
from scheduler.review_view import BatchView, Card

LISTED_BATCHES = 20  # batches named in a summary; the rest are counted
SHOWN_OFFICES = 12  # offices named under a text; the rest are counted


def print_summary(state: AppState, summary: BulkSummary) -> None:
    """What approving the selection would approve, before anybody confirms it."""
    tz = state.settings.timezone
    s = summary
    state.out.print(
        f"[bold]Ringkasan persetujuan[/]\n"
        f"  {s.batches} batch · {s.posts} unggahan · {s.regions} kantor · "
        f"{', '.join(s.platforms)}\n"
        f"  {s.texts} teks berbeda · "
        + (f"[red]{s.with_problems} unggahan bermasalah[/]" if s.with_problems
           else "0 unggahan bermasalah")
        + (f" · [red]{s.past} sudah lewat waktunya[/]" if s.past else "")
        + f"\n  {_span(s, tz)}")
    for batch in s.listed[:LISTED_BATCHES]:
        state.out.print(f"  {escape(batch.batch)}  {batch.pending} unggahan")
    if s.batches > LISTED_BATCHES:
        state.out.print(f"  … dan {s.batches - LISTED_BATCHES} batch lainnya")
    for post_id, region, platform, message in s.problems:
        state.out.print(f"  [red]#{post_id}[/] {region} · {platform}: {escape(message)}")
    if s.with_problems > len(s.problems):
        state.out.print(f"  … dan {s.with_problems - len(s.problems)} unggahan bermasalah "
                        "lainnya")


def _span(summary: BulkSummary, tz: tzinfo) -> str:
    first = localtime.format_compact(summary.first_at, tz)
    last = localtime.format_compact(summary.last_at, tz)
    return f"jadwal {first}" + (f" s.d. {last}" if last != first else "")


def print_grouped(state: AppState, view: BatchView) -> None:
    """Each distinct text once (the office's own words as «kantor», «wilayah», ...), with
    the offices and platforms that share it and the problems found."""
    tz = state.settings.timezone
    statuses = ", ".join(f"{n} {status_label(s)}" for s, n in sorted(view.statuses.items()))
    state.out.print(f"[bold]{escape(view.batch)}[/]  "
                    f"{localtime.format_datetime(view.first_at, tz)}\n"
                    f"  {sum(view.statuses.values())} unggahan ({statuses}) · {view.regions} "
                    f"kantor · {len(view.cards)} teks berbeda\n")
    for number, card in enumerate(view.cards, 1):
        _print_card(state, number, card)
    state.out.print(f"{len(view.cards)} teks berbeda, {sum(len(c.posts) for c in view.cards)} "
                    "unggahan; `--all` menampilkan setiap unggahan.")


def _print_card(state: AppState, number: int, card: Card) -> None:
    offices = [key for key, _ in card.regions]
    named = ", ".join(offices[:SHOWN_OFFICES]) + (
        f", … (+{len(offices) - SHOWN_OFFICES})" if len(offices) > SHOWN_OFFICES else "")
    platforms = ", ".join(f"{fit.platform} {fit.posts}" for fit in card.platforms)
    state.out.print(f"[bold]Teks {number}[/]: {len(card.posts)} unggahan · {platforms}\n"
                    f"  kantor: {escape(named)}\n  ID: {_ids([p.post.id or 0 for p in card.posts])}"
                    + (f"\n  gambar: {escape(card.image)}" if card.image else ""))
    for message, post_ids in card.problems.items():
        state.out.print(f"  [red]masalah:[/] {escape(message)} ({_ids(post_ids)})")
    print_quoted(state.out, card.shape if card.per_office else card.text)
    state.out.print()


def _ids(post_ids: list[int]) -> str:
    return ", ".join(f"#{i}" for i in post_ids[:10]) + (
        f", … (+{len(post_ids) - 10})" if len(post_ids) > 10 else "")
