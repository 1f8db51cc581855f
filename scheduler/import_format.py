"""How offices write CSV files: the delimiter and the date forms the import accepts.

Excel with Indonesian regional settings saves "CSV" with semicolons, a byte-order mark,
CRLF line ends and times like `27/01/2024 09.00`; other tools write commas and ISO 8601.
Both are read the same way: the delimiter is chosen from the header row, and a time is
read in any of the forms listed in DATE_FORMS (local time of the office unless it carries
an offset).
"""

import csv
import io
import re
from dataclasses import dataclass
from datetime import datetime, tzinfo

from scheduler.errors import InputError

DELIMITERS = {",": "koma", ";": "titik koma", "\t": "tab"}
DATE_FORMS = ("2024-01-27 09:00", "2024-01-27T09:00", "27/01/2024 09.00", "27/01/2024 09:00",
              "27-01-2024 09:00")
# Day first, as Indonesian settings write it: 27/01/2024 09.00, 27-01-2024 9:00[:00].
_DAY_FIRST = re.compile(r"(\d{1,2})([/-])(\d{1,2})\2(\d{4})[ T]+(\d{1,2})[.:](\d{2})"
                        r"(?:[.:](\d{2}))?")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{1,2}:\d{2}")


@dataclass(frozen=True)
class CsvRows:
    """A CSV's header and data rows, each with the line it starts on."""

    delimiter: str
    columns: list[str]
    rows: list[tuple[int, dict[str, str]]]

    @property
    def delimiter_name(self) -> str:
        return DELIMITERS[self.delimiter]


def detect_delimiter(header: str, known: tuple[str, ...]) -> str:
    """The delimiter that splits the header row into the most known column names (comma
    on a tie, then the one that splits it into most fields)."""
    def score(delimiter: str) -> tuple[int, int, bool]:
        fields = next(csv.reader([header], delimiter=delimiter), [])
        names = [f.strip().lower() for f in fields]
        return sum(1 for n in names if n in known), len(fields), delimiter == ","
    return max(DELIMITERS, key=score)


def read_rows(text: str, known: tuple[str, ...]) -> CsvRows:
    """The header (names stripped and lower-cased) and the rows, delimiter detected."""
    text = text.removeprefix("\ufeff")
    header = text.splitlines()[0] if text.strip() else ""
    delimiter = detect_delimiter(header, known)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    columns = [c.strip().lower() for c in next(reader, [])]
    rows: list[tuple[int, dict[str, str]]] = []
    last_line = reader.line_num  # the header's last line
    for fields in reader:
        line, last_line = last_line + 1, reader.line_num  # a quoted field may span lines
        if any(f.strip() for f in fields):  # not a blank line (Excel leaves `;;;` rows)
            rows.append((line, {name: value.strip() for name, value
                                in zip(columns, fields, strict=False) if name}))
    return CsvRows(delimiter, columns, rows)


def parse_local_time(raw: str, tz: tzinfo) -> datetime:
    """A time in one of DATE_FORMS (or ISO 8601 with an offset); local to `tz` without one."""
    value = raw.strip()
    day_first = _DAY_FIRST.fullmatch(value)
    try:
        if day_first:
            day, _, month, year, hour, minute, second = day_first.groups()
            at = datetime(int(year), int(month), int(day), int(hour), int(minute),
                          int(second or 0))
        elif _ISO_DATE.match(value):
            at = datetime.fromisoformat(value.replace(" ", "T", 1))
        else:
            raise ValueError(value)
    except ValueError:
        raise InputError(f"scheduled_at tidak valid: {raw!r} (bentuk yang diterima: "
                         f"{', '.join(DATE_FORMS)}, atau ISO 8601 dengan zona waktu)") from None
    return at if at.tzinfo else at.replace(tzinfo=tz)
