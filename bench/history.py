"""Benchmark: the operators' history on a database of 1,000,000 posts with their events.

Builds a fresh SQLite file through the migrations (same schema and indexes as
production), fills it with posts spread over the Pemilu 2024 calendar for 39 offices on
five platforms (most published, some failed, uncertain or retrying; four events each),
then measures through Siar's own service functions:

- a filtered history page (50 rows, newest first) for a mix of typical filters:
  median and 95th percentile;
- the CSV export (`siar history --format csv`'s code path) in rows per second, and its
  ratio to a bare sqlite3 cursor writing the same rows with csv.writer.

    .venv/bin/python bench/history.py [--posts 1000000] [--repeat 20]

The last line is `ratio=<number>` (export rate / bare rate).
"""

import argparse
import csv
import io
import json
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from sqlmodel import Session  # noqa: E402

from scheduler.catalog import load_catalog  # noqa: E402
from scheduler.cli.output import OutputFormat, write_rows  # noqa: E402
from scheduler.coltypes import utc_text  # noqa: E402
from scheduler.db import make_engine  # noqa: E402
from scheduler.history import (  # noqa: E402
    HISTORY_FIELDS,
    history_page,
    iter_history_rows,
)
from scheduler.migrate import upgrade_database  # noqa: E402
from scheduler.posts import PostFilter  # noqa: E402
from scheduler.users import MACHINE_ADMIN  # noqa: E402

STATUSES = ["published"] * 90 + ["failed"] * 4 + ["uncertain"] * 2 + ["retrying"] * 2 + [
    "approved"] * 2
TEXT = ("Ayo cek DPT Anda di cekdptonline.kpu.go.id. KPU mengajak warga memastikan namanya "
        "terdaftar sebagai pemilih. #TemanPemilih #KPUMelayani #Pemilu2024")


def build(db: Path, posts: int) -> tuple[list[str], list[str], date, date]:
    engine = make_engine(f"sqlite:///{db}")
    upgrade_database(engine)
    engine.dispose()
    catalog = load_catalog(REPO / "content", REPO / "templates")
    regions = list(catalog.regions)
    stages = [s for s in catalog.elections["pemilu-2024"].stages if s.start and s.end]
    first = min(s.start for s in stages if s.start)
    last = max(s.end for s in stages if s.end)
    span = (last - first).days * 86400
    rng = random.Random(2024)
    connection = sqlite3.connect(db, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=OFF")
    now = utc_text(datetime(2024, 10, 21, tzinfo=UTC))
    connection.execute("BEGIN")
    connection.executemany(
        "INSERT INTO region (key, name, area, kind, province_key, website, hashtag, timezone, "
        "synced_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(r.key, r.name, r.area, r.kind, r.province_key, r.website, r.hashtag, "Asia/Jakarta",
          now) for r in catalog.regions.values()])
    platforms = ["facebook", "instagram", "x", "threads", "telegram"]
    account_ids = {}
    for region in regions:
        for platform in platforms:
            cursor = connection.execute(
                "INSERT INTO account (region_key, platform, handle, placeholder, enabled, "
                "credential_names, synced_at) VALUES (?, ?, ?, 1, 1, '{}', ?)",
                (region, platform, f"@{region}", now))
            account_ids[(region, platform)] = cursor.lastrowid
    start = datetime.combine(first, datetime.min.time(), tzinfo=UTC)

    def post_rows() -> Any:
        for i in range(1, posts + 1):
            region, platform = rng.choice(regions), rng.choice(platforms)
            at = start + timedelta(seconds=rng.randrange(span))
            status = rng.choice(STATUSES)
            published = utc_text(at + timedelta(seconds=2)) if status == "published" else None
            stamp = utc_text(at)
            yield (i, account_ids[(region, platform)], region, platform, "pemilu-2024",
                   rng.choice(stages).key, "cek-dpt", "cek-dpt", f"cek-dpt@{stamp}",
                   stamp, stamp, TEXT, status, "[]", "planner", stamp, stamp, 1, "{}",
                   published, f"https://example.org/p/{i}" if published else None,
                   "platform menolak" if status == "failed" else None,
                   platform if published else None)

    connection.executemany(
        "INSERT INTO post (id, account_id, region_key, platform, election_key, stage_key, "
        "template, rule_key, batch, scheduled_at, due_at, text, status, problems, created_by, "
        "created_at, updated_at, attempts, platform_ref, published_at, platform_url, "
        "last_error, published_via) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
        "?, ?, ?, ?, ?, ?)", post_rows())
    details = json.dumps({"run": 1})
    connection.executemany(
        "INSERT INTO postevent (post_id, at, actor, kind, from_status, to_status, details) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        ((i // 4 + 1, now, "bench", kind, None, None, details)
         for i, kind in ((n, ("planned", "approved", "attempt", "published")[n % 4])
                         for n in range(posts * 4))))
    connection.execute("COMMIT")
    connection.execute("ANALYZE")
    connection.close()
    return regions, [s.key for s in stages], first, last


def filters(regions: list[str], stages: list[str], first: date,
            last: date, rng: random.Random) -> PostFilter:
    day = first + timedelta(days=rng.randrange((last - first).days))
    choices = [
        PostFilter(limit=50),
        PostFilter(regions=(rng.choice(regions),), limit=50),
        PostFilter(regions=(rng.choice(regions),), platforms=("instagram",), limit=50),
        PostFilter(statuses=("failed",), limit=50),
        PostFilter(statuses=("uncertain",), regions=(rng.choice(regions),), limit=50),
        PostFilter(stages=(rng.choice(stages),), limit=50),
        PostFilter(date_from=day, date_to=day + timedelta(days=7), limit=50),
        PostFilter(regions=(rng.choice(regions),), date_from=day, date_to=day + timedelta(days=30),
                      limit=50),
        PostFilter(platforms=("x",), statuses=("published",), limit=50),
    ]
    return rng.choice(choices)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=200, help="page queries to time")
    args = parser.parse_args()
    from zoneinfo import ZoneInfo

    tz = ZoneInfo("Asia/Jakarta")
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "history.db"
        started = time.perf_counter()
        regions, stages, first, last = build(db, args.posts)
        print(f"built {args.posts:,} posts and {args.posts * 4:,} events in "
              f"{time.perf_counter() - started:.1f} s")
        engine = make_engine(f"sqlite:///{db}")
        rng = random.Random(7)
        timings = []
        with Session(engine) as session:
            for _ in range(args.repeat):
                chosen = filters(regions, stages, first, last, rng)
                t0 = time.perf_counter()
                page = history_page(session, actor=MACHINE_ADMIN, filters=chosen, tz=tz)
                timings.append(time.perf_counter() - t0)
                assert len(page) <= 50
                session.expunge_all()
        timings.sort()
        p95 = timings[int(len(timings) * 0.95) - 1]
        print(f"history page (50 rows, {args.repeat} queries, mixed filters): median "
              f"{statistics.median(timings) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms")
        export = _time_export(engine, tz)
        bare = _time_bare_export(db, tz)
        engine.dispose()
    print(f"CSV export: {export:,.0f} rows/s; bare sqlite3 + csv.writer: {bare:,.0f} rows/s")
    print(f"ratio={export / bare:.2f}")


def _time_export(engine: Any, tz: Any) -> float:
    sink = io.StringIO()
    with Session(engine) as session:
        t0 = time.perf_counter()
        rows = iter_history_rows(session, actor=MACHINE_ADMIN, filters=PostFilter(), tz=tz)
        count = write_rows(rows, OutputFormat.csv, HISTORY_FIELDS, _Null(sink))
        elapsed = time.perf_counter() - t0
    return count / elapsed


def _time_bare_export(db: Path, tz: Any) -> float:
    """The same rows, the same local-time conversion, nothing else."""
    connection = sqlite3.connect(db)
    writer = csv.writer(_Null(io.StringIO()), lineterminator="\n")
    t0 = time.perf_counter()
    count = 0
    writer.writerow(HISTORY_FIELDS)
    parse = datetime.fromisoformat
    for row in connection.execute(
            "SELECT id, scheduled_at, published_at, region_key, platform, stage_key, status, "
            "attempts, platform_id, platform_url, last_error, text FROM post "
            "ORDER BY scheduled_at DESC, id DESC"):
        published = row[2] and parse(row[2]).astimezone(tz).isoformat(timespec="seconds")
        writer.writerow((row[0], parse(row[1]).astimezone(tz).isoformat(timespec="seconds"),
                         published, *row[3:]))
        count += 1
    elapsed = time.perf_counter() - t0
    connection.close()
    return count / elapsed


class _Null(io.StringIO):
    """A stream that forgets what it is given (the export's cost without the disk's)."""

    def __init__(self, _inner: io.StringIO) -> None:
        super().__init__()

    def write(self, text: str) -> int:
        return len(text)


if __name__ == "__main__":
    main()
