"""Benchmark: plan the whole Pemilu 2024 calendar for every account into a fresh SQLite file.

Prints posts per second, the number of posts and peak memory, then the ratio of Siar's
rate to the fastest way of doing the same work on this machine, measured in the same
run: plain (unsandboxed) Jinja rendering of the same templates with the same contexts,
plus sqlite3 executemany of the same post and event rows into the same schema.

Both are timed in CPU time of this process (time.process_time: what the work costs,
whatever else the machine runs) and in wall-clock time, and their rounds are interleaved
(Siar, baseline, baseline, Siar, ...) so that a change in the machine's load falls on
both alike. Medians of each.

    .venv/bin/python bench/plan.py [--repeat 5]

The last line is `ratio=<number>`: the baseline's median CPU time / Siar's (the rate
ratio; 1.0 is parity).
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

from scheduler.catalog import load_catalog  # noqa: E402
from scheduler.coltypes import utc_text  # noqa: E402
from scheduler.content.model import Catalog  # noqa: E402
from scheduler.db import make_engine  # noqa: E402
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


Timing = tuple[float, float]  # (wall, CPU) seconds


def run_siar(catalog: Catalog, folder: Path, name: str, first: date,
             last: date) -> tuple[Timing, int]:
    engine = fresh_engine(folder, name)
    request = PlanRequest(date_from=first, date_to=last)
    started, cpu = time.perf_counter(), time.process_time()
    summary = plan_posts(engine, catalog, REPO / "templates", request, NOW, actor=PLANNER)
    elapsed = (time.perf_counter() - started, time.process_time() - cpu)
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
                 rows: list[dict[str, Any]], tz: Any) -> Timing:
    """Plain Jinja + sqlite3 executemany, the cheapest way to do the same work."""
    for suffix in ("", "-wal", "-shm"):
        (folder / f"baseline.db{suffix}").unlink(missing_ok=True)
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
    started, cpu = time.perf_counter(), time.process_time()
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
    elapsed = (time.perf_counter() - started, time.process_time() - cpu)
    connection.close()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    catalog = pemilu_only(load_catalog(REPO / "content", REPO / "templates"))
    first, last = calendar_range(catalog)
    accounts = len(catalog.accounts())
    print(f"Pemilu 2024 calendar {first} .. {last}; {len(catalog.rules)} rules; "
          f"{accounts} accounts")
    tz = next(iter(catalog.regions.values())).timezone
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        siar: list[Timing] = []
        base: list[Timing] = []
        timing, posts = run_siar(catalog, folder, "siar-0.db", first, last)
        siar.append(timing)
        jobs, rows = baseline_inputs(folder / "siar-0.db")
        assert len(rows) == posts
        for i in range(args.repeat):
            # Interleaved, and in turn first: load that comes and goes hits both alike.
            if i % 2 == 0:
                base.append(run_baseline(folder, jobs, rows, tz))
            if i > 0:
                timing, created = run_siar(catalog, folder, f"siar-{i}.db", first, last)
                assert created == posts
                siar.append(timing)
            if i % 2 == 1:
                base.append(run_baseline(folder, jobs, rows, tz))
        half = first + (last - first) / 2
        peak_half = siar_peak_memory(catalog, folder, "mem-half.db", first, half)
        peak_full = siar_peak_memory(catalog, folder, "mem-full.db", first, last)

    def median(timings: list[Timing], which: int) -> float:
        return statistics.median(t[which] for t in timings)

    print(f"posts={posts}; {len(siar)} rounds each, interleaved")
    for label, timings in (("siar", siar), ("baseline (plain Jinja + sqlite3 executemany)", base)):
        print(f"{label}: median CPU {median(timings, 1):.2f} s -> "
              f"{posts / median(timings, 1):,.0f} posts/s; median wall {median(timings, 0):.2f} s")
    print(f"peak memory (tracemalloc): first half of the calendar {peak_half / 2**20:.1f} MiB, "
          f"whole calendar {peak_full / 2**20:.1f} MiB")
    print(f"wall ratio={median(base, 0) / median(siar, 0):.2f}")
    print(f"ratio={median(base, 1) / median(siar, 1):.2f}")


if __name__ == "__main__":
    main()
