"""Machine-readable output that streams: a JSON array or CSV, one row at a time."""

import csv
import json
import sys
from collections.abc import Iterable, Sequence
from enum import StrEnum
from typing import Any, TextIO


class OutputFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


def write_records(records: Iterable[dict[str, Any]], fmt: OutputFormat,
                  fields: Sequence[str], stream: TextIO | None = None) -> int:
    """Write dict records (keys: `fields`) without holding them all in memory."""
    return write_rows((tuple(r.get(f) for f in fields) for r in records), fmt, fields, stream)


def write_rows(rows: Iterable[Sequence[Any]], fmt: OutputFormat, fields: Sequence[str],
               stream: TextIO | None = None) -> int:
    """Write rows (values in the order of `fields`); return how many were written."""
    out = stream or sys.stdout
    if fmt is OutputFormat.json:
        return _write_json(rows, fields, out)
    return _write_csv(rows, fields, out)


def _write_json(rows: Iterable[Sequence[Any]], fields: Sequence[str], out: TextIO) -> int:
    count = 0
    out.write("[")
    for row in rows:
        out.write(",\n" if count else "\n")
        out.write(json.dumps(dict(zip(fields, row, strict=True)), ensure_ascii=False))
        count += 1
    out.write("\n]\n" if count else "]\n")
    return count


def _write_csv(rows: Iterable[Sequence[Any]], fields: Sequence[str], out: TextIO) -> int:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(fields)
    count = 0
    for row in rows:
        writer.writerow([_cell(v) for v in row])
        count += 1
    return count


def _cell(value: Any) -> Any:
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return value
