"""CSV import: many ad-hoc posts queued for review at once, all or nothing.

Columns (header row required, UTF-8, comma-, semicolon- or tab-separated as detected from
the header; see scheduler.import_format):
  region        region key, e.g. kota-blitar
  platform      facebook, instagram, x, threads or telegram
  scheduled_at  local time "2024-02-14 09:00", "14/02/2024 09.00", ... (or ISO 8601 with
                an offset)
  text          the post's text (quote it to include commas or line breaks)
  image         optional: an image file under SIAR_MEDIA_DIR
  image_alt     optional: the image's description for screen readers
Every row is validated first; if any row is bad the whole file is refused with a report
naming each bad row and why, and nothing is written. A row that repeats an existing post
(same region, platform, time and text; cancelled and rejected posts aside) or an earlier
row of the file is a duplicate: the file is refused unless duplicates are to be skipped.
`preview_csv` is that validation alone (a dry run: the web app shows it before the author
confirms).
"""

from dataclasses import dataclass, replace
from datetime import datetime, tzinfo
from pathlib import Path

from sqlmodel import Session, col, select

from scheduler.checks.post_checks import CheckSettings, PostDraft, check_post
from scheduler.content.model import Catalog
from scheduler.editing import NewPost, create_posts, validate_new_post
from scheduler.errors import InputError, SiarError
from scheduler.import_format import parse_local_time, read_rows
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
    duplicate: str | None = None  # what it repeats: an existing post or an earlier row


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
    def duplicates(self) -> list[RowError]:
        return [RowError(r.line, r.duplicate) for r in self.rows if r.duplicate]

    @property
    def items(self) -> list[NewPost]:
        """The posts the import makes, duplicates left out."""
        return [r.item for r in self.rows if r.item is not None and not r.duplicate]

    @property
    def ok(self) -> bool:
        """Importable (skipping any duplicates): no bad row and something to import."""
        return not self.errors and bool(self.items)


@dataclass(frozen=True)
class Imported:
    posts: list[Post]
    skipped: list[RowError]  # duplicates left out


class ImportRefused(InputError):
    """The file has bad (or duplicate) rows; nothing was imported."""

    error_code = "import_refused"
    http_status = 422

    def __init__(self, source: str, errors: list[RowError], *, duplicates: bool = False) -> None:
        self.errors = errors
        lines = "\n".join(f"  {source}:{e.line}: {e.message}" for e in errors)
        what = "duplikat" if duplicates else "bermasalah"
        hint = ("\nBaris duplikat tidak diimpor dua kali: gunakan --skip-duplicates untuk "
                "melewatinya dan mengimpor baris lainnya." if duplicates else "")
        super().__init__(f"impor ditolak, tidak ada yang disimpan: {len(errors)} baris {what} "
                         f"di {source}\n{lines}{hint}")


def import_csv(session: Session, *, actor: Actor, path: Path, catalog: Catalog,
               checks: CheckSettings, now: datetime, tz: tzinfo,
               skip_duplicates: bool = False) -> Imported:
    """Validate every row, then queue them all for review (status pending) in one batch."""
    require_role(actor, Action.CREATE)
    return import_text(session, actor=actor, text=read_csv(path), source=str(path),
                       name=path.name, catalog=catalog, checks=checks, now=now, tz=tz,
                       skip_duplicates=skip_duplicates)


def read_csv(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(f"{path}: tidak dapat dibaca ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: bukan teks UTF-8") from None


def import_text(session: Session, *, actor: Actor, text: str, source: str, name: str,
                catalog: Catalog, checks: CheckSettings, now: datetime, tz: tzinfo,
                skip_duplicates: bool = False) -> Imported:
    """Import a CSV's text (read from `source`, a file called `name`): all rows or none;
    duplicate rows refuse the file, or are left out when `skip_duplicates`."""
    preview = preview_csv(session, actor=actor, text=text, source=source, catalog=catalog,
                          checks=checks, now=now, tz=tz)
    if preview.errors:
        raise ImportRefused(source, preview.errors)
    if not preview.rows:
        raise InputError(f"{source}: tidak ada baris data")
    if preview.duplicates and not skip_duplicates:
        raise ImportRefused(source, preview.duplicates, duplicates=True)
    if not preview.items:
        return Imported([], preview.duplicates)
    posts = create_posts(session, actor=actor, catalog=catalog, items=preview.items,
                         checks=checks, now=now, status=PostStatus.PENDING, batch_prefix="impor",
                         note=f"impor CSV {name}")
    return Imported(posts, preview.duplicates)


def preview_csv(session: Session, *, actor: Actor, text: str, source: str, catalog: Catalog,
                checks: CheckSettings, now: datetime, tz: tzinfo) -> ImportPreview:
    """Every row of a CSV checked as the import would, duplicates marked, writing nothing."""
    require_role(actor, Action.CREATE)
    csv_rows = read_rows(text, REQUIRED_COLUMNS + OPTIONAL_COLUMNS)
    missing = [c for c in REQUIRED_COLUMNS if c not in csv_rows.columns]
    if missing:
        found = ", ".join(c for c in csv_rows.columns if c) or "tidak ada"
        return ImportPreview(source, [], file_error=(
            f"kolom wajib tidak ada: {', '.join(missing)}; kolom yang ditemukan "
            f"(dipisah {csv_rows.delimiter_name}): {found} (kolom: "
            f"{', '.join(REQUIRED_COLUMNS)}, {' dan '.join(OPTIONAL_COLUMNS)} opsional)"))
    rows: list[RowPreview] = []
    seen: dict[tuple[str, str, datetime, str], int] = {}
    for line, values in csv_rows.rows:
        row = _check_row(session, actor, line, values, catalog=catalog, checks=checks,
                         now=now, tz=tz)
        if row.item is not None:
            key = (row.item.region, row.item.platform, row.item.scheduled_at,
                   row.item.text.strip())
            first = seen.setdefault(key, line)
            duplicate = (f"duplikat baris {first}" if first != line else
                         _existing_duplicate(session, row.item))
            row = replace(row, duplicate=duplicate)
        rows.append(row)
    return ImportPreview(source, rows)


def _existing_duplicate(session: Session, item: NewPost) -> str | None:
    """Names the live post (not cancelled or rejected) the item repeats, if one does."""
    same = session.exec(select(Post).where(
        col(Post.region_key) == item.region, col(Post.platform) == item.platform,
        col(Post.scheduled_at) == item.scheduled_at,
        col(Post.status).not_in([PostStatus.CANCELLED, PostStatus.REJECTED]))).all()
    for post in same:
        if post.text == item.text.strip():
            return f"duplikat unggahan #{post.id} yang sudah ada"
    return None


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
    return NewPost(region=values["region"], platform=values["platform"],
                   scheduled_at=parse_local_time(values["scheduled_at"], tz),
                   text=values["text"].replace("\r\n", "\n"),
                   image=values.get("image") or None, image_alt=values.get("image_alt") or None)
