"""Machine-readable output that streams: a JSON array or CSV, one record at a time."""

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
    """Write records without holding them all in memory; return how many were written."""
    out = stream or sys.stdout
    if fmt is OutputFormat.json:
        return _write_json(records, out)
    return _write_csv(records, fields, out)


def _write_json(records: Iterable[dict[str, Any]], out: TextIO) -> int:
    count = 0
    out.write("[")
    for record in records:
        out.write(",\n" if count else "\n")
        out.write(json.dumps(record, ensure_ascii=False))
        count += 1
    out.write("\n]\n" if count else "]\n")
    return count


def _write_csv(records: Iterable[dict[str, Any]], fields: Sequence[str], out: TextIO) -> int:
    writer = csv.DictWriter(out, fieldnames=list(fields), lineterminator="\n",
                            extrasaction="ignore")
    writer.writeheader()
    count = 0
    for record in records:
        writer.writerow({k: _cell(v) for k, v in record.items()})
        count += 1
    return count


def _cell(value: Any) -> Any:
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return value
