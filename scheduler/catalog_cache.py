"""The loaded catalog, shared by every command, request and job of one process.

Loading the content takes about a second at national size (552 offices), and a web app,
a worker or a test run asks for it again and again. The catalog is kept per content and
templates folder, with a fingerprint of every file under them (path, size, modification
time): a file added, removed or changed is seen at the next request, which reads the
content again. A catalog with problems is never kept (the ContentError is raised again).
"""

import logging
import os
import threading
import time
from collections import OrderedDict
from pathlib import Path

from scheduler.catalog import load_catalog
from scheduler.content.model import Catalog
from scheduler.errors import ContentError

log = logging.getLogger(__name__)

# Folders kept at once (a test run makes many; a deployment has one).
KEPT = 4
# A file changed this recently (seconds) may change again within the same tick of the
# file system's clock without its time moving, so a catalog read from it is not kept.
SETTLE = 2.0

Fingerprint = tuple[tuple[str, int, int], ...]

_lock = threading.Lock()
_kept: "OrderedDict[tuple[Path, Path], tuple[Fingerprint, Catalog]]" = OrderedDict()


def cached_catalog(content_dir: Path, templates_dir: Path) -> Catalog:
    """The catalog of these folders, loaded again only when a file under them changed."""
    key = (content_dir.resolve(), templates_dir.resolve())
    with _lock:
        before = fingerprint(key)
        found = _kept.get(key)
        if found is not None and found[0] == before:
            _kept.move_to_end(key)
            return found[1]
        catalog = load_catalog(content_dir, templates_dir)
        newest = max((mtime for _, _, mtime in before), default=0)
        if before == fingerprint(key) and time.time_ns() - newest > SETTLE * 1e9:
            _kept[key] = (before, catalog)
            _kept.move_to_end(key)
            while len(_kept) > KEPT:
                _kept.popitem(last=False)
        else:
            _kept.pop(key, None)
        return catalog


def refreshed(current: Catalog, content_dir: Path, templates_dir: Path) -> Catalog:
    """For a process that runs for weeks (the worker): the catalog of these folders as
    they are today. `current` when no file changed; the content read again (and logged)
    when one did; `current` still, with the problems logged, when the changed content
    has problems or cannot be read. Never raises."""
    try:
        fresh = cached_catalog(content_dir, templates_dir)
    except ContentError as exc:
        shown = "; ".join(str(p) for p in exc.problems[:_LOGGED_PROBLEMS])
        more = len(exc.problems) - _LOGGED_PROBLEMS
        log.error("konten berubah tetapi bermasalah (%d masalah), tetap memakai konten "
                  "sebelumnya sampai diperbaiki: %s%s", len(exc.problems), shown,
                  f"; dan {more} lainnya" if more > 0 else "")
        return current
    except Exception as exc:  # an unreadable folder, or a fault in the loader
        log.error("konten tidak dapat dibaca ulang, tetap memakai konten sebelumnya",
                  exc_info=exc)
        return current
    if fresh is not current:
        log.info("berkas konten berubah: konten dimuat ulang (%d wilayah, %d aturan)",
                 len(fresh.regions), len(fresh.rules))
    return fresh


_LOGGED_PROBLEMS = 5


def forget() -> None:
    """Drop every kept catalog (tests that time a fresh load)."""
    with _lock:
        _kept.clear()


def fingerprint(folders: tuple[Path, ...]) -> Fingerprint:
    """(path, size, modification time in ns) of every file under `folders`, sorted."""
    found: list[tuple[str, int, int]] = []
    for folder in folders:
        for root, dirs, files in os.walk(folder):
            dirs.sort()
            for name in files:
                path = os.path.join(root, name)
                try:
                    status = os.stat(path)
                except OSError:
                    continue  # removed while walking: the next call sees it gone
                found.append((path, status.st_size, status.st_mtime_ns))
    return tuple(sorted(found))
