"""Benchmark: plan the whole Pemilu 2024 calendar for every account into a fresh SQLite file.

Prints posts per second, the number of posts and peak memory, then the ratio of Siar's
rate to the fastest way of doing the same work on this machine, measured in the same
run: plain (unsandboxed) Jinja rendering of the same templates with the same contexts,
plus sqlite3 executemany of the same post and event rows into the same schema.

    .venv/bin/python bench/plan.py [--repeat 3]

The last line is `ratio=<number>` (Siar's rate / the baseline's rate; 1.0 is parity).
"""

import argparse
import json
import sqlite3
import statistics
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from scheduler.content.catalog import load_catalog  # noqa: E402
from scheduler.content.model import Catalog  # noqa: E402
from scheduler.db import make_engine, utc_text  # noqa: E402
from scheduler.migrate import upgrade_database  # noqa: E402
from scheduler.planning import PlanRequest, plan_posts  # noqa: E402
from scheduler.rendering import make_environment, render_text  # noqa: E402
from scheduler.users import PLANNER  # noqa: E402

ELECTION = "pemilu-2024"
NOW = datetime(2022, 6, 1, tzinfo=UTC)


def calendar_range(catalog: Catalog) -> tuple[date, date]:
    stages = [s for s in catalog.elections[ELECTION].stages if s.start and s.end]
    return min(s.start for s in stages if s.start), max(s.end for s in stages if s.end)


def pemilu_only(catalog: Catalog) -> Catalog:
    from dataclasses import replace

    return replace(catalog, rules=tuple(r for r in catalog.rules if r.election == ELECTION))


def fresh_engine(folder: Path, name: str) -> Any:
    engine = make_engine(f"sqlite:///{folder / name}")
    upgrade_database(engine)
    return engine


def run_siar(catalog: Catalog, folder: Path, name: str, first: date,
             last: date) -> tuple[float, int]:
    engine = fresh_engine(folder, name)
    request = PlanRequest(date_from=first, date_to=last)
    started = time.perf_counter()
    summary = plan_posts(engine, catalog, REPO / "templates", request, NOW, actor=PLANNER)
    elapsed = time.perf_counter() - started
    engine.dispose()
    return elapsed, summary.total_created


def siar_peak_memory(catalog: Catalog, folder: Path, name: str, first: date, last: date) -> int:
    engine = fresh_engine(folder, name)
    tracemalloc.start()
    plan_posts(engine, catalog, REPO / "templates", PlanRequest(date_from=first, date_to=last), NOW,
               actor=PLANNER)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    engine.dispose()
    return peak


def baseline_inputs(db: Path) -> tuple[list[tuple[str, dict[str, Any]]], list[dict[str, Any]]]:
    """The exact (template file, context) pairs and rows Siar produced, read back from the
    database Siar wrote, so the baseline renders and inserts the same things."""
    catalog = load_catalog(REPO / "content", REPO / "templates")
    from scheduler.postcontext import post_context

    connection = sqlite3.connect(db)
    connection.row_factory = sqlite3.Row
    rows = [dict(r) for r in connection.execute("SELECT * FROM post ORDER BY id")]
    connection.close()
    jobs = []
    for row in rows:
        region = catalog.regions[row["region_key"]]
        account = next(a for a in region.accounts if a.platform == row["platform"])
        election = catalog.calendar(row["election_key"], region.key)
        slot = datetime.fromisoformat(row["scheduled_at"]).astimezone(region.timezone)
        context = post_context(region=region, province=catalog.regions[region.province_key],
                               election=election, stage=election.stage(row["stage_key"]),
                               slot=slot, account=account, links=catalog.link_urls)
        jobs.append((catalog.templates[row["template"]].file_for(row["platform"]), context))
    return jobs, rows


def run_baseline(folder: Path, jobs: list[tuple[str, dict[str, Any]]],
                 rows: list[dict[str, Any]], tz: Any) -> float:
    """Plain Jinja + sqlite3 executemany, the cheapest way to do the same work."""
    engine = fresh_engine(folder, "baseline.db")  # same schema and indexes
    engine.dispose()
    env = Environment(  # noqa: S701  (posts are plain text, never HTML)
        loader=FileSystemLoader(str(REPO / "templates")), undefined=StrictUndefined,
        trim_blocks=True, lstrip_blocks=True, auto_reload=False)
    sandboxed = make_environment(REPO / "templates", tz)
    env.filters.update(sandboxed.filters)
    env.globals.update(sandboxed.globals)
    columns = [c for c in rows[0] if c != "id"]
    post_sql = (f"INSERT INTO post ({', '.join(['id', *columns])}) "
                f"VALUES ({', '.join('?' * (len(columns) + 1))})")
    event_sql = ("INSERT INTO postevent (post_id, at, actor, kind, to_status, details) "
                 "VALUES (?, ?, ?, ?, ?, ?)")
    at = utc_text(NOW)
    connection = sqlite3.connect(folder / "baseline.db", isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    started = time.perf_counter()
    templates = {name: env.get_template(name) for name in {name for name, _ in jobs}}
    texts = [render_text(templates[name], context) for name, context in jobs]
    connection.execute("BEGIN")
    connection.executemany(post_sql, (
        (i, *[texts[i - 1] if c == "text" else row[c] for c in columns])
        for i, row in enumerate(rows, 1)))
    details = json.dumps({"run": 1})
    connection.executemany(event_sql, (
        (i, at, "planner", "planned", "pending", details) for i in range(1, len(rows) + 1)))
    connection.execute("COMMIT")
    elapsed = time.perf_counter() - started
    connection.close()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    catalog = pemilu_only(load_catalog(REPO / "content", REPO / "templates"))
    first, last = calendar_range(catalog)
    accounts = len(catalog.accounts())
    print(f"Pemilu 2024 calendar {first} .. {last}; {len(catalog.rules)} rules; "
          f"{accounts} accounts")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        siar_times, posts = [], 0
        for i in range(args.repeat):
            elapsed, posts = run_siar(catalog, folder, f"siar-{i}.db", first, last)
            siar_times.append(elapsed)
        jobs, rows = baseline_inputs(folder / "siar-0.db")
        assert len(rows) == posts
        tz = next(iter(catalog.regions.values())).timezone
        base_times = []
        for _ in range(args.repeat):
            for suffix in ("", "-wal", "-shm"):
                (folder / f"baseline.db{suffix}").unlink(missing_ok=True)
            base_times.append(run_baseline(folder, jobs, rows, tz))
        half = first + (last - first) / 2
        peak_half = siar_peak_memory(catalog, folder, "mem-half.db", first, half)
        peak_full = siar_peak_memory(catalog, folder, "mem-full.db", first, last)
    siar_rate = posts / statistics.median(siar_times)
    base_rate = posts / statistics.median(base_times)
    print(f"posts={posts}")
    print(f"siar: median {statistics.median(siar_times):.2f} s over {args.repeat} runs "
          f"-> {siar_rate:,.0f} posts/s")
    print(f"baseline (plain Jinja + sqlite3 executemany): median "
          f"{statistics.median(base_times):.2f} s -> {base_rate:,.0f} posts/s")
    print(f"peak memory (tracemalloc): first half of the calendar {peak_half / 2**20:.1f} MiB, "
          f"whole calendar {peak_full / 2**20:.1f} MiB")
    print(f"ratio={siar_rate / base_rate:.2f}")


if __name__ == "__main__":
    main()
