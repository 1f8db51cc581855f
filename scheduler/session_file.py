"""The file where `siar login` keeps its token: JSON, mode 0600 in a 0700 folder, one entry
per database (keyed by a hash of the database URL, which may hold a password), each
`{"user": NAME, "token": TOKEN}`. A file that others can read is not trusted (ignored),
like ssh's keys: its token may have been seen.
"""

import hashlib
import json
import os
import stat
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class SavedSession:
    user: str
    token: str = ""

    def __repr__(self) -> str:  # the token stays out of any traceback or log
        return f"SavedSession(user={self.user!r})"


def database_key(database_url: str) -> str:
    return hashlib.sha256(database_url.encode()).hexdigest()[:16]


def read_saved(path: Path, *, database_url: str) -> SavedSession | None:
    entry = _entries(path).get(database_key(database_url))
    if not isinstance(entry, dict):
        return None
    user, token = entry.get("user"), entry.get("token")
    if not isinstance(user, str) or not isinstance(token, str) or not token:
        return None
    return SavedSession(user=user, token=token)


def save(path: Path, *, database_url: str, saved: SavedSession) -> None:
    entries = _entries(path)
    entries[database_key(database_url)] = {"user": saved.user, "token": saved.token}
    _write(path, entries)


def forget(path: Path, *, database_url: str) -> None:
    """Drop this database's entry; the file goes when it was the last one."""
    entries = _entries(path)
    entries.pop(database_key(database_url), None)
    if entries:
        _write(path, entries)
    else:
        path.unlink(missing_ok=True)


def _entries(path: Path) -> dict[str, object]:
    try:
        if stat.S_IMODE(path.stat().st_mode) & 0o077:
            return {}
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write(path: Path, entries: dict[str, object]) -> None:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.unlink(missing_ok=True)
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump(entries, handle)
    os.replace(temporary, path)
