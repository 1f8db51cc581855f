"""Publishes to files instead of the network, for demos and trial runs (only where the
settings opt in: SIAR_OUTBOX_FALLBACK=1). One JSON file per post, written once, under a
folder named by the database's instance id; a file proves a post published only if it
holds that very post."""

import json
import os
import re
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from scheduler.adapters.base import (
    Adapter,
    AmbiguousPublishError,
    PermanentPublishError,
    PlatformLimits,
    PostPayload,
    Receipt,
    TransientPublishError,
)

_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
# What makes a file this post's: everything but the moment it was written.
_IDENTITY = ("post_id", "region", "platform", "handle", "scheduled_at", "text", "image")


class OutboxAdapter(Adapter):
    name = "outbox"
    label = "Outbox"
    limits = PlatformLimits(1_000_000, "karakter", role="fallback", order=99)
    can_reconcile = True

    def publish(self, post: PostPayload) -> Receipt:
        target = self.path_for(post)
        if not target.exists():
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                _write_once(target, self._record(post))
            except OSError as exc:  # disk full, permissions: nothing was written
                raise TransientPublishError(
                    f"Outbox tidak dapat ditulis: {target} ({exc.strerror})") from None
        # An existing file of this very post: an earlier attempt published it, and at
        # most once means keep it. Anything else at this path proves nothing.
        self._require_same(post, target)
        return self._receipt(post, target)

    def reconcile(self, post: PostPayload, ref: Mapping[str, str]) -> Receipt | None:
        target = self.path_for(post)
        try:
            target.stat()
        except FileNotFoundError:
            return None  # never written (a folder on the way may not exist yet either)
        except OSError as exc:  # a file where a folder should be, no permission: unknown
            raise TransientPublishError(
                f"Outbox tidak dapat diperiksa: {target} ({exc.strerror})") from None
        self._require_same(post, target)
        return self._receipt(post, target)

    def path_for(self, post: PostPayload) -> Path:
        for part in (post.region_key, self.context.instance_id or "x"):
            if not _SAFE_NAME.match(part):  # it becomes a folder name
                raise PermanentPublishError(f"Nama folder outbox tidak valid: {part!r}")
        folder = self.context.outbox_dir
        if self.context.instance_id:
            folder = folder / self.context.instance_id
        return folder / post.region_key / f"{post.post_id}.json"

    def _require_same(self, post: PostPayload, target: Path) -> None:
        try:
            found = json.loads(target.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            found = None
        wanted = self._record(post)
        if not isinstance(found, dict) or any(
                found.get(key) != wanted[key] for key in _IDENTITY):
            raise AmbiguousPublishError(
                f"Outbox: {target} sudah ada tetapi isinya bukan unggahan #{post.post_id} ini; "
                "periksa berkas itu dan putuskan manual")

    def _record(self, post: PostPayload) -> dict[str, Any]:
        image = post.image_url or (str(post.image_path) if post.image_path else None)
        return {"post_id": post.post_id, "region": post.region_key,
                "platform": post.platform or None, "handle": post.handle,
                "scheduled_at": post.scheduled_at.isoformat(),
                "published_at": self.context.clock.now().isoformat(),
                "text": post.text, "image": image, "image_alt": post.image_alt}

    @staticmethod
    def _receipt(post: PostPayload, target: Path) -> Receipt:
        return Receipt(f"outbox-{post.post_id}", target.resolve().as_uri())


def _write_once(target: Path, record: dict[str, Any]) -> None:
    """Write the file whole or not at all, and never over an existing one.

    The temporary file lives in the same folder so the final step is atomic; it is
    hard-linked into place rather than renamed because a link refuses to replace a file
    another worker wrote meanwhile, where os.replace would silently overwrite it.
    """
    data = json.dumps(record, ensure_ascii=False, indent=2).encode() + b"\n"
    fd, temp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as temp:
            temp.write(data)
            temp.flush()
            os.fsync(temp.fileno())
        try:
            os.link(temp_name, target)
        except FileExistsError:
            return  # a concurrent attempt won; its file stands
        _fsync_dir(target.parent)
    finally:
        os.unlink(temp_name)


def _fsync_dir(folder: Path) -> None:
    """Make the new directory entry durable (POSIX; a no-op where unsupported)."""
    if not hasattr(os, "O_DIRECTORY"):
        return
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
