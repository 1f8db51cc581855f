"""Several workers on one PostgreSQL database: three `siar run` processes publish a burst
of posts due in one minute across many offices of several provinces to fake platforms
that answer in 200 ms; one worker is SIGKILLed in the middle; then we count at the fakes.

Used by tests/test_several_workers.py (asserts, a smaller set) and bench/several_workers.py
(the full national size: 552 offices, 2,760 posts; figures). Nothing here imports pytest.

Besides one post per account, some accounts carry more: Telegram ones three posts due at
once (one request at a time per account, across workers) and Instagram ones three posts
with 49 already published in the last 24 hours (the 50-a-day quota: one may go).
"""

import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from scheduler.catalog import load_catalog
from scheduler.db import make_engine, session_scope
from scheduler.models import Account, Post, PostEvent
from scheduler.platforms import platform_limit
from scheduler.setup import initialize
from tests.fakes.base import FakePlatform
from tests.killloop import (
    IMAGE,
    MARK,
    MINI,
    PLATFORMS,
    account_entries,
    base_env,
    count_deliveries,
    make_fake,
    post_text,
)

START = datetime(2024, 5, 6, 3, 0, tzinfo=UTC)  # far from the mini election's stages
ZONES = ("Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura")
WAIT_LIMIT = 600.0  # seconds the whole burst may take, at most (a bound, not a figure)
EXTRA = 3  # posts on each of the busy accounts
LEADING = "kini menjalankan tugas berkala"  # the worker's log line when it takes the lead


@dataclass(frozen=True)
class Config:
    provinces: int = 38
    regencies: int = 13  # per province: 38 x (1 + 13) = 532; `national` gives 552
    workers: int = 3
    latency: float = 0.2
    busy_accounts: int = 20  # Telegram accounts with EXTRA posts, and as many Instagram
    kill_at: float = 0.4  # share of the posts published at the fakes when one is killed
    lease: float = 15.0  # SIAR_CLAIM_LEASE
    concurrency: int = 200  # SIAR_WORKER_CONCURRENCY of each worker

    @staticmethod
    def national() -> "Config":
        """38 provinces and 514 regencies (552 offices, 2,760 accounts), as issue 11."""
        return Config(provinces=38, regencies=0)


def office_keys(config: Config) -> list[list[str]]:
    """Per province: its key, then its regencies'. With regencies=0, 514 spread as KPU
    RI's are (13 or 14 per province: the shape, not the real list)."""
    per = [config.regencies] * config.provinces
    if config.regencies == 0:
        per = [514 // config.provinces + (1 if i < 514 % config.provinces else 0)
               for i in range(config.provinces)]
    return [[f"prov-{p:02d}", *(f"kab-{p:02d}-{r:02d}" for r in range(1, n + 1))]
            for p, n in enumerate(per, start=1)]


def write_content(folder: Path, config: Config) -> Path:
    mini = folder / "mini"
    shutil.copytree(MINI, mini)
    regions = mini / "content" / "regions"
    (regions / "uji.yaml").unlink()
    for index, (province, *regencies) in enumerate(office_keys(config)):
        def office(key: str, kind: str) -> dict[str, Any]:
            name = f"{'Provinsi' if kind == 'provinsi' else 'Kabupaten'} {key.upper()}"
            return {"key": key, "name": f"KPU {name}", "area": name, "kind": kind,
                    "website": f"https://{key}.kpu.go.id",
                    "hashtag": f"#KPU{key.replace('-', '').capitalize()}",
                    "accounts": account_entries(key)}

        document = {"timezone": ZONES[index % len(ZONES)],
                    "province": office(province, "provinsi"),
                    "regencies": [office(k, "kabupaten") for k in regencies]}
        (regions / f"{province}.yaml").write_text(yaml.safe_dump(document, sort_keys=False),
                                                 encoding="utf-8")
    return mini


def add_posts(engine: Engine, config: Config) -> int:
    """One approved post per account, all due at the minute START (a national batch);
    EXTRA on the busy accounts; 49 published on the busy Instagram accounts."""
    now = datetime.now(UTC)
    number = 0

    def post(account: Account, due: datetime, **fields: Any) -> Post:
        nonlocal number
        number += 1
        values: dict[str, Any] = {
            "account_id": account.id or 0, "region_key": account.region_key,
            "platform": account.platform, "scheduled_at": due, "due_at": due,
            "text": post_text(number, account.region_key, account.platform),
            "image": IMAGE if account.platform == "instagram" else None,
            "status": "approved", "created_by": "uji", "created_at": now, "updated_at": now,
            "approved_by": "uji-reviewer", "approved_at": now, "platform_ref": {},
            "problems": [], **fields}
        return Post(**values)

    with session_scope(engine, write=True) as session:
        accounts = list(session.exec(select(Account).order_by(col(Account.id))))
        rows = [post(a, START) for a in accounts]
        for platform in ("telegram", "instagram"):
            busy = [a for a in accounts if a.platform == platform][:config.busy_accounts]
            for account in busy:
                rows += [post(account, START) for _ in range(EXTRA - 1)]
                if platform == "instagram":  # 49 of the 50 a day already used
                    rows += [post(account, START - timedelta(hours=23, minutes=m),
                                  status="published", published_via="instagram",
                                  created_by="uji-prior",
                                  published_at=START - timedelta(hours=23, minutes=m))
                             for m in range(49)]
        session.add_all(rows)
    with Session(engine) as session:
        return session.exec(select(func.count()).where(col(Post.status) == "approved")).one()


@contextmanager
def running_fakes(latency: float) -> Iterator[dict[str, FakePlatform]]:
    with ExitStack() as stack:
        fakes = {}
        for platform in PLATFORMS:
            fake = make_fake(platform)
            fake.latency = latency
            fakes[platform] = stack.enter_context(fake)
        yield fakes


@dataclass
class Outcome:
    config: Config
    posts: int  # approved at the start
    statuses: Counter[str]
    problems: list[str]
    seconds: float  # from the first due instant until nothing was left to send
    killed_at_published: int  # posts the fakes had published when the worker was killed
    caught: int  # posts the killed worker held mid-publish
    deferred: int  # held by the quota, with a reason
    leader_killed: bool
    max_in_flight: int  # most requests at once to one account, over every fake
    # Seconds after its minute the last post sent at its first try went, of the accounts
    # the kill left alone; then of the accounts whose post the kill caught (they wait for
    # its recovery, one request in flight per account, and a post found live by a lookup
    # is recorded when the lookup ran).
    last_late: float
    behind_kill_late: float = 0.0

    def summary(self) -> str:
        offices = sum(len(p) for p in office_keys(self.config))
        return (f"{self.config.workers} workers, {offices} offices in "
                f"{self.config.provinces} provinces, {self.posts} posts: "
                f"{dict(sorted(self.statuses.items()))}; killed "
                f"{'the leader' if self.leader_killed else 'a worker'} "
                f"after {self.killed_at_published} published ({self.caught} caught "
                f"mid-publish); {self.deferred} held by the quota; most requests at once "
                f"to one account {self.max_in_flight}; the last post sent at its first try "
                f"went {self.last_late:.1f} s after its minute (on the accounts whose post "
                f"the kill caught: {self.behind_kill_late:.1f} s); everything settled "
                f"{self.seconds:.1f} s after it; problems: {len(self.problems)}")


def unfinished(engine: Engine, now: datetime) -> int:
    """Posts that would still be sent, are mid-way, or wait for a lookup (an uncertain
    post on a platform that can be asked): held by the quota (due tomorrow, approved or
    retrying: a post the kill caught, found unpublished, may meet a full quota at its
    retry) and posts the platform could not tell about (asked again tomorrow) do not
    count."""
    deferred = select(PostEvent.post_id).where(col(PostEvent.kind) == "deferred")
    with Session(engine) as session:
        return session.exec(select(func.count()).where(
            (col(Post.status) == "publishing")
            | ((col(Post.status) == "retrying")
               & ((col(Post.due_at) <= now) | col(Post.id).not_in(deferred)))
            | (col(Post.status).in_(("approved", "uncertain")) & (col(Post.due_at) <= now)
               & (col(Post.attempt_via).is_distinct_from("telegram"))))).one()


def start_worker(folder: Path, env: dict[str, str], index: int,
                 now: datetime) -> subprocess.Popen[bytes]:
    with (folder / f"worker-{index}.log").open("wb") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "scheduler", "--env-file", str(folder / "none.env"), "run"],
            env={**env, "SIAR_NOW": now.isoformat()}, cwd=folder, stdout=log,
            stderr=subprocess.STDOUT)


def alive(folder: Path, workers: list[subprocess.Popen[bytes]]) -> bool:
    """True; raises if a worker stopped by itself (with the end of its log)."""
    for worker in workers:
        if worker.poll() is not None:
            raise RuntimeError(f"worker pid {worker.pid} stopped (exit {worker.returncode}):\n"
                               + "\n".join(p.read_text(errors="replace")[-2000:]
                                           for p in sorted(folder.glob("worker-*.log"))))
    return True


def published_count(fakes: dict[str, FakePlatform]) -> int:
    return sum(len(f.published) for f in fakes.values())


def wait_for(condition: Callable[[], bool], limit: float, what: str) -> None:
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        time.sleep(0.1)


def several_workers(folder: Path, database_url: str, config: Config,
                    progress: Callable[[str], None] = lambda line: None) -> Outcome:
    lead = 8.0  # seconds between the workers' start and the first post falling due
    with running_fakes(config.latency) as fakes:
        mini = write_content(folder, config)
        catalog = load_catalog(mini / "content", mini / "templates")
        env = {**base_env(folder, mini, catalog, fakes), "SIAR_DATABASE_URL": database_url,
               "SIAR_CLAIM_LEASE": str(config.lease),
               "SIAR_WORKER_CONCURRENCY": str(config.concurrency)}
        engine = make_engine(database_url)
        initialize(engine, catalog, datetime.now(UTC))
        total = add_posts(engine, config)
        progress(f"{total} posts approved; starting {config.workers} workers")
        origin = time.monotonic()

        def clock() -> datetime:  # the workers' clock: START - lead at origin
            return START - timedelta(seconds=lead) + timedelta(
                seconds=time.monotonic() - origin)

        workers = []
        try:
            for index in range(config.workers):
                workers.append(start_worker(folder, env, index, clock()))
            wait_for(lambda: alive(folder, workers) and
                     published_count(fakes) >= total * config.kill_at, WAIT_LIMIT,
                     "the burst to be under way")
            # The leader if one has said so (the harder case: the periodic jobs move too).
            index = next((i for i in range(config.workers) if LEADING in (
                folder / f"worker-{i}.log").read_text(errors="replace")), 0)
            victim = workers[index]
            victim.send_signal(signal.SIGKILL)
            victim.wait(timeout=30)
            killed_at = published_count(fakes)
            with Session(engine) as session:
                caught = session.exec(select(func.count()).where(
                    col(Post.status) == "publishing",
                    col(Post.claimed_by).like(f"%:{victim.pid}:%"))).one()
            progress(f"worker {index} killed at {killed_at} published, {caught} caught "
                     "mid-publish")
            wait_for(lambda: alive(folder, [w for w in workers if w is not victim]) and
                     unfinished(engine, clock()) == 0, WAIT_LIMIT, "every post to be dealt with")
            seconds = (clock() - START).total_seconds()
        finally:
            for worker in workers:
                if worker.poll() is None:
                    worker.send_signal(signal.SIGTERM)
            for worker in workers:
                try:
                    worker.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    worker.kill()
                    worker.wait(timeout=30)
    logs = {i: (folder / f"worker-{i}.log").read_text(errors="replace")
            for i in range(config.workers)}
    leader_killed = LEADING in logs[index]
    try:
        return _count(engine, fakes, config, total, seconds, killed_at, caught, leader_killed,
                      logs)
    finally:
        engine.dispose()


def _count(engine: Engine, fakes: dict[str, FakePlatform], config: Config, total: int,
           seconds: float, killed_at: int, caught: int, leader_killed: bool,
           logs: dict[int, str]) -> Outcome:
    delivered, strays = count_deliveries(fakes)
    problems = [f"text without a post number went public: {t!r}" for t in strays]
    with Session(engine) as session:
        posts = list(session.exec(select(Post).where(col(Post.created_by) == "uji")))
        deferred_ids = set(session.exec(select(PostEvent.post_id).where(
            col(PostEvent.kind) == "deferred")))
        prior = Counter(session.exec(select(Post.account_id).where(
            col(Post.created_by) == "uji-prior")))
        # Posts the kill caught: recovered as uncertain.
        caught_ids = set(session.exec(select(PostEvent.post_id).where(
            col(PostEvent.kind) == "uncertain")))
    statuses: Counter[str] = Counter()
    per_account: Counter[int] = Counter()
    def late(post: Post) -> float:
        return ((post.published_at or post.scheduled_at) - post.scheduled_at).total_seconds()

    held = {p.account_id for p in posts if p.id in caught_ids}
    first_try = [p for p in posts if p.published_at is not None and p.attempts == 1]
    last_late = max((late(p) for p in first_try if p.account_id not in held), default=0.0)
    behind_kill_late = max((late(p) for p in first_try if p.account_id in held),
                           default=0.0)
    deferred = 0
    for post in posts:
        number = int(MARK.search(post.text).group(1))  # type: ignore[union-attr]
        times = sum(counts[number] for counts in delivered.values())
        statuses[post.status] += 1
        per_account[post.account_id] += times
        where = f"post #{post.id} ({post.platform}, {post.status})"
        if times > 1:
            problems.append(f"{where} went public {times} times")
        if post.status == "published" and times != 1:
            problems.append(f"{where} is recorded published but went public {times} times")
        elif post.status == "uncertain" and not post.last_error:
            problems.append(f"{where} is uncertain without a reason")
        elif post.status in ("approved", "retrying"):  # held by the quota, and why
            if post.id not in deferred_ids:
                problems.append(f"{where} was never sent, and nothing says why")
            deferred += 1
        elif post.status not in ("published", "uncertain"):
            problems.append(f"{where} ended {post.status}: {post.last_error}")
        if times and post.status not in ("published", "uncertain"):
            problems.append(f"{where} went public but is recorded {post.status}")
    platform_of = {p.account_id: p.platform for p in posts}
    for account_id, sent in per_account.items():
        quota = platform_limit(platform_of[account_id]).daily_quota
        if quota is not None and sent + prior[account_id] > quota:
            problems.append(f"account {account_id}: {sent + prior[account_id]} posts in 24 "
                            f"hours, over its quota of {quota}")
    most = max((n for f in fakes.values() for n in f.max_in_flight.values()), default=0)
    if most > 1:
        problems += [f"{platform}: {key} had {n} requests at once"
                     for platform, f in fakes.items() for key, n in f.max_in_flight.items()
                     if n > 1]
    if sum(statuses.values()) != total:
        problems.append(f"{total} posts were approved but {sum(statuses.values())} counted")
    for index, text in logs.items():
        if "database is locked" in text or "Traceback" in text:
            problems.append(f"worker {index}'s log shows an error:\n{text[-2000:]}")
    return Outcome(config, total, statuses, problems, seconds, killed_at, caught, deferred,
                   leader_killed, most, last_late, behind_kill_late)
