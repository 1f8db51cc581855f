"""Planning on several processes at once (`siar plan --processes N`, SIAR_PLAN_PROCESSES):
the national calendar is half a million posts, and rendering and checking them is work
for every core the machine has.

The regions are split into N groups of whole provinces with about as many accounts each
(a post's key and text depend only on its own region, so any split plans the same
posts); each group is planned by plan_posts in a process of its own, started fresh
(`spawn`: nothing of this process's database connections or threads is copied), with
this process's catalog (sent to it whole: a national one is about a megabyte). Each
process keeps plan_posts' promises (short transactions, nothing held while rendering, a
unique key per post), so the processes never create a post twice, also on one SQLite
file (where they take turns to write). If one fails, what the others created is removed
too: no partial writes.
"""

import multiprocessing
import queue
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from scheduler.checks.drafts import CheckSettings
from scheduler.content.model import Catalog
from scheduler.db import make_engine
from scheduler.errors import SiarError
from scheduler.planning import PlanRequest, PlanSummary, Progress, plan_posts, validate_request
from scheduler.planning_store import undo_run
from scheduler.users import Actor

_WAIT = 1.0  # seconds between looks at whether a process has died without a word


class PlanningProcessError(SiarError):
    """A planning process failed: the message it reported, and its exit code (a content
    problem found by one process is still a content problem)."""

    error_code = "planning_process"

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


@dataclass(frozen=True)
class _Job:
    index: int
    database_url: str
    catalog: Catalog
    templates_dir: Path
    request: PlanRequest
    now: datetime
    actor: Actor
    checks: CheckSettings | None


def region_groups(catalog: Catalog, regions: tuple[str, ...], count: int,
                  ) -> list[tuple[str, ...]]:
    """`regions` (every region when empty) in at most `count` groups of whole provinces,
    with about as many accounts each; no empty group."""
    wanted = regions or tuple(catalog.regions)
    provinces: dict[str, list[str]] = {}
    for key in wanted:
        region = catalog.regions[key]
        provinces.setdefault(region.province_key or key, []).append(key)
    groups: list[list[str]] = [[] for _ in range(max(1, count))]
    sizes = [0] * len(groups)
    weight = {key: max(1, len(catalog.regions[key].accounts)) for key in wanted}
    for keys in sorted(provinces.values(), key=lambda ks: (-sum(weight[k] for k in ks), ks)):
        smallest = sizes.index(min(sizes))  # the lightest group takes the next province
        groups[smallest] += keys
        sizes[smallest] += sum(weight[k] for k in keys)
    return [tuple(sorted(group)) for group in groups if group]


def plan_in_processes(
    engine: Engine,
    *,
    templates_dir: Path,
    catalog: Catalog,
    request: PlanRequest,
    now: datetime,
    actor: Actor,
    processes: int,
    progress: Progress | None = None,
    checks: CheckSettings | None = None,
) -> PlanSummary:
    """plan_posts for `request`, its regions split over `processes` processes (see the
    module's docstring); one process, or a user scoped to part of the country, plans
    here as plan_posts does."""
    validate_request(catalog, request)
    groups = region_groups(catalog, request.regions, processes) if actor.everywhere else []
    if len(groups) < 2:
        return plan_posts(engine, catalog, templates_dir, request, now, actor=actor,
                          progress=progress, checks=checks)
    # The children connect as this engine does (its URL with its password: they are this
    # program, and it reaches them through a pipe, never a log or an argument list).
    database_url = engine.url.render_as_string(hide_password=False)
    # A copy without what the catalog remembered of its use (its fields are what pickles).
    sent = replace(catalog)
    jobs = [_Job(i, database_url, sent, templates_dir, replace(request, regions=group),
                 now, actor, checks) for i, group in enumerate(groups)]
    summaries = _run(engine, jobs, progress)
    merged = PlanSummary(request, run_id=min(
        (s.run_id for s in summaries if s.run_id is not None), default=None))
    for summary in summaries:
        merged.created += summary.created
        merged.existing += summary.existing
    return merged


def _run(engine: Engine, jobs: list[_Job], progress: Progress | None) -> list[PlanSummary]:
    """Every job in a process of its own; their summaries, or, when one failed, what the
    others created removed and the first failure raised (they are let finish first: one
    stopped midway could not say which posts it had made)."""
    context = multiprocessing.get_context("spawn")
    messages: Any = context.Queue()
    children = [context.Process(target=_child, args=(job, messages), daemon=True)
                for job in jobs]
    for child in children:
        child.start()
    done: dict[int, PlanSummary] = {}
    failures: dict[int, tuple[str, int]] = {}
    counts: dict[int, tuple[int, int]] = {}
    try:
        while len(done) + len(failures) < len(jobs):
            try:
                message = messages.get(timeout=_WAIT)
            except queue.Empty:
                failures.update(_silent_deaths(children, done, failures))
                continue
            kind, index, *rest = message
            if kind == "progress":
                counts[index] = (rest[0], rest[1])
                if progress:
                    progress(sum(d for d, _ in counts.values()),
                             sum(t for _, t in counts.values()))
            elif kind == "done":
                done[index] = rest[0]
            else:
                failures[index] = (rest[0], rest[1])
    finally:
        for child in children:
            if child.is_alive() and len(done) + len(failures) < len(jobs):
                child.terminate()  # interrupted here (Ctrl-C): they stop too
            child.join()
    if failures:
        for summary in done.values():
            if summary.run_id is not None:
                undo_run(engine, summary.run_id)
        raise PlanningProcessError(*failures[min(failures)])
    return [done[i] for i in range(len(jobs))]


def _silent_deaths(children: list[Any], done: dict[int, PlanSummary],
                   failures: dict[int, tuple[str, int]]) -> dict[int, tuple[str, int]]:
    """The processes that ended without a word (killed, out of memory)."""
    return {index: (f"proses perencanaan {index + 1} berhenti tiba-tiba "
                    f"(kode {child.exitcode})", 1)
            for index, child in enumerate(children)
            if index not in done and index not in failures and not child.is_alive()}


def _child(job: _Job, messages: Any) -> None:
    """One process's share: plan_posts for its regions, reporting as it goes."""
    send: Callable[..., None] = messages.put
    try:
        engine = make_engine(job.database_url)
        try:
            summary = plan_posts(
                engine, job.catalog, job.templates_dir, job.request, job.now, actor=job.actor,
                progress=lambda done, total: send(("progress", job.index, done, total)),
                checks=job.checks)
        finally:
            engine.dispose()
        send(("done", job.index, summary))
    except SiarError as exc:
        send(("error", job.index, str(exc), exc.exit_code))
    except BaseException as exc:
        send(("error", job.index, f"proses perencanaan {job.index + 1} gagal: "
                                  f"{type(exc).__name__}", 1))
    finally:
        messages.close()
        messages.join_thread()

