"""Tables that fit the terminal (issue 10, item 4): a key (region, platform, stage, batch,
template, account, post id, status) is never cut nor wrapped; a free text (a post's text,
a note, a reason) is one line shortened with "…" (`siar post show ID` has the whole);
when even the keys do not fit, the least important columns are left out and the table
says so. The widths are computed here, so Rich never has to shrink a key."""

from collections.abc import Sequence
from dataclasses import dataclass, field

from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

MIN_TEXT = 12  # cells: narrower than this a free-text column says nothing useful
SHORT_HEADER = 12  # cells: a header up to this long is never wrapped
MAX_TEXT = 100  # cells: a free text is cut here even on a wide terminal


@dataclass(frozen=True)
class Col:
    """One column. `text`: free text, shortened to the room left (a `Free` cell may put
    whole key lines above it); any other column holds keys, each line kept whole.
    `drop`: 0 = always shown; otherwise the highest is left out first when the table
    would not fit."""

    header: str
    text: bool = False
    drop: int = 0
    right: bool = False


@dataclass(frozen=True)
class Free:
    """A cell of a text column: key lines (markup) kept whole, then one free text line."""

    text: str
    keys: tuple[str, ...] = ()


Cell = str | Free  # a str is markup; each of its lines is kept whole


@dataclass
class Fitted:
    """What `fit` decided: the columns kept and their widths (padding excluded)."""

    columns: list[int]
    widths: list[int]
    dropped: list[str] = field(default_factory=list)
    fits: bool = True  # False: even without every droppable column the keys are too wide


def one_line(text: str, limit: int = MAX_TEXT) -> str:
    """A free text on one line, cut with "…" after `limit` cells."""
    flat = Text(" ".join(text.split()))
    flat.truncate(limit, overflow="ellipsis")
    return flat.plain


def _lines(cell: Cell) -> list[str]:
    if isinstance(cell, Free):
        return [Text.from_markup(k).plain for k in cell.keys]
    return Text.from_markup(cell).plain.split("\n")


def _width(lines: Sequence[str]) -> int:
    return max((cell_len(line) for line in lines), default=0)


def _header_width(header: str) -> int:
    """A short header on one line; a longer one may wrap at its spaces."""
    whole = cell_len(header)
    return whole if whole <= SHORT_HEADER else max(cell_len(word) for word in header.split())


def fit(width: int, cols: Sequence[Col], rows: Sequence[Sequence[Cell]]) -> Fitted:
    """The columns to keep and their widths so that the table is at most `width` wide."""
    need: list[int] = []  # the least a column takes: its longest key line
    natural: list[int] = []  # what it would take given room
    for index, col in enumerate(cols):
        keys = _width([line for row in rows for line in _lines(row[index])])
        texts = [cell.text for row in rows if isinstance(cell := row[index], Free)]
        longest = _width([one_line(t) for t in texts])
        least = max(keys, _header_width(col.header), min(MIN_TEXT, longest) if col.text else 0)
        need.append(least)
        natural.append(max(least, longest))
    kept = list(range(len(cols)))

    def overhead() -> int:  # box.SIMPLE_HEAD without edges: 3 spaces between columns
        return 3 * (len(kept) - 1)

    while sum(need[i] for i in kept) + overhead() > width:
        droppable = [i for i in kept if cols[i].drop]
        if not droppable:
            break
        kept.remove(max(droppable, key=lambda i: (cols[i].drop, i)))
    fits = sum(need[i] for i in kept) + overhead() <= width
    widths = {i: need[i] if cols[i].text else natural[i] for i in kept}
    room = width - sum(widths.values()) - overhead()
    for i in kept:  # free-text columns share what is left, left to right
        if cols[i].text and room > 0:
            extra = min(room, natural[i] - widths[i])
            widths[i] += extra
            room -= extra
    return Fitted(kept, [widths[i] for i in kept],
                  [cols[i].header for i in range(len(cols)) if i not in kept], fits)


def _cell(cell: Cell, width: int) -> Text:
    if isinstance(cell, Free):
        lines = [Text.from_markup(k) for k in cell.keys]
        if cell.text.strip():
            lines.append(Text(one_line(cell.text, width)))
        text = Text("\n").join(lines)
    else:
        text = Text.from_markup(cell)
    text.no_wrap = True
    text.overflow = "ellipsis"  # never needed for a key: the widths hold every key line
    return text


def build_table(width: int, cols: Sequence[Col], rows: Sequence[Sequence[Cell]],
                title: str | None = None) -> tuple[Table, list[str]]:
    """The table for a console `width` wide, and the headers of the columns left out."""
    fitted = fit(width, cols, rows)
    table = Table(title=title, box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False,
                  header_style="bold")
    for index, size in zip(fitted.columns, fitted.widths, strict=True):
        col = cols[index]
        table.add_column(Text(col.header, no_wrap=False), width=size,
                         justify="right" if col.right else "left", no_wrap=True)
    for row in rows:
        table.add_row(*(_cell(row[i], size)
                        for i, size in zip(fitted.columns, fitted.widths, strict=True)))
    return table, fitted.dropped


def print_table(console: Console, cols: Sequence[Col], rows: Sequence[Sequence[Cell]],
                title: str | None = None, *, shown_below: bool = False) -> None:
    """Print rows as a table that fits `console`; say which columns did not fit (unless
    the command prints their whole content below the table)."""
    table, dropped = build_table(console.width, cols, rows, title)
    console.print(table)
    if dropped and not shown_below:
        console.print(f"[dim]Tidak muat di layar {console.width} kolom, tidak ditampilkan: "
                      f"{', '.join(dropped)}.[/]")


Layout = tuple[Sequence[Col], Sequence[Sequence[Cell]]]


def print_layouts(console: Console, layouts: Sequence[Layout], title: str | None = None, *,
                  shown_below: bool = False) -> None:
    """Print the first layout that fits whole (e.g. one line per row on a wide terminal),
    else the last one, leaving out what must be left out."""
    for cols, rows in layouts[:-1]:
        fitted = fit(console.width, cols, rows)
        if fitted.fits and not fitted.dropped:
            print_table(console, cols, rows, title, shown_below=shown_below)
            return
    cols, rows = layouts[-1]
    print_table(console, cols, rows, title, shown_below=shown_below)


def print_cut(console: Console, prefix: str, text: str, style: str = "") -> None:
    """`prefix` (keys, kept whole) then a free text cut to the rest of one line (`siar post
    show` and `siar account list` have the whole)."""
    room = max(console.width - cell_len(prefix), 20)
    console.print(Text(prefix, style=style) + Text(one_line(text, room)), soft_wrap=True)


def print_quoted(console: Console, text: str, gutter: str = "  │ ") -> None:
    """A post's text under a gutter, its long lines wrapped under the gutter too."""
    room = max(console.width - cell_len(gutter), MIN_TEXT)
    for line in text.splitlines():
        for part in Text(line).wrap(console, room) if line.strip() else [Text("")]:
            console.print(Text(gutter) + part, soft_wrap=True)
