"""CSV import: many ad-hoc posts queued for review at once, all or nothing.

Columns (header row required, UTF-8, comma-separated):
  region        region key, e.g. kota-blitar
  platform      facebook, instagram, x, threads or telegram
  scheduled_at  local time "2024-02-14 09:00" (or ISO 8601 with an offset)
  text          the post's text (quote it to include commas or line breaks)
  image         optional: an image file under SIAR_MEDIA_DIR
  image_alt     optional: the image's description for screen readers
Every row is validated first; if any row is bad the whole file is refused with a report
naming each bad row and why, and nothing is written. `preview_csv` is that validation
alone (a dry run: the web app shows it before the author confirms).
"""

import csv
import io
from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path

from sqlmodel import Session

from scheduler.checks.post_checks import CheckSettings, PostDraft, check_post
from scheduler.content.model import Catalog
from scheduler.editing import NewPost, create_posts, validate_new_post
from scheduler.errors import InputError, SiarError
from scheduler.models import Post, PostStatus
from scheduler.permissions import Action, covers, require_role
from scheduler.users import Actor

REQUIRED_COLUMNS = ("region", "platform", "scheduled_at", "text")
OPTIONAL_COLUMNS = ("image", "image_alt")


@dataclass(frozen=True)
class RowError:
    line: int
    message: str


@dataclass(frozen=True)
class RowPreview:
    """One data row: what it says, the post it makes (None if it is refused), why it is
    refused, and the problems reviewers will see on its post."""

    line: int
    values: dict[str, str]
    item: NewPost | None
    error: str | None = None
    problems: tuple[str, ...] = ()


@dataclass(frozen=True)
class ImportPreview:
    source: str
    rows: list[RowPreview]
    file_error: str | None = None  # the header is wrong: no row was read

    @property
    def errors(self) -> list[RowError]:
        if self.file_error:
            return [RowError(1, self.file_error)]
        return [RowError(r.line, r.error) for r in self.rows if r.error]

    @property
    def items(self) -> list[NewPost]:
        return [r.item for r in self.rows if r.item is not None]

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)


class ImportRefused(InputError):
    """The file has bad rows; nothing was imported."""

    error_code = "import_refused"
    http_status = 422

    def __init__(self, source: str, errors: list[RowError]) -> None:
        self.errors = errors
        lines = "\n".join(f"  {source}:{e.line}: {e.message}" for e in errors)
        super().__init__(f"impor ditolak, tidak ada yang disimpan: {len(errors)} baris "
                         f"bermasalah di {source}\n{lines}")


def import_csv(session: Session, *, actor: Actor, path: Path, catalog: Catalog,
               checks: CheckSettings, now: datetime, tz: tzinfo) -> list[Post]:
    """Validate every row, then queue them all for review (status pending) in one batch."""
    require_role(actor, Action.CREATE)
    return import_text(session, actor=actor, text=read_csv(path), source=str(path),
                       name=path.name, catalog=catalog, checks=checks, now=now, tz=tz)


def read_csv(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(f"{path}: tidak dapat dibaca ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: bukan teks UTF-8") from None


def import_text(session: Session, *, actor: Actor, text: str, source: str, name: str,
                catalog: Catalog, checks: CheckSettings, now: datetime,
                tz: tzinfo) -> list[Post]:
    """Import a CSV's text (read from `source`, a file called `name`): all rows or none."""
    preview = preview_csv(session, actor=actor, text=text, source=source, catalog=catalog,
                          checks=checks, now=now, tz=tz)
    if preview.errors:
        raise ImportRefused(source, preview.errors)
    if not preview.rows:
        raise InputError(f"{source}: tidak ada baris data")
    return create_posts(session, actor=actor, catalog=catalog, items=preview.items,
                        checks=checks, now=now, status=PostStatus.PENDING, batch_prefix="impor",
                        note=f"impor CSV {name}")


def preview_csv(session: Session, *, actor: Actor, text: str, source: str, catalog: Catalog,
                checks: CheckSettings, now: datetime, tz: tzinfo) -> ImportPreview:
    """Every row of a CSV checked as the import would, writing nothing."""
    require_role(actor, Action.CREATE)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        return ImportPreview(source, [], file_error=(
            f"kolom wajib tidak ada: {', '.join(missing)} (kolom: "
            f"{', '.join(REQUIRED_COLUMNS)}, {' dan '.join(OPTIONAL_COLUMNS)} opsional)"))
    rows: list[RowPreview] = []
    last_line = 1  # the header
    for row in reader:
        line, last_line = last_line + 1, reader.line_num  # a quoted field may span lines
        values = {k: (v or "").strip() for k, v in row.items() if isinstance(k, str)}
        rows.append(_check_row(session, actor, line, values, catalog=catalog, checks=checks,
                               now=now, tz=tz))
    return ImportPreview(source, rows)


def _check_row(session: Session, actor: Actor, line: int, values: dict[str, str], *,
               catalog: Catalog, checks: CheckSettings, now: datetime,
               tz: tzinfo) -> RowPreview:
    try:
        item = _row_item(values, tz)
        if not covers(session, actor, item.region) and item.region in catalog.regions:
            raise InputError(f"di luar wilayah {actor.name} ({actor.region_key})")
        validate_new_post(session, catalog=catalog, item=item, now=now, checks=checks)
    except SiarError as exc:
        return RowPreview(line, values, None, error=str(exc))
    problems = check_post(PostDraft(text=item.text.strip(), platform=item.platform,
                                    region_key=item.region, scheduled_at=item.scheduled_at,
                                    image=item.image, image_alt=item.image_alt),
                         catalog, checks)
    return RowPreview(line, values, item, problems=tuple(p.message for p in problems))


def _row_item(values: dict[str, str], tz: tzinfo) -> NewPost:
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
                   text=values["text"], image=values.get("image") or None,
                   image_alt=values.get("image_alt") or None)
