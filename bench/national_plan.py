"""Benchmark: the whole Pemilu 2024 calendar planned at national size (issue 11, item 7):
38 provinces, 514 regencies, five accounts each (bench/national_content.py), on SQLite
and on PostgreSQL, then planned again with nothing new.

Each plan runs in a fresh child process (so its peak memory is its own): the whole
calendar, then the whole calendar again into the database the first run filled (creates
nothing), then the whole calendar by two processes at once (one per core: `siar plan --processes
2`, scheduler.planning_parallel, whole provinces in each) into one other database
(checked to hold the same posts: count, distinct keys and a hash of keys, texts and
problems), then the first half of the
calendar (peak memory should be flat: about the same as the whole). It
prints posts, wall and CPU seconds (of the planning processes; PostgreSQL's server works
in processes of its own, so on PostgreSQL the wall time is the figure) and the peak
resident memory of the largest planning process.

PostgreSQL runs as the tests run it (tests/pg.py: a throwaway server); without its
binaries that part is skipped with the reason printed.

    .venv/bin/python bench/national_plan.py [--only sqlite|postgresql] [--no-half] [--no-two]
        [--days N]

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
from datetime import date, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.national_content import write_national_content  # noqa: E402
from bench.plan import NOW, calendar_range, pemilu_only  # noqa: E402
from scheduler.catalog import load_catalog  # noqa: E402
from scheduler.db import make_engine  # noqa: E402
from scheduler.migrate import upgrade_database  # noqa: E402
from scheduler.planning import PlanRequest  # noqa: E402
from scheduler.planning_parallel import plan_in_processes  # noqa: E402
from scheduler.users import PLANNER  # noqa: E402


def plan_once(content: Path, url: str, first: date, last: date,
              processes: int = 1) -> dict[str, Any]:
    """In this (child) process: plan first..last into `url`, in `processes` processes
    (`siar plan --processes`: scheduler.planning_parallel); the figures as a dict. CPU and
    peak memory count the planning processes this one starts."""
    catalog = pemilu_only(load_catalog(content, REPO / "templates"))
    engine = make_engine(url)
    upgrade_database(engine)
    before = peak_rss_mib()
    started, cpu = time.perf_counter(), cpu_seconds()
    summary = plan_in_processes(engine, templates_dir=REPO / "templates", catalog=catalog,
                                request=PlanRequest(date_from=first, date_to=last), now=NOW,
                                actor=PLANNER, processes=processes)
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    figures = {"wall": time.perf_counter() - started, "cpu": cpu_seconds() - cpu,
               "created": summary.total_created, "existing": summary.total_existing,
               "rss_before_mib": before, "rss_peak_mib": max(peak_rss_mib(), children)}
    engine.dispose()
    return figures


def cpu_seconds() -> float:
    """CPU of this process and of the processes it started that have ended."""
    own, children = (resource.getrusage(who) for who in
                     (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def start_child(content: Path, url: str, first: date, last: date,
                processes: int = 1) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, __file__, "--child", str(content), url, str(first), str(last),
         str(processes)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def result_of(child: subprocess.Popen[str]) -> dict[str, Any]:
    out, err = child.communicate()
    if child.returncode != 0:
        raise SystemExit(f"planning failed:\n{out}\n{err[-3000:]}")
    result: dict[str, Any] = json.loads(out.splitlines()[-1])
    return result


def peak_rss_mib() -> float:
    """This process's peak resident memory since it started (VmHWM: unlike ru_maxrss,
    not inherited from the parent that started it)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def in_child(content: Path, url: str, first: date, last: date,
             processes: int = 1) -> dict[str, Any]:
    """The database is migrated first, once (as a deployment does before it starts
    planners: two processes creating the same tables at once on PostgreSQL collide)."""
    engine = make_engine(url)
    upgrade_database(engine)
    engine.dispose()
    return result_of(start_child(content, url, first, last, processes))


def digest(url: str) -> tuple[int, int, str]:
    """Posts, distinct plan keys, and a hash of every post's key, text and problems."""
    import hashlib

    from sqlalchemy import text

    engine = make_engine(url)
    found = hashlib.sha256()
    with engine.connect() as connection:
        posts, keys = connection.execute(
            text("SELECT count(*), count(DISTINCT plan_key) FROM post")).one()
        for key, body, problems in connection.execute(
                text("SELECT plan_key, text, problems FROM post ORDER BY plan_key")):
            found.update(f"{key}\0{body}\0{problems}\n".encode())
    engine.dispose()
    return posts, keys, found.hexdigest()[:16]


def show(label: str, figures: dict[str, Any]) -> None:
    print(f"  {label}: {figures['created']:,} created, {figures['existing']:,} existing; "
          f"wall {figures['wall']:.1f} s, CPU {figures['cpu']:.1f} s; peak memory "
          f"{figures['rss_peak_mib']:.0f} MiB (after loading {figures['rss_before_mib']:.0f} MiB)",
          flush=True)


def run_backend(name: str, url: str, half_url: str | None, content: Path, first: date,
                last: date, two_url: str | None) -> None:
    """The whole calendar, again, (with `two_url`) the whole calendar by two processes
    into another database, and (with `half_url`) the first half into another database."""
    print(f"{name}:", flush=True)
    show("whole calendar", in_child(content, url, first, last))
    show("the same again (nothing new)", in_child(content, url, first, last))
    if two_url:
        show("whole calendar, two processes (siar plan --processes 2), another database",
             in_child(content, two_url, first, last, processes=2))
        one, both = digest(url), digest(two_url)
        print(f"  one process: {one[0]:,} posts, {one[1]:,} keys, {one[2]}; two processes: "
              f"{both[0]:,} posts, {both[1]:,} keys, {both[2]} "
              f"({'the same posts' if one == both else 'DIFFERENT'})", flush=True)
    if half_url:
        middle = first + (last - first) / 2
        show(f"first half ({first} .. {middle}), another database",
             in_child(content, half_url, first, middle))


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        content, url, first, last, processes = sys.argv[2:7]
        figures = plan_once(Path(content), url, date.fromisoformat(first),
                            date.fromisoformat(last), int(processes))
        print(json.dumps(figures))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    parser.add_argument("--no-half", action="store_true",
                        help="skip the half-calendar run (the memory comparison)")
    parser.add_argument("--no-two", action="store_true",
                        help="skip the run with two processes split by region")
    parser.add_argument("--days", type=int,
                        help="only the calendar's first DAYS days (a quick run while iterating)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        content = write_national_content(folder)
        catalog = pemilu_only(load_catalog(content, REPO / "templates"))
        first, last = calendar_range(catalog)
        if args.days:
            last = min(last, first + timedelta(days=args.days - 1))
        print(f"Pemilu 2024 calendar {first} .. {last}: {len(catalog.rules)} rules, "
              f"{len(catalog.regions)} regions, {len(catalog.accounts())} accounts", flush=True)
        if args.only != "postgresql":
            run_backend("SQLite", f"sqlite:///{folder / 'national.db'}",
                        None if args.no_half else f"sqlite:///{folder / 'half.db'}",
                        content, first, last,
                        None if args.no_two else f"sqlite:///{folder / 'two.db'}")
        if args.only != "sqlite":
            run_postgresql(content, first, last, not args.no_half, not args.no_two)


def run_postgresql(content: Path, first: date, last: date, half: bool, two: bool) -> None:
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
                for name in ("national", "half", "two"):
                    connection.exec_driver_sql(f"CREATE DATABASE {name}")
            admin.dispose()
            run_backend("PostgreSQL", f"{base}/national", f"{base}/half" if half else None,
                        content, first, last, f"{base}/two" if two else None)
    except BaseException as exc:  # pytest's skip when the server does not start
        if type(exc).__name__ != "Skipped":
            raise
        print(f"PostgreSQL: skipped, {exc}")


if __name__ == "__main__":
    main()
