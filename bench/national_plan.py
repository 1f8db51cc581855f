"""Benchmark: the whole Pemilu 2024 calendar planned at national size (issue 11, item 7):
38 provinces, 514 regencies, five accounts each (bench/national_content.py), on SQLite
and on PostgreSQL, then planned again with nothing new.

Each plan runs in a fresh child process (so its peak memory is its own): the whole
calendar, then the first half of it (peak memory should be flat: about the same), then
the whole calendar again into the database the first run filled (creates nothing). It
prints posts, wall and CPU seconds (of the planning process; PostgreSQL's server works
in processes of its own, so on PostgreSQL the wall time is the figure) and the peak
resident memory of the planning process.

PostgreSQL runs as the tests run it (tests/pg.py: a throwaway server); without its
binaries that part is skipped with the reason printed.

    .venv/bin/python bench/national_plan.py [--only sqlite|postgresql] [--no-half]

Targets (issue 11): the whole calendar under 60 s on this machine's two cores, memory
flat, planning it again under 5 s.
"""

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.national_content import write_national_content  # noqa: E402
from bench.plan import NOW, calendar_range, pemilu_only  # noqa: E402
from scheduler.content.catalog import load_catalog  # noqa: E402
from scheduler.db import make_engine  # noqa: E402
from scheduler.migrate import upgrade_database  # noqa: E402
from scheduler.planning import PlanRequest, plan_posts  # noqa: E402
from scheduler.users import PLANNER  # noqa: E402


def plan_once(content: Path, url: str, first: date, last: date) -> dict[str, Any]:
    """In this (child) process: plan first..last into `url`; the figures as a dict."""
    catalog = pemilu_only(load_catalog(content, REPO / "templates"))
    engine = make_engine(url)
    upgrade_database(engine)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started, cpu = time.perf_counter(), time.process_time()
    summary = plan_posts(engine, catalog, REPO / "templates",
                         PlanRequest(date_from=first, date_to=last), NOW, actor=PLANNER)
    figures = {"wall": time.perf_counter() - started, "cpu": time.process_time() - cpu,
               "created": summary.total_created, "existing": summary.total_existing,
               "rss_before_mib": before / 1024,
               "rss_peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
    engine.dispose()
    return figures


def in_child(content: Path, url: str, first: date, last: date) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", str(content), url, str(first), str(last)],
        capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"planning failed:\n{done.stdout}\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    return result


def show(label: str, figures: dict[str, Any]) -> None:
    print(f"  {label}: {figures['created']:,} created, {figures['existing']:,} existing; "
          f"wall {figures['wall']:.1f} s, CPU {figures['cpu']:.1f} s; peak memory "
          f"{figures['rss_peak_mib']:.0f} MiB (after loading {figures['rss_before_mib']:.0f} MiB)",
          flush=True)


def run_backend(name: str, url: str, half_url: str | None, content: Path, first: date,
                last: date) -> None:
    """The whole calendar, again, and (with `half_url`) the first half into another
    database."""
    print(f"{name}:", flush=True)
    show("whole calendar", in_child(content, url, first, last))
    show("the same again (nothing new)", in_child(content, url, first, last))
    if half_url:
        middle = first + (last - first) / 2
        show(f"first half ({first} .. {middle}), another database",
             in_child(content, half_url, first, middle))


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        content, url, first, last = sys.argv[2:6]
        figures = plan_once(Path(content), url, date.fromisoformat(first),
                            date.fromisoformat(last))
        print(json.dumps(figures))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    parser.add_argument("--no-half", action="store_true",
                        help="skip the half-calendar run (the memory comparison)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        content = write_national_content(folder)
        catalog = pemilu_only(load_catalog(content, REPO / "templates"))
        first, last = calendar_range(catalog)
        print(f"Pemilu 2024 calendar {first} .. {last}: {len(catalog.rules)} rules, "
              f"{len(catalog.regions)} regions, {len(catalog.accounts())} accounts", flush=True)
        if args.only != "postgresql":
            run_backend("SQLite", f"sqlite:///{folder / 'national.db'}",
                        None if args.no_half else f"sqlite:///{folder / 'half.db'}",
                        content, first, last)
        if args.only != "sqlite":
            run_postgresql(content, first, last, not args.no_half)


def run_postgresql(content: Path, first: date, last: date, half: bool) -> None:
    sys.path.insert(0, str(REPO / "tests"))
    from tests.pg import find_bin, postgres_server

    if find_bin() is None:
        print("PostgreSQL: skipped, its binaries are not installed (no pg_ctl)")
        return
    try:
        with postgres_server() as base:
            import sqlalchemy

            admin = sqlalchemy.create_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT")
            with admin.connect() as connection:
                for name in ("national", "half"):
                    connection.exec_driver_sql(f"CREATE DATABASE {name}")
            admin.dispose()
            run_backend("PostgreSQL", f"{base}/national", f"{base}/half" if half else None,
                        content, first, last)
    except BaseException as exc:  # pytest's skip when the server does not start
        if type(exc).__name__ != "Skipped":
            raise
        print(f"PostgreSQL: skipped, {exc}")


if __name__ == "__main__":
    main()
