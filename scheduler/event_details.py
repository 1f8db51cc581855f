"""What an event's details say, as lines for people (`siar post show`): an admin's
override and the problems it accepted, a text before and after an edit as a diff, the
attempt's number and adapter, the address a post was published at, why it was held."""

import difflib
from collections.abc import Callable, Mapping
from typing import Any

# Event detail keys shown as "label: value" when present, in this order.
_FIELDS = (
    ("attempt", "percobaan ke"), ("adapter", "lewat"), ("platform_id", "id di platform"),
    ("url", "alamat"), ("error", "galat"), ("status", "status HTTP"), ("code", "kode"),
    ("platform_message", "pesan platform"), ("retry_in", "dicoba lagi dalam (detik)"),
    ("scheduled_at", "jadwal"), ("until", "ditunda sampai"), ("claimed_by", "diklaim"),
    ("run", "rencana"),
)


def detail_lines(kind: str, details: Mapping[str, Any] | None,
                 show_url: Callable[[str], str | None] = str) -> list[str]:
    """The event's details worth reading, one item a line (empty when none); `show_url`
    writes an address as the face shows it (the command line: outbox files by path)."""
    if not details:
        return []
    lines: list[str] = []
    if details.get("override"):
        lines.append(f"dikesampingkan oleh admin, alasan: {details['override']}")
        for problem in details.get("problems") or []:
            lines.append(f"  masalah yang diterima: {problem.get('message', problem)}")
    before, after = details.get("before"), details.get("after")
    if isinstance(before, Mapping) and isinstance(after, Mapping):
        lines += _changes(before, after)
    for key, label in _FIELDS:
        value = details.get(key)
        if key == "url" and isinstance(value, str):
            value = show_url(value)
        if value not in (None, ""):
            lines.append(f"{label}: {value}")
    if details.get("retry"):
        lines.append(f"dikirim ulang (percobaan sebelumnya: {details.get('attempts_before')})")
    return lines


def _changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    lines = []
    for key, label in (("scheduled_at", "jadwal"), ("image", "gambar"), ("status", "status")):
        if before.get(key) != after.get(key):
            lines.append(f"{label}: {before.get(key) or '-'} → {after.get(key) or '-'}")
    old, new = str(before.get("text") or ""), str(after.get("text") or "")
    if old != new:
        lines.append("teks (- sebelum, + sesudah):")
        diff = difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=1)
        lines += [f"  {line}" for line in list(diff)[2:]]  # without the ---/+++ header
    return lines
