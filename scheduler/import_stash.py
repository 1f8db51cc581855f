"""An uploaded CSV kept between its preview and the author's confirmation: a file named by
an unguessable token in a folder only this user can read, tied to the person who
uploaded it, gone after an hour or once imported."""

import json
import os
import re
import secrets
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

from scheduler.errors import ConfigError, NotFoundError

LIFETIME_SECONDS = 3600
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32}$")


@dataclass(frozen=True)
class Stashed:
    owner: str
    name: str  # the uploaded file's name, for the import's note
    text: str


def default_folder() -> Path:
    return Path(tempfile.gettempdir()) / f"siar-impor-{os.getuid()}"


def stash(folder: Path, *, owner: str, name: str, text: str, now: float) -> str:
    """Keep a CSV for `owner`; returns the token that names it."""
    _prepare(folder)
    _purge(folder, now)
    token = secrets.token_urlsafe(24)
    record = {"owner": owner, "name": name, "created": now, "text": text}
    descriptor = os.open(folder / f"{token}.json", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as out:
        json.dump(record, out, ensure_ascii=False)
    return token


def unstash(folder: Path, token: str, *, owner: str, now: float) -> Stashed:
    """The CSV kept under `token` for `owner`; NotFoundError if it is unknown, expired or
    someone else's (all alike, so a token reveals nothing)."""
    gone = NotFoundError("berkas impor tidak ditemukan atau sudah kedaluwarsa; unggah lagi")
    if not _TOKEN.match(token):
        raise gone
    try:
        record = json.loads((folder / f"{token}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise gone from None
    if record.get("owner") != owner or now - float(record.get("created", 0)) > LIFETIME_SECONDS:
        raise gone
    return Stashed(owner=owner, name=str(record.get("name", "")), text=str(record["text"]))


def discard(folder: Path, token: str) -> None:
    if _TOKEN.match(token):
        (folder / f"{token}.json").unlink(missing_ok=True)


def _prepare(folder: Path) -> None:
    """Create the folder for this user alone; refuse one someone else planted (a shared
    temporary folder)."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    info = folder.lstat()
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
        raise ConfigError(f"folder impor tidak aman (bukan milik pengguna ini, atau terbuka "
                          f"untuk orang lain): {folder}")


def _purge(folder: Path, now: float) -> None:
    for entry in folder.glob("*.json"):
        try:
            if now - entry.stat().st_mtime > LIFETIME_SECONDS:
                entry.unlink(missing_ok=True)
        except OSError:
            continue  # another request removed it meanwhile
