"""Benchmark: publishing, against fake platform APIs over HTTP on 127.0.0.1, each fake in
its own process (as a remote API would be: its work does not compete with Siar's threads
for the interpreter lock).

1. Lateness: 190 posts (the 38 regencies x 5 platforms, each with its image) fall due in
   the same second; every fake answers each request after 200 ms. The real worker
   (APScheduler, the dispatcher, the real adapters) publishes them; we print how late the
   last one was. A post needs 1 to 4 requests (Instagram: container, status, publish,
   permalink), so with unlimited parallelism the last post is about 0.8 s late; one
   request at a time would take the sum of all requests.
2. Throughput: 2,000 Telegram posts over the 38 regencies' accounts, against a fake that
   answers at once, published by `run --once`'s code path, as a ratio to a bare requests
   loop sending the same 2,000 sendMessage calls to the same server in the same run.

    .venv/bin/python bench/dispatch.py

The last line is `ratio=<number>` (Siar's throughput / the bare loop's).
"""

import argparse
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import requests  # noqa: E402
from sqlmodel import Session, select  # noqa: E402

from scheduler.clock import SystemClock  # noqa: E402
from scheduler.config import Settings, load_settings  # noqa: E402
from scheduler.content.catalog import load_catalog  # noqa: E402
from scheduler.content.model import Catalog  # noqa: E402
from scheduler.db import make_engine, session_scope  # noqa: E402
from scheduler.migrate import upgrade_database  # noqa: E402
from scheduler.models import Account, Post  # noqa: E402
from scheduler.publishing.factory import AdapterFactory  # noqa: E402
from scheduler.setup import initialize  # noqa: E402
from scheduler.worker import Worker  # noqa: E402

PLATFORMS = ("facebook", "instagram", "x", "threads", "telegram")
IMAGE = "cek-dpt.jpg"


@dataclass(frozen=True)
class FakeServer:
    url: str


@contextmanager
def fake_process(platform: str, latency: float) -> Iterator[FakeServer]:
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.fakes.serve", platform, "--latency", str(latency)],
        cwd=REPO, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        yield FakeServer(process.stdout.readline().strip())
    finally:
        process.terminate()
        process.wait(timeout=30)
        if process.stdout:
            process.stdout.close()


def settings_for(folder: Path, catalog: Catalog, fakes: dict[str, Any]) -> Settings:
    """Every regency account gets credentials (dummy values the fakes accept)."""
    env = {"SIAR_DATABASE_URL": f"sqlite:///{folder / 'dispatch.db'}",
           "SIAR_OUTBOX_DIR": str(folder / "outbox"), "SIAR_MEDIA_BASE_URL":
           "https://media.kpu.example/siar", "SIAR_HTTP_TIMEOUT": "10",
           "SIAR_CONTENT_DIR": str(REPO / "content"),
           "SIAR_TEMPLATES_DIR": str(REPO / "templates"),
           "SIAR_MEDIA_DIR": str(REPO / "content" / "media")}
    for platform, fake in fakes.items():
        env[f"SIAR_{platform.upper()}_API_URL"] = fake.url
    for account in catalog.accounts():
        for field, name in account.credentials.items():
            env[name] = f"@kpu{account.region_key}" if field == "chat_id" else f"{field}-1234"
    return load_settings(env=env, env_file=None)


def add_posts(engine: Any, catalog: Catalog, at: datetime, platforms: tuple[str, ...],
              copies: int, image: str | None) -> None:
    regencies = [k for k, r in catalog.regions.items() if not r.is_province]
    now = datetime.now(UTC)
    with session_scope(engine, write=True) as session:
        accounts = {(a.region_key, a.platform): a.id for a in session.exec(select(Account))}
        for n in range(copies):
            for region in regencies:
                for platform in platforms:
                    session.add(Post(
                        account_id=accounts[(region, platform)], region_key=region,
                        platform=platform, scheduled_at=at, due_at=at,
                        text=f"Ayo cek DPT Anda, Teman Pemilih {region} ({n}). #TemanPemilih",
                        image=image, status="approved", created_by="bench", created_at=now,
                        updated_at=now, platform_ref={}, problems=[]))


def fresh(folder: Path, catalog: Catalog, fakes: dict[str, Any]) -> tuple[Any, Settings]:
    settings = settings_for(folder, catalog, fakes)
    engine = make_engine(settings.database_url)
    upgrade_database(engine)
    initialize(engine, catalog, datetime.now(UTC))
    return engine, settings


def lateness(catalog: Catalog) -> list[float]:
    with ExitStack() as stack:
        fakes = {p: stack.enter_context(fake_process(p, 0.2)) for p in PLATFORMS}
        with tempfile.TemporaryDirectory() as tmp:
            engine, settings = fresh(Path(tmp), catalog, fakes)
            due = (datetime.now(UTC) + timedelta(seconds=3)).replace(microsecond=0)
            add_posts(engine, catalog, due, PLATFORMS, 1, IMAGE)
            clock = SystemClock()
            worker = Worker(engine, catalog, settings, clock, AdapterFactory(settings, clock))
            scheduler = worker.build_scheduler()
            scheduler.remove_job("plan")
            thread = threading.Thread(target=scheduler.start, daemon=True)
            thread.start()
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline and _published(engine) < 190:
                time.sleep(0.05)
            scheduler.shutdown(wait=False)
            thread.join(timeout=30)
            worker.dispatcher.shutdown()
            with Session(engine) as session:
                delays = [((p.published_at or due) - p.scheduled_at).total_seconds()
                          for p in session.exec(select(Post))]
                statuses = {p.status for p in session.exec(select(Post))}
            engine.dispose()
            assert statuses == {"published"}, statuses
            print(f"lateness: {len(delays)} posts, every request answered after 200 ms; "
                  f"concurrency {settings.worker_concurrency}")
            return sorted(delays)


def _published(engine: Any) -> int:
    with Session(engine) as session:
        return len(session.exec(select(Post.id).where(Post.status == "published")).all())


def throughput(catalog: Catalog, posts_per_account: int) -> tuple[float, float, int]:
    with fake_process("telegram", 0.0) as fake, tempfile.TemporaryDirectory() as tmp:
        engine, settings = fresh(Path(tmp), catalog, {"telegram": fake})
        add_posts(engine, catalog, datetime.now(UTC) - timedelta(seconds=1), ("telegram",),
                  posts_per_account, None)
        total = posts_per_account * 38
        clock = SystemClock()
        worker = Worker(engine, catalog, settings, clock, AdapterFactory(settings, clock))
        started = time.perf_counter()
        outcomes = worker.run_once()
        siar = total / (time.perf_counter() - started)
        assert len(outcomes) == total
        assert {o.status for o in outcomes} == {"published"}
        engine.dispose()
        with requests.Session() as session:
            url = f"{fake.url}/botbench-1234/sendMessage"
            started = time.perf_counter()
            for n in range(total):
                response = session.post(url, data={"chat_id": f"@kpubench{n % 38}",
                                                   "text": f"Ayo cek DPT ({n})",
                                                   "parse_mode": "HTML"}, timeout=10)
                response.raise_for_status()
            bare = total / (time.perf_counter() - started)
    return siar, bare, total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    catalog = load_catalog(REPO / "content", REPO / "templates")
    lasts = []
    for _ in range(args.repeat):
        delays = lateness(catalog)
        lasts.append(delays[-1])
        print(f"  last post {delays[-1]:.2f} s late, median post {statistics.median(delays):.2f} s")
    print(f"last post published {statistics.median(lasts):.2f} s after its minute (median of "
          f"{args.repeat} runs; target under 2 s; ideal about 0.8 s for the 4-request "
          "Instagram chain)")
    runs = [throughput(catalog, 53) for _ in range(args.repeat)]
    siar = statistics.median(r[0] for r in runs)
    bare = statistics.median(r[1] for r in runs)
    print(f"throughput, {runs[0][2]} Telegram posts, fake answering at once (median of "
          f"{args.repeat}): Siar {siar:,.0f} posts/s, bare requests loop {bare:,.0f} requests/s")
    print(f"ratio={siar / bare:.2f}")


if __name__ == "__main__":
    main()
