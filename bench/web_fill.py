"""The database bench/web.py measures: the whole Jawa Timur Pemilu 2024 calendar planned
from the repository's real content/ and templates/ (about 30,000 posts), then brought
to a realistic state at the application time APP_NOW (2024-02-10 10.00 WIB):

- posts before APP_NOW went out: most published (with published_at, the platform's id
  and link), some failed, a few uncertain or missed; each with its approval, claim and
  outcome events;
- the batches of the next APPROVED_AHEAD days are approved, except one regency's posts
  (the "all but one" approval reviewers make), which stay pending;
- everything later is pending review; one pending post in PROBLEM_EVERY has a problem.

Planning takes a few seconds and the rest a few more, so the filled file is cached,
keyed by a hash of the content, the templates, the schema migrations and this file.
"""

import hashlib
import json
import os
import shutil
import sqlite3
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from scheduler.catalog import load_catalog
from scheduler.coltypes import utc_text
from scheduler.content.model import Catalog
from scheduler.db import make_engine, session_scope
from scheduler.planning import PlanRequest, plan_posts
from scheduler.setup import initialize
from scheduler.users import PLANNER, add_user

REPO = Path(__file__).resolve().parent.parent
ELECTION = "pemilu-2024"
WIB = ZoneInfo("Asia/Jakarta")
PLANNED_AT = datetime(2022, 6, 1, tzinfo=UTC)  # when the calendar was planned
APP_NOW = datetime(2024, 2, 10, 10, 0, tzinfo=WIB)  # the application's time in the bench
APPROVED_AHEAD = timedelta(days=7)
PROBLEM_EVERY = 50
REVIEWER = "peninjau"  # province-wide reviewer; approved the past batches, signs in
PASSWORD = "bench-sandi-rahasia-1"  # noqa: S105 (a throwaway database's user)
WORKER = "bench-host:1:1"


def cache_dir() -> Path:
    """SIAR_BENCH_CACHE, else ~/.cache/siar-bench (or under XDG_CACHE_HOME)."""
    if os.environ.get("SIAR_BENCH_CACHE"):
        return Path(os.environ["SIAR_BENCH_CACHE"])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "siar-bench"


def fill_key() -> str:
    """Changes whenever the content, templates, schema or this fill change."""
    digest = hashlib.sha256()
    folders = [REPO / "content", REPO / "templates", REPO / "scheduler" / "migrations"]
    for folder in folders:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()
                           and "__pycache__" not in p.parts):
            digest.update(str(path.relative_to(REPO)).encode())
            digest.update(path.read_bytes())
    digest.update(Path(__file__).read_bytes())
    return digest.hexdigest()[:16]


def filled_database(*, fresh: bool = False) -> tuple[Path, bool]:
    """The cached filled database (filled now when missing or when `fresh`) and whether
    it came from the cache. Callers copy it before use: the web app writes sessions."""
    target = cache_dir() / f"web-{fill_key()}.db"
    if target.exists() and not fresh:
        return target, True
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{partial}{suffix}").unlink(missing_ok=True)
    fill(partial)
    for stale in target.parent.glob("web-*.db"):  # fills of older content
        stale.unlink()
    partial.replace(target)
    return target, False


def copy_database(source: Path, folder: Path) -> Path:
    target = folder / "siar.db"
    shutil.copyfile(source, target)
    return target


def pemilu_only(catalog: Catalog) -> Catalog:
    return replace(catalog, rules=tuple(r for r in catalog.rules if r.election == ELECTION))


def calendar_range(catalog: Catalog) -> tuple[date, date]:
    stages = [s for s in catalog.elections[ELECTION].stages if s.start and s.end]
    return min(s.start for s in stages if s.start), max(s.end for s in stages if s.end)


def fill(path: Path) -> None:
    catalog = load_catalog(REPO / "content", REPO / "templates")
    engine = make_engine(f"sqlite:///{path}")
    initialize(engine, catalog, PLANNED_AT)  # what `siar init` does
    pemilu = pemilu_only(catalog)
    first, last = calendar_range(pemilu)
    plan_posts(engine, pemilu, REPO / "templates", PlanRequest(date_from=first, date_to=last),
               PLANNED_AT, actor=PLANNER)
    with session_scope(engine, write=True) as session:
        add_user(session, name=REVIEWER, role="reviewer", region="province", password=PASSWORD,
                 now=PLANNED_AT)
    engine.dispose()
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute("BEGIN")
        _bring_to_now(connection)
        connection.execute("COMMIT")
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()


def _bring_to_now(connection: sqlite3.Connection) -> None:
    regencies = [k for (k,) in connection.execute(
        "SELECT key FROM region WHERE key != province_key ORDER BY key")]
    excepted = regencies[-1]  # left pending in every approved batch
    updates: list[tuple[str, tuple[object, ...]]] = []
    events: list[tuple[object, ...]] = []
    rows = connection.execute("SELECT id, scheduled_at, platform, region_key FROM post")
    for post_id, scheduled, platform, region in rows.fetchall():
        at = datetime.fromisoformat(scheduled)
        if at >= APP_NOW + APPROVED_AHEAD or (at >= APP_NOW and region == excepted):
            if post_id % PROBLEM_EVERY == 0:
                problem = [{"code": "length", "message": "teks terlalu panjang untuk platform"}]
                connection.execute("UPDATE post SET problems = ? WHERE id = ?",
                                   (json.dumps(problem), post_id))
            continue
        approved_at = min(at - timedelta(days=2), APP_NOW - timedelta(hours=1))
        events.append((post_id, utc_text(approved_at), REVIEWER, "approved", "pending",
                       "approved", None, None))
        state = _outcome(post_id, at, platform, region) if at < APP_NOW else {}
        status = str(state.pop("status", "approved"))
        values = {"status": status, "approved_by": REVIEWER,
                  "approved_at": utc_text(approved_at),
                  "updated_at": state.pop("updated_at", utc_text(approved_at)), **state}
        columns = ", ".join(f"{name} = ?" for name in values)
        updates.append((f"UPDATE post SET {columns} WHERE id = ?", (*values.values(), post_id)))
        if at < APP_NOW:
            events += _outcome_events(post_id, at, status, values)
    for sql, params in updates:
        connection.execute(sql, params)
    connection.executemany(
        "INSERT INTO postevent (post_id, at, actor, kind, from_status, to_status, note, "
        "details, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(*e[:7], e[7], e[1]) for e in events])


def _outcome(post_id: int, at: datetime, platform: str, region: str) -> dict[str, object]:
    """What happened to a post whose minute has passed (deterministic by id)."""
    claimed = {"claimed_by": WORKER, "claimed_at": utc_text(at), "attempt_via": platform}
    kind = post_id % 100
    if kind < 3:
        return {"status": "failed", "attempts": 3, "updated_at": utc_text(at + timedelta(
            minutes=5)), "last_error": "HTTP 400: (#506) Duplicate status message", **claimed}
    if kind == 3:
        return {"status": "uncertain", "attempts": 1, "updated_at": utc_text(at), **claimed,
                "last_error": "waktu habis menunggu jawaban; mungkin sudah terbit"}
    if kind == 4:
        return {"status": "missed", "updated_at": utc_text(at + timedelta(hours=1)),
                "last_error": "terlambat lebih dari 60 menit"}
    published = at + timedelta(seconds=2 + post_id % 40)
    return {"status": "published", "attempts": 1, "published_at": utc_text(published),
            "updated_at": utc_text(published), "published_via": platform,
            "platform_id": f"{post_id}",
            "platform_url": f"https://{platform}.example/kpu-{region}/{post_id}", **claimed}


def _outcome_events(post_id: int, at: datetime, status: str,
                    values: dict[str, object]) -> list[tuple[object, ...]]:
    if status == "missed":
        return [(post_id, values["updated_at"], WORKER, "missed", "approved", "missed",
                 values["last_error"], None)]
    claim = (post_id, utc_text(at), WORKER, "claimed", "approved", "publishing", None,
             json.dumps({"attempt": 1, "adapter": values["attempt_via"]}))
    if status == "published":
        details = json.dumps({"adapter": values["published_via"],
                              "platform_id": values["platform_id"],
                              "url": values["platform_url"]})
        return [claim, (post_id, values["published_at"], WORKER, "published", "publishing",
                        "published", None, details)]
    return [claim, (post_id, values["updated_at"], WORKER, status, "publishing", status,
                    values["last_error"], None)]
