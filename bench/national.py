"""Benchmark at national size (issue 11): 38 provinces, 514 regencies, 2,760 accounts.

Writes the synthetic content of bench/national_content.py into a temporary folder,
prepares a SQLite database, plans voting day (14 Feb 2024) and prints medians of:

- loading the catalog: a fresh load in a new process (`siar check`'s load, no cache), and
  a second load in the same process (what every later command of a process pays);
- approving the national voting-day batch (2,760 posts) with `siar review approve` as a
  national reviewer, one process, login included; beside it, the same batch approved as
  today's widest scope allows: province by province, 38 processes (timed on a sample of
  provinces and scaled to 38; the ratio is one decision's time / the 38 decisions');
- `siar review list` as the national reviewer: one process, login included (the password
  checked, argon2's deliberate cost); one process in a `siar login` session (no password
  to check); the same command run inside this process (its own time, without interpreter
  start and imports); and the service call alone (`list_batches`, no process start, no
  login).

    .venv/bin/python bench/national.py [--repeat 3] [--sample 2]

Times are CPU seconds (user + system, of this process or of the `siar` child), so other
work on the machine does not move them; wall-clock medians are printed beside them.
"""

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from sqlmodel import col, func, select  # noqa: E402

from bench.national_content import write_national_content  # noqa: E402
from scheduler.catalog import load_catalog  # noqa: E402
from scheduler.db import make_engine, session_scope  # noqa: E402
from scheduler.models import Post, PostStatus, Region  # noqa: E402
from scheduler.planning import PlanRequest, plan_posts  # noqa: E402
from scheduler.posts import PostFilter  # noqa: E402
from scheduler.review import list_batches  # noqa: E402
from scheduler.setup import initialize  # noqa: E402
from scheduler.users import PLANNER, actor_for, add_user, get_user  # noqa: E402

VOTING_DAY = date(2024, 2, 14)
NOW = datetime(2024, 2, 1, tzinfo=UTC)
PASSWORD = "sandi-bench-123"  # noqa: S105  (a throwaway user of a throwaway database)


class Timing:
    """Medians of CPU seconds (this process and its children) and of wall seconds."""

    def __init__(self, cpu: list[float], wall: list[float]) -> None:
        self.cpu, self.wall = statistics.median(cpu), statistics.median(wall)

    def __str__(self) -> str:
        return f"{self.cpu:.2f} s CPU (wall {self.wall:.2f} s)"


def cpu_now() -> float:
    own, children = (resource.getrusage(who) for who in
                     (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def median_of(repeat: int, work: Callable[[], object],
              before: Callable[[], object] = lambda: None) -> Timing:
    cpu, wall = [], []
    for _ in range(repeat):
        before()
        started, started_cpu = time.perf_counter(), cpu_now()
        work()
        cpu.append(cpu_now() - started_cpu)
        wall.append(time.perf_counter() - started)
    return Timing(cpu, wall)


class World:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.content = write_national_content(folder)
        self.url = f"sqlite:///{folder / 'siar.db'}"
        self.env = {**os.environ, "PYTHONPATH": str(REPO), "SIAR_DATABASE_URL": self.url,
                    "SIAR_CONTENT_DIR": str(self.content),
                    "SIAR_TEMPLATES_DIR": str(REPO / "templates"),
                    "SIAR_MEDIA_DIR": str(self.content / "media"),
                    "SIAR_SESSION_FILE": str(folder / "session"), "SIAR_ALLOW_NOW": "1",
                    "SIAR_NOW": NOW.isoformat(), "SIAR_LOG_LEVEL": "WARNING"}
        self.catalog = load_catalog(self.content, REPO / "templates")
        self.engine = make_engine(self.url)
        initialize(self.engine, self.catalog, NOW)
        plan_posts(self.engine, self.catalog, REPO / "templates",
                   PlanRequest(date_from=VOTING_DAY, date_to=VOTING_DAY), NOW, actor=PLANNER)
        with session_scope(self.engine, write=False) as session:
            self.batch, self.posts = session.exec(
                select(Post.batch, func.count()).group_by(col(Post.batch))
                .order_by(func.count().desc()).limit(1)).one()
            kinds = dict(session.exec(select(Region.key, Region.kind)).all())
        self.provinces = sorted(k for k, kind in kinds.items() if kind == "provinsi")
        self.nation = next((k for k, kind in kinds.items() if kind == "nasional"), None)
        with session_scope(self.engine, write=True) as session:
            for key in [*self.provinces, *([self.nation] if self.nation else [])]:
                add_user(session, name=f"r-{key}", role="reviewer", region=key,
                         password=PASSWORD, now=NOW)

    def siar(self, *words: str) -> None:
        done = subprocess.run([sys.executable, "-m", "scheduler", *words], env=self.env,
                              input=PASSWORD + "\n", capture_output=True, text=True,
                              cwd=self.folder, check=False)
        if done.returncode != 0:
            raise SystemExit(f"siar {' '.join(words)} failed:\n{done.stdout}\n{done.stderr}")

    def siar_in_process(self, *words: str) -> None:
        """`siar WORDS` run by this process (its imports already done), as the process
        would run it: same environment, same working folder, password on stdin."""
        from typer.testing import CliRunner

        from scheduler.cli import app

        here = Path.cwd()
        os.chdir(self.folder)
        try:
            done = CliRunner().invoke(app, list(words), input=PASSWORD + "\n", env=self.env)
        finally:
            os.chdir(here)
        if done.exit_code != 0:
            raise SystemExit(f"siar {' '.join(words)} failed in process:\n{done.output}")

    def reset(self) -> None:
        """Every post of the batch pending again, for the next approval."""
        with session_scope(self.engine, write=True) as session:
            for post in session.exec(select(Post).where(col(Post.batch) == self.batch)):
                post.status, post.approved_by, post.approved_at = PostStatus.PENDING, None, None
                session.add(post)

    def list_in_process(self) -> None:
        with session_scope(self.engine, write=False) as session:
            actor = actor_for(session, get_user(session, f"r-{self.nation or self.provinces[0]}"))
            list_batches(session, actor=actor, filters=PostFilter(), tz=UTC)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sample", type=int, default=2,
                        help="provinces approved one by one to time the per-province way")
    args = parser.parse_args()
    from scheduler.app import create_app
    from scheduler.config import load_settings

    with tempfile.TemporaryDirectory() as tmp:
        world = World(Path(tmp))
        print(f"content: {len(world.catalog.regions)} regions, "
              f"{len(world.catalog.accounts())} accounts; batch {world.batch}: "
              f"{world.posts} posts; nation: {world.nation or 'none'}")
        cold = median_of(args.repeat, lambda: load_catalog(world.content, REPO / "templates"))
        print(f"catalog load (parse and validate): median {cold}")
        settings = load_settings(dict(world.env), env_file=None)
        create_app(settings).catalog  # noqa: B018  (the first load of this process)
        warm = median_of(args.repeat, lambda: create_app(settings).catalog)
        print(f"catalog for a later command of the same process: median {warm}")

        provinces = world.provinces[:args.sample]
        per_province = median_of(len(provinces), lambda: world.siar(
            "review", "approve", world.batch, "--as", f"r-{provinces.pop()}",
            "--password-stdin", "--yes"))
        world.reset()
        by_province = per_province.cpu * len(world.provinces)
        print(f"approve the batch province by province (siar review approve): median "
              f"{per_province} per province x {len(world.provinces)} = {by_province:.1f} s CPU")
        if world.nation:
            national = median_of(args.repeat, lambda: world.siar(
                "review", "approve", world.batch, "--as", f"r-{world.nation}",
                "--password-stdin", "--yes"), before=world.reset)
            print(f"approve the national batch in one decision: median {national}; ratio to "
                  f"province by province {national.cpu / by_province:.3f}; target 3 s: "
                  f"{'met' if national.cpu < 3 else 'not met'}")
            world.reset()
        who = world.nation or world.provinces[0]
        listed = median_of(args.repeat, lambda: world.siar("review", "list", "--as", f"r-{who}",
                                                           "--password-stdin"))
        print(f"siar review list as r-{who} (process, login included): median {listed}")
        world.siar("login", "--as", f"r-{who}", "--password-stdin")
        in_session = median_of(args.repeat, lambda: world.siar("review", "list", "--as",
                                                               f"r-{who}"))
        world.siar("logout")
        print(f"siar review list as r-{who} (process, in a `siar login` session): median "
              f"{in_session}; target 0.5 s: {'met' if in_session.cpu < 0.5 else 'not met'}")
        world.siar_in_process("review", "list", "--as", f"r-{who}", "--password-stdin")
        command = median_of(args.repeat, lambda: world.siar_in_process(  # imports done above
            "review", "list", "--as", f"r-{who}", "--password-stdin"))
        print(f"siar review list as r-{who} in this process (the command's own time: settings, "
              f"login, schema check, query, output; no interpreter start or imports): median "
              f"{command}")
        print(f"  so interpreter start and imports: {listed.cpu - command.cpu:.2f} s CPU of the "
              f"process's {listed.cpu:.2f} s; target 0.5 s: command "
              f"{'met' if command.cpu < 0.5 else 'not met'}, process "
              f"{'met' if listed.cpu < 0.5 else 'not met'}")
        service = median_of(args.repeat, world.list_in_process)
        print(f"review list service call: median {service}")
        world.engine.dispose()


if __name__ == "__main__":
    main()
