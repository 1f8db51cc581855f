"""The kill loop: the real worker (`python -m scheduler run`) is SIGKILLed again and again
at random moments while hundreds of posts fall due to fake platforms that answer slowly;
then `run --once` drains what is left, and we count at the fakes what went public.

Used by tests/test_kill_loop.py (asserts) and bench/kill_loop.py (a bigger run, figures
only). Everything runs for real: the worker is a subprocess on an SQLite file, the fakes
are HTTP servers on 127.0.0.1 in this process (threads), so their `published` records
can be read after the run. Nothing here imports pytest.

What the figures mean:

- delivered: how many times a post's text reached its platform (counted at the fake,
  by the post's unique number in its text). More than once is a double post.
- uncertain: posts Siar would not resend (it cannot tell whether they went out); some
  of them did reach the platform (delivered-but-uncertain), some did not.
"""

import os
import random
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from scheduler.catalog import load_catalog
from scheduler.content.model import Catalog
from scheduler.db import make_engine, session_scope
from scheduler.models import Account, Post
from scheduler.setup import initialize
from tests.fakes.base import FakePlatform, RecordedRequest
from tests.fakes.facebook import FakeFacebook
from tests.fakes.instagram import FakeInstagram
from tests.fakes.telegram import FakeTelegram
from tests.fakes.threads import FakeThreads
from tests.fakes.x import FakeX

REPO = Path(__file__).resolve().parent.parent
MINI = REPO / "tests" / "data" / "mini"
PLATFORMS = ("facebook", "instagram", "threads", "x", "telegram")
IMAGE = "kartu.jpg"  # in the mini content's media folder
WIB = ZoneInfo("Asia/Jakarta")
# Far from every stage of the mini election (its last dated stage is 2024-03-01): the
# worker's planning job creates nothing, and no calendar rule (quiet period, voting day,
# results) holds a post back.
START = datetime(2024, 5, 6, 10, 0, tzinfo=WIB)
FINAL = ("published", "uncertain", "failed", "missed")  # states a post may end in
UNFINISHED = ("approved", "retrying", "publishing")  # would still be sent (or is mid-way)
MARK = re.compile(r"kill-loop no\. (\d+) ")
WORKER_READY_LIMIT = 20.0  # seconds a started worker may take to send its first request
DRAIN_LIMIT = 240.0  # seconds one `run --once` may take


@dataclass(frozen=True)
class LoopConfig:
    regencies: int = 39  # plus the province: (regencies + 1) x 5 accounts
    posts_per_account: int = 3
    # Seconds of worker clock over which the posts fall due: about as long as the
    # killing lasts, so every kill lands while posts are falling due.
    spread: float = 65.0
    kills: int = 30
    kill_after: tuple[float, float] = (0.2, 1.5)  # seconds after the worker's first request
    latency: tuple[float, float] = (0.3, 1.0)  # seconds a publishing answer (POST) waits
    # Lookups (GET) answer faster. Today's worker looks uncertain posts up one at a time
    # at start-up, before it dispatches anything. At a publishing call's latency most
    # workers were then killed mid-lookup while due posts piled up, until one got through
    # and took the whole pile at once: uncertain swung from 7% to 88% between seeds.
    lookup_latency: tuple[float, float] = (0.05, 0.2)
    budget: float = 72.0  # seconds of killing at most; the final drain comes after
    seed: int = field(default_factory=lambda: random.SystemRandom().randrange(1 << 32))


# -- content and database ---------------------------------------------------------------


def region_keys(regencies: int) -> list[str]:
    return ["prov", *(f"kab-{n:02d}" for n in range(1, regencies + 1))]


def env_prefix(region: str, platform: str) -> str:
    return f"SIAR_{region.upper().replace('-', '_')}_{platform.upper()}"


def account_entries(region: str) -> list[dict[str, Any]]:
    """The five accounts of a region, credentials named like the mini content's."""
    fields = {"facebook": ("page_id", "access_token"),
              "instagram": ("ig_user_id", "access_token"),
              "threads": ("threads_user_id", "access_token"),
              "x": ("access_token",), "telegram": ("bot_token", "chat_id")}
    return [{"platform": p, "handle": f"@{region}",
             "credentials": {f: f"{env_prefix(region, p)}_{f.upper()}" for f in fields[p]}}
            for p in PLATFORMS]


def regions_document(regencies: int) -> dict[str, Any]:
    def region(key: str, kind: str, name: str) -> dict[str, Any]:
        return {"key": key, "name": f"KPU {name}", "area": name, "kind": kind,
                "website": f"https://{key}.kpu.go.id",
                "hashtag": f"#KPU{key.replace('-', '').capitalize()}",
                "accounts": account_entries(key)}

    keys = region_keys(regencies)
    return {"timezone": "Asia/Jakarta",
            "province": region(keys[0], "provinsi", "Provinsi Uji"),
            "regencies": [region(k, "kabupaten", f"Kabupaten {k[4:]}") for k in keys[1:]]}


def write_content(folder: Path, regencies: int) -> Path:
    """The mini content with its three regions replaced by a province and `regencies`."""
    mini = folder / "mini"
    shutil.copytree(MINI, mini)
    (mini / "content" / "regions" / "uji.yaml").write_text(
        yaml.safe_dump(regions_document(regencies), sort_keys=False), encoding="utf-8")
    return mini


def credential_values(catalog: Catalog) -> dict[str, str]:
    """A value for every credential variable; the fakes accept any token and account."""
    values = {}
    for account in catalog.accounts():
        for name, env in account.credentials.items():
            if name == "chat_id":
                values[env] = f"@kpu{account.region_key.replace('-', '')}"
            elif name == "bot_token":
                values[env] = f"{1000 + len(values)}:TOKEN-{account.region_key}"
            else:  # a user, page or token: distinct per account, as on the platforms
                values[env] = f"{name}-{account.region_key}-{account.platform}"
    return values


def post_text(number: int, region: str, platform: str) -> str:
    # The number identifies the post at the fakes; nothing in it looks like a hashtag,
    # a link or HTML, so no platform or adapter changes it.
    return f"Uji kill-loop no. {number} untuk {region} di {platform}. Cek DPT Anda."


def add_posts(engine: Engine, config: LoopConfig) -> int:
    """Approved posts, `posts_per_account` on each account, falling due one after another
    over `spread` seconds from START; Instagram's (which need one) and every other
    post elsewhere carry an image. Returns how many."""
    now = datetime.now(UTC)
    with session_scope(engine, write=True) as session:
        accounts = list(session.exec(select(Account).order_by(col(Account.id))))
        total = len(accounts) * config.posts_per_account
        for number in range(total):
            account = accounts[number % len(accounts)]
            due = START + timedelta(seconds=config.spread * number / total)
            image = IMAGE if account.platform == "instagram" or number % 2 == 0 else None
            session.add(Post(
                account_id=account.id or 0, region_key=account.region_key,
                platform=account.platform, scheduled_at=due, due_at=due,
                text=post_text(number, account.region_key, account.platform), image=image,
                status="approved", created_by="kill-loop", created_at=now, updated_at=now,
                approved_by="kill-loop-reviewer", approved_at=now, platform_ref={},
                problems=[]))
    return total


# -- fakes --------------------------------------------------------------------------------


def make_fake(platform: str) -> FakePlatform:
    kinds: dict[str, Callable[..., FakePlatform]] = {
        "facebook": FakeFacebook, "instagram": FakeInstagram, "threads": FakeThreads,
        "x": FakeX, "telegram": FakeTelegram}
    return kinds[platform](accept_any_token=True, accept_any_account=True)


def jitter_latency(fake: FakePlatform, publishing: tuple[float, float],
                   lookups: tuple[float, float], rng: random.Random) -> None:
    """Every answer waits a random time, so the kills land at every phase of a post's
    requests: `publishing` for POSTs (what publishes, uploads or creates a container),
    `lookups` for GETs (container status, permalinks, recent posts). The fake's own pause
    still returns early when it stops."""
    pause, dispatch = fake.pause, fake.dispatch
    method = threading.local()  # the handler thread's request, seen by its pause

    def remember(request: RecordedRequest) -> Any:
        method.name = request.method
        return dispatch(request)

    def wait(_seconds: float) -> object:
        low, high = lookups if getattr(method, "name", "") == "GET" else publishing
        return pause(rng.uniform(low, high))

    fake.latency = max(publishing[0], lookups[0])  # the base class pauses only when > 0
    fake.dispatch = remember  # type: ignore[method-assign]
    fake.pause = wait


@contextmanager
def running_fakes(config: LoopConfig, rng: random.Random) -> Iterator[dict[str, FakePlatform]]:
    """The five fakes, started; on exit stopped, which joins their handler threads, so
    after it every request they received has been acted on."""
    with ExitStack() as stack:
        fakes = {}
        for platform in PLATFORMS:
            fake = make_fake(platform)
            jitter_latency(fake, config.latency, config.lookup_latency,
                           random.Random(rng.random()))
            fakes[platform] = stack.enter_context(fake)
        yield fakes


def request_count(fakes: dict[str, FakePlatform]) -> int:
    return sum(f.request_count for f in fakes.values())


# -- the worker process ------------------------------------------------------------------


@dataclass
class Harness:
    folder: Path
    config: LoopConfig
    fakes: dict[str, FakePlatform]
    engine: Engine
    env: dict[str, str]
    started: float = field(default_factory=time.monotonic)  # the loop's real-time origin
    runs: int = 0

    def worker_now(self) -> datetime:
        """The worker's clock: START plus the real time since the loop began, so it keeps
        running across restarts as a real clock would (SIAR_NOW restarts it there)."""
        return START + timedelta(seconds=time.monotonic() - self.started)

    def start_worker(self, *args: str, now: datetime | None = None) -> subprocess.Popen[bytes]:
        self.runs += 1
        log = self.folder / f"worker-{self.runs:03d}.log"
        env = {**self.env, "SIAR_NOW": (now or self.worker_now()).isoformat()}
        with log.open("wb") as output:  # the child keeps its own copy of the descriptor
            return subprocess.Popen(
                [sys.executable, "-m", "scheduler", "--env-file",
                 str(self.folder / "none.env"), "run", *args],
                env=env, cwd=self.folder, stdout=output, stderr=subprocess.STDOUT)

    def log_of(self, run: int) -> str:
        return (self.folder / f"worker-{run:03d}.log").read_text(errors="replace")


def base_env(folder: Path, mini: Path, catalog: Catalog,
             fakes: dict[str, FakePlatform]) -> dict[str, str]:
    env = {**os.environ,
           "SIAR_DATABASE_URL": f"sqlite:///{folder / 'siar.db'}",
           "SIAR_CONTENT_DIR": str(mini / "content"),
           "SIAR_TEMPLATES_DIR": str(mini / "templates"),
           "SIAR_MEDIA_DIR": str(mini / "content" / "media"),
           "SIAR_OUTBOX_DIR": str(folder / "outbox"),
           # Instagram and Threads send image URLs; the fakes never fetch them.
           "SIAR_MEDIA_BASE_URL": "https://media.kpu.example/siar",
           "SIAR_HTTP_TIMEOUT": "20", "SIAR_PLAN_DAYS_AHEAD": "1",
           "SIAR_ALLOW_NOW": "1",  # settings others may add; harmless where unknown
           "SIAR_OUTBOX_FALLBACK": "0",
           "SIAR_LOG_LEVEL": "INFO",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    env.update({f"SIAR_{p.upper()}_API_URL": fake.url for p, fake in fakes.items()})
    env.update(credential_values(catalog))
    return env


def kill_at_random(harness: Harness, rng: random.Random) -> bool:
    """Start a worker, wait for its first request (it is past start-up and busy) and a
    random moment more, then SIGKILL it. False if it sent nothing in time."""
    before = request_count(harness.fakes)
    worker = harness.start_worker()
    try:
        busy = wait_for(lambda: request_count(harness.fakes) > before or
                        worker.poll() is not None, WORKER_READY_LIMIT)
        if worker.poll() is not None:
            raise RuntimeError(f"the worker stopped by itself (exit {worker.returncode}):\n"
                               + harness.log_of(harness.runs)[-3000:])
        time.sleep(rng.uniform(*harness.config.kill_after))
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
        return busy
    finally:
        if worker.poll() is None:
            worker.kill()
        worker.wait(timeout=30)


def wait_for(condition: Callable[[], bool], limit: float) -> bool:
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def statuses(engine: Engine) -> Counter[str]:
    with Session(engine) as session:
        rows = session.exec(select(Post.status, func.count()).group_by(col(Post.status)))
        return Counter(dict(rows.all()))


def mid_publish(engine: Engine) -> set[int]:
    with Session(engine) as session:
        return {i or 0 for i in session.exec(select(Post.id).where(
            col(Post.status) == "publishing"))}


def latest_due(engine: Engine) -> datetime | None:
    with Session(engine) as session:
        return session.exec(select(func.max(Post.due_at)).where(
            col(Post.status).in_(UNFINISHED))).one()


def drain(harness: Harness, rounds: int = 4) -> int:
    """`run --once` until nothing is left to send and a run changes nothing more: it turns
    abandoned claims uncertain, looks Instagram and Threads ones up, and sends those found
    unpublished. The clock is moved past every retry's due time, as time would pass for a
    real worker. Returns how many runs it took."""
    before = statuses(harness.engine)
    for done in range(1, rounds + 1):
        now = harness.worker_now()
        due = latest_due(harness.engine)
        if due is not None and due.astimezone(UTC) >= now:
            now = due.astimezone(UTC) + timedelta(seconds=1)
        worker = harness.start_worker("--once", now=now)
        try:
            code = worker.wait(timeout=DRAIN_LIMIT)
        finally:
            if worker.poll() is None:
                worker.kill()
                worker.wait(timeout=30)
        if code != 0:
            raise RuntimeError(f"run --once failed ({code}):\n"
                               + harness.log_of(harness.runs)[-3000:])
        after = statuses(harness.engine)
        if after == before and not any(after[s] for s in UNFINISHED):
            return done
        before = after
    return rounds


# -- counting -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PostRecord:
    id: int
    number: int
    platform: str
    status: str
    last_error: str | None
    has_container: bool


@dataclass
class Result:
    seed: int
    kills: int
    busy_kills: int
    caught: int  # posts some kill left mid-publish (claimed, an attempt perhaps in flight)
    drains: int
    seconds: float
    posts: list[PostRecord]
    delivered: dict[str, Counter[int]]  # platform -> post number -> times it went public
    received: dict[str, set[int]]  # platform -> post numbers whose text reached it at all
    strays: list[str]  # published texts that carry no post number

    def times_delivered(self, post: PostRecord) -> int:
        return sum(counts[post.number] for counts in self.delivered.values())

    def problems(self) -> list[str]:
        """Every broken promise: a double post, a lost post, a wrong record."""
        found = [f"text without a post number went public: {t!r}" for t in self.strays]
        for post in self.posts:
            times = self.times_delivered(post)
            elsewhere = times - self.delivered[post.platform][post.number]
            where = f"post #{post.id} ({post.platform}, {post.status})"
            if times > 1:
                found.append(f"{where} went public {times} times")
            if elsewhere:
                found.append(f"{where} went public on another platform")
            if post.status not in FINAL:
                found.append(f"{where} did not finish")
            if post.status == "failed" and not post.last_error:
                found.append(f"{where} failed without a platform error")
            if post.status == "published" and times != 1:
                found.append(f"{where} is recorded published but went public {times} times")
            if times and post.status not in ("published", "uncertain"):
                found.append(f"{where} went public but is recorded {post.status}")
        return found

    def summary(self) -> str:
        total = Counter(p.status for p in self.posts)
        uncertain = [p for p in self.posts if p.status == "uncertain"]
        live = sum(1 for p in uncertain if self.times_delivered(p))
        duplicates = sum(1 for p in self.posts if self.times_delivered(p) > 1)
        share = 100 * len(uncertain) / max(len(self.posts), 1)
        return (f"kill-loop: seed {self.seed}, {self.kills} kills ({self.busy_kills} "
                f"mid-traffic, {self.caught} posts caught mid-publish), {len(self.posts)} "
                f"posts, published {total['published']}, "
                f"uncertain {len(uncertain)} ({share:.1f}%), delivered-but-uncertain {live}, "
                f"never-delivered-uncertain {len(uncertain) - live}, failed "
                f"{total['failed']}, duplicates {duplicates}; {self.drains} drain run(s), "
                f"{self.seconds:.0f} s")

    def breakdown(self) -> list[str]:
        """Per platform: how the posts ended, and the uncertain ones by what is known:
        delivered, or not (and of those, how many never had their text reach the platform:
        killed before the request, or before it carried the text, e.g. an X media upload)."""
        lines = []
        for platform in PLATFORMS:
            posts = [p for p in self.posts if p.platform == platform]
            ended = Counter(p.status for p in posts)
            uncertain = [p for p in posts if p.status == "uncertain"]
            live = sum(1 for p in uncertain if self.times_delivered(p))
            unseen = sum(1 for p in uncertain if p.number not in self.received[platform])
            saved = sum(1 for p in uncertain if p.has_container)
            extra = f", {saved} with a saved container" if platform in ("instagram",
                                                                         "threads") else ""
            sent = sum(self.delivered[platform].values())
            lines.append(f"  {platform:<9} {len(posts)} posts: published {ended['published']}, "
                         f"uncertain {len(uncertain)} (delivered {live}, not delivered "
                         f"{len(uncertain) - live}, text never arrived {unseen}{extra}), "
                         f"failed {ended['failed']}, deliveries {sent}")
        return lines

    def report(self) -> list[str]:
        """The summary, the per-platform breakdown, and why posts ended uncertain or
        failed (their recorded reason, most common first)."""
        lines = [self.summary(), *self.breakdown()]
        for status in ("uncertain", "failed"):
            counts = Counter((p.platform, (p.last_error or "-")[:90]) for p in self.posts
                             if p.status == status)
            if counts:
                lines.append(f"{status}, by recorded reason:")
                lines += [f"  {n:>4} {platform}: {reason}"
                          for (platform, reason), n in counts.most_common()]
        return lines


def published_text(item: dict[str, Any]) -> str:
    """The text of one `published` record, whichever fake it came from."""
    for name in ("message", "caption", "text"):  # Facebook feed/photo, Meta, X, Telegram
        if item.get(name):
            return str(item[name])
    return ""


def texts_received(fakes: dict[str, FakePlatform]) -> dict[str, set[int]]:
    """Per platform, the post numbers whose text arrived in any request at all (published
    or not: a container, a refused or unanswered call)."""
    received: dict[str, set[int]] = {}
    for platform, fake in fakes.items():
        received[platform] = set()
        for request in fake.calls():
            for name in ("message", "caption", "text"):
                match = MARK.search(str(request.param(name) or ""))
                if match:
                    received[platform].add(int(match.group(1)))
    return received


def count_deliveries(fakes: dict[str, FakePlatform]) -> tuple[dict[str, Counter[int]],
                                                               list[str]]:
    delivered: dict[str, Counter[int]] = {}
    strays = []
    for platform, fake in fakes.items():
        delivered[platform] = Counter()
        for item in fake.published:
            text = published_text(item)
            match = MARK.search(text)
            if match:
                delivered[platform][int(match.group(1))] += 1
            else:
                strays.append(text)
    return delivered, strays


def post_records(engine: Engine) -> list[PostRecord]:
    with Session(engine) as session:
        return [PostRecord(p.id or 0, int(MARK.search(p.text).group(1)),  # type: ignore[union-attr]
                           p.platform, p.status, p.last_error,
                           bool((p.platform_ref or {}).get("container_id")))
                for p in session.exec(select(Post).order_by(col(Post.id)))]


# -- the whole run ------------------------------------------------------------------------


def prepare(folder: Path, config: LoopConfig,
            fakes: dict[str, FakePlatform]) -> tuple[Engine, dict[str, str], int]:
    mini = write_content(folder, config.regencies)
    catalog = load_catalog(mini / "content", mini / "templates")
    env = base_env(folder, mini, catalog, fakes)
    engine = make_engine(env["SIAR_DATABASE_URL"])
    initialize(engine, catalog, datetime.now(UTC))
    return engine, env, add_posts(engine, config)


def kill_loop(folder: Path, config: LoopConfig,
              progress: Callable[[str], None] = lambda line: None) -> Result:
    rng = random.Random(config.seed)
    began = time.monotonic()
    with running_fakes(config, rng) as fakes:
        engine, env, total = prepare(folder, config, fakes)
        try:
            harness = Harness(folder, config, fakes, engine, env)
            kills = busy = 0
            caught: set[int] = set()
            while kills < config.kills and time.monotonic() - harness.started < config.budget:
                if not any(statuses(engine)[s] for s in UNFINISHED):
                    break  # everything has been dealt with: nothing left to interrupt
                busy += kill_at_random(harness, rng)
                kills += 1
                caught |= mid_publish(engine)  # claimed by the dead worker
                progress(f"kill {kills} at {time.monotonic() - harness.started:.1f} s: "
                         f"{dict(sorted(statuses(engine).items()))}")
            drains = drain(harness)
            progress(f"drained in {drains} run(s): {dict(sorted(statuses(engine).items()))}")
        finally:
            posts = post_records(engine)
            engine.dispose()
    # The fakes have stopped: every request they received has been acted on.
    delivered, strays = count_deliveries(fakes)
    if len(posts) != total:
        raise RuntimeError(f"{total} posts were added but {len(posts)} are in the database")
    return Result(config.seed, kills, busy, len(caught), drains, time.monotonic() - began, posts,
                  delivered, texts_received(fakes), strays)
