"""CSV import: many ad-hoc posts queued for review at once, all or nothing.

Columns (header row required, UTF-8, comma-separated):
  region        region key, e.g. kota-blitar
  platform      facebook, instagram, x, threads or telegram
  scheduled_at  local time "2024-02-14 09:00" (or ISO 8601 with an offset)
  text          the post's text (quote it to include commas or line breaks)
  image         optional: an image file under SIAR_MEDIA_DIR
Every row is validated first; if any row is bad the whole file is refused with a report
naming each bad row and why, and nothing is written.
"""

import csv
import io
from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path

from sqlmodel import Session

from scheduler.checks.post_checks import CheckSettings
from scheduler.content.model import Catalog
from scheduler.editing import NewPost, create_posts, validate_new_post
from scheduler.errors import InputError, SiarError
from scheduler.models import Post, PostStatus
from scheduler.permissions import Action, covers, require_role
from scheduler.users import Actor

REQUIRED_COLUMNS = ("region", "platform", "scheduled_at", "text")
OPTIONAL_COLUMNS = ("image",)


@dataclass(frozen=True)
class RowError:
    line: int
    message: str


class ImportRefused(InputError):
    """The file has bad rows; nothing was imported."""

    error_code = "import_refused"
    http_status = 422

    def __init__(self, source: str, errors: list[RowError]) -> None:
        self.errors = errors
        lines = "\n".join(f"  {source}:{e.line}: {e.message}" for e in errors)
        super().__init__(f"impor ditolak, tidak ada yang disimpan: {len(errors)} baris "
                         f"bermasalah di {source}\n{lines}")


def import_csv(session: Session, actor: Actor, path: Path, *, catalog: Catalog,
               checks: CheckSettings, now: datetime, tz: tzinfo) -> list[Post]:
    """Validate every row, then queue them all for review (status pending) in one batch."""
    require_role(actor, Action.CREATE)
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(f"{source}: tidak dapat dibaca ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise InputError(f"{source}: bukan teks UTF-8") from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise ImportRefused(source, [RowError(1, f"kolom wajib tidak ada: {', '.join(missing)} "
                                                 f"(kolom: {', '.join(REQUIRED_COLUMNS)}, "
                                                 "image opsional)")])
    items: list[NewPost] = []
    errors: list[RowError] = []
    last_line = 1  # the header
    for row in reader:
        line, last_line = last_line + 1, reader.line_num  # a quoted field may span lines
        try:
            item = _row_item(row, tz)
            if not covers(session, actor, item.region) and item.region in catalog.regions:
                raise InputError(f"di luar wilayah {actor.name} ({actor.region_key})")
            validate_new_post(session, catalog, item, now, checks)
            items.append(item)
        except SiarError as exc:
            errors.append(RowError(line, str(exc)))
    if errors:
        raise ImportRefused(source, errors)
    if not items:
        raise InputError(f"{source}: tidak ada baris data")
    return create_posts(session, actor, catalog, items, checks=checks, now=now,
                        status=PostStatus.PENDING, batch_prefix="impor",
                        note=f"impor CSV {path.name}")


def _row_item(row: dict[str, str | None], tz: tzinfo) -> NewPost:
    values = {k: (v or "").strip() for k, v in row.items() if k is not None}
    empty = [c for c in REQUIRED_COLUMNS if not values.get(c)]
    if empty:
        raise InputError(f"kolom kosong: {', '.join(empty)}")
    raw_time = values["scheduled_at"]
    try:
        at = datetime.fromisoformat(raw_time.replace(" ", "T", 1))
    except ValueError:
        raise InputError(f"scheduled_at tidak valid: {raw_time!r} (contoh: 2024-02-14 09:00)"
                         ) from None
    return NewPost(region=values["region"], platform=values["platform"],
                   scheduled_at=at if at.tzinfo else at.replace(tzinfo=tz),
                   text=values["text"], image=values.get("image") or None)
