"""Reading the text files people edit (templates, content): UTF-8 with or without a
byte-order mark, a size limit, and an error that names the line and byte when a file
is not UTF-8."""

import codecs
from pathlib import Path

MAX_TEMPLATE_BYTES = 256 * 1024  # size of a template file


class TextFileError(ValueError):
    """A file that is not text we can use; `line` is 1-based where it is known."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


def decode_utf8(data: bytes) -> str:
    """Decode UTF-8, dropping a leading byte-order mark (Windows editors add one, and it
    would hide a template's front matter); TextFileError names the first bad byte."""
    skipped = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    try:
        return data[skipped:].decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = skipped + exc.start
        line = data.count(b"\n", 0, offset) + 1
        raise TextFileError(
            f"bukan UTF-8 yang valid pada baris {line}, byte {offset} "
            f"(simpan ulang berkas sebagai UTF-8)", line) from None


def read_text(path: Path, max_bytes: int) -> str:
    """The text of `path`; refuses files larger than `max_bytes` before reading them.
    OSError propagates (the caller knows how to name a missing file)."""
    size = path.stat().st_size
    if size > max_bytes:
        raise TextFileError(
            f"berkas terlalu besar: {_bytes(size)} (batas {_bytes(max_bytes)})")
    return decode_utf8(path.read_bytes())


def _bytes(count: int) -> str:
    if count >= 1024 * 1024:
        return f"{count / (1024 * 1024):.1f} MB".replace(".", ",")
    if count >= 1024:
        return f"{count / 1024:.0f} KB"
    return f"{count} byte"
