"""Benchmark: the web app's busiest pages under 20 concurrent clients, over the whole
Jawa Timur Pemilu 2024 calendar (about 30,000 posts, see bench/web_fill.py).

Siar runs as `siar web` (create_web_app over create_app(settings), under uvicorn, one
process) in a subprocess, with a province-wide reviewer signed in. The baseline runs in
another subprocess under the same uvicorn: a bare ASGI app answering the same rows
straight from sqlite3 as a plain HTML table (bench/web_bare.py). Both send the
Server-Timing header `app;dur=`.

Pages: the review queue (/tinjauan), a calendar month (/kalender?bulan=2024-02), the
history (/operasi/riwayat), and the posts list (/unggahan). For each page, every client
(a thread with its own keep-alive connection) sends --requests requests, all at once;
rounds alternate Siar, bare, Siar, bare... Per page: p50 and p95 of the server time and
of the latency the client saw, requests per second (medians over the rounds), and
ratio = bare p95 / Siar p95 of the server time. Target: Siar's p95 under 100 ms and a
ratio of at least 0.3. A page that answers 404 (not built yet) is skipped.

    .venv/bin/python bench/web.py [--clients 20] [--requests 25] [--rounds 3]
                                  [--pages tinjauan,kalender,riwayat,unggahan]
                                  [--fresh] [--keep-db]

The filled database is cached in ~/.cache/siar-bench (SIAR_BENCH_CACHE), keyed by a
hash of the content, templates, migrations and the fill; --fresh fills it again. Each
run works on a copy; --keep-db keeps that copy (with its sessions) and the servers' logs.
The last line is `ratio=<number>`, the lowest ratio of the pages measured.
"""

import argparse
import http.client
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.web_fill import (  # noqa: E402
    APP_NOW,
    PASSWORD,
    REVIEWER,
    copy_database,
    filled_database,
)

TARGET_P95_MS = 100.0
TARGET_RATIO = 0.3
WARMUP = 3  # requests per client before the rounds, on each side


@dataclass(frozen=True)
class Page:
    key: str
    path: str  # the same path on both servers
    what: str


PAGES = (
    Page("tinjauan", "/tinjauan", "review queue: pending batches in scope"),
    Page("kalender", "/kalender?bulan=2024-02", "calendar month: posts per day and status"),
    Page("riwayat", "/operasi/riwayat", "history: the 50 newest posts"),
    Page("unggahan", "/unggahan", "posts list: the first 50 posts"),
)


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen[bytes]
    log: Path
    cookie: str = ""

    def alive(self) -> bool:
        return self.process.poll() is None


@dataclass
class Round:
    server_ms: list[float] = field(default_factory=list)
    client_ms: list[float] = field(default_factory=list)
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return len(self.client_ms) / self.seconds if self.seconds else 0.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def siar_env(db: Path, folder: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO), "SIAR_DATABASE_URL": f"sqlite:///{db}",
            "SIAR_CONTENT_DIR": str(REPO / "content"),
            "SIAR_TEMPLATES_DIR": str(REPO / "templates"),
            "SIAR_MEDIA_DIR": str(REPO / "content" / "media"),
            "SIAR_OUTBOX_DIR": str(folder / "outbox"),
            "SIAR_NOW": APP_NOW.isoformat(), "SIAR_ALLOW_NOW": "1",
            "SIAR_BENCH_DB": str(db)}


@contextmanager
def server(name: str, command: list[str], port: int, env: dict[str, str],
           folder: Path) -> Iterator[Server]:
    log = folder / f"{name}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=REPO, env=env, stdout=out,
                                   stderr=subprocess.STDOUT)
    started = Server(name, port, process, log)
    try:
        wait_until_listening(started)
        yield started
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=30)


def wait_until_listening(target: Server, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not target.alive():
            raise SystemExit(f"{target.name} stopped at start:\n{tail(target.log)}")
        try:
            with socket.create_connection(("127.0.0.1", target.port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"{target.name} did not listen within {timeout:.0f} s:\n{tail(target.log)}")


def tail(log: Path, lines: int = 30) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


def sign_in(target: Server) -> str:
    """Sign the reviewer in through the form, as a browser does; the session cookie."""
    connection = http.client.HTTPConnection("127.0.0.1", target.port, timeout=30)
    connection.request("GET", "/masuk")
    page = connection.getresponse()
    html = page.read().decode()
    pre = re.search(r"siar_pra=([^;]+)", page.getheader("set-cookie") or "")
    csrf = re.search(r'name="csrf" value="([^"]+)"', html)
    if page.status != 200 or not pre or not csrf:
        raise SystemExit(f"/masuk answered {page.status} without a sign-in form")
    form = urlencode({"name": REVIEWER, "password": PASSWORD, "csrf": csrf.group(1),
                      "lanjut": "/"})
    connection.request("POST", "/masuk", body=form, headers={
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": f"siar_pra={pre.group(1)}"})
    answer = connection.getresponse()
    answer.read()
    connection.close()
    session = re.search(r"siar_sesi=([^;]+)", answer.getheader("set-cookie") or "")
    if answer.status != 303 or not session:
        raise SystemExit(f"signing {REVIEWER} in failed: {answer.status}")
    return f"siar_sesi={session.group(1)}"


def get(connection: http.client.HTTPConnection, path: str,
        cookie: str) -> tuple[int, float, float, int]:
    """(status, server ms, client ms, body bytes) of one GET on a kept-alive connection."""
    started = time.perf_counter()
    connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
    answer = connection.getresponse()
    body = answer.read()
    client = (time.perf_counter() - started) * 1000
    timing = re.search(r"app;dur=([0-9.]+)", answer.getheader("server-timing") or "")
    return answer.status, float(timing.group(1)) if timing else float("nan"), client, len(body)


def probe(target: Server, path: str) -> tuple[int, int, str]:
    """(status, body bytes, the baseline's row count) of one GET."""
    connection = http.client.HTTPConnection("127.0.0.1", target.port, timeout=60)
    try:
        connection.request("GET", path, headers={"Cookie": target.cookie} if target.cookie
                           else {})
        answer = connection.getresponse()
        size = len(answer.read())
    finally:
        connection.close()
    return answer.status, size, answer.getheader("x-rows") or ""


def load(target: Server, path: str, clients: int, requests: int) -> Round:
    """`clients` threads, each with its own connection, send `requests` GETs at once."""
    result = Round()
    lock = threading.Lock()
    ready = threading.Barrier(clients + 1)

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", target.port, timeout=60)
        server_ms, client_ms, errors = [], [], []
        ready.wait()
        try:
            for _ in range(requests):
                status, server, took, _ = get(connection, path, target.cookie)
                if status != 200:
                    errors.append(f"{path} answered {status}")
                server_ms.append(server)
                client_ms.append(took)
        except (OSError, http.client.HTTPException) as exc:
            errors.append(f"{path}: {exc!r}")
        finally:
            connection.close()
        with lock:
            result.server_ms += server_ms
            result.client_ms += client_ms
            result.errors += errors

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    ready.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    result.seconds = time.perf_counter() - started
    return result


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[94]


@dataclass
class Figures:
    server_p50: float
    server_p95: float
    client_p50: float
    client_p95: float
    rate: float


def figures(rounds: list[Round]) -> Figures:
    """Each figure per round, then the median over the rounds."""
    def med(pick: list[float]) -> float:
        return statistics.median(pick)

    return Figures(med([statistics.median(r.server_ms) for r in rounds]),
                   med([p95(r.server_ms) for r in rounds]),
                   med([statistics.median(r.client_ms) for r in rounds]),
                   med([p95(r.client_ms) for r in rounds]), med([r.rate for r in rounds]))


def measure(page: Page, siar: Server, bare: Server, args: argparse.Namespace) -> str | tuple[
        Figures, Figures, int, int]:
    """The page's figures on both sides, or why it was skipped."""
    status, siar_bytes, _ = probe(siar, page.path)
    if status == 404:
        return "Siar answers 404 (page not built or not merged yet): skipped"
    if status != 200:
        return f"Siar answers {status}: skipped; the server's log ends:\n{tail(siar.log, 15)}"
    status, bare_bytes, rows = probe(bare, page.path)
    if status != 200:
        return f"the baseline answers {status}: skipped"
    if rows in ("", "0"):
        raise SystemExit(f"the baseline found no rows for {page.path}: the fill is wrong")
    print(f"  baseline rows: {rows}")
    for side in (siar, bare):
        load(side, page.path, args.clients, WARMUP)
    rounds: dict[str, list[Round]] = {"siar": [], "bare": []}
    for number in range(1, args.rounds + 1):
        for side in (siar, bare):
            done = load(side, page.path, args.clients, args.requests)
            if done.errors:
                raise SystemExit(f"{side.name} round {number}: {done.errors[:3]}\n"
                                 f"{tail(side.log)}")
            rounds[side.name].append(done)
            print(f"  round {number} {side.name:4}: server p95 {p95(done.server_ms):7.1f} ms,"
                  f" {done.rate:7.1f} req/s", flush=True)
    return figures(rounds["siar"]), figures(rounds["bare"]), siar_bytes, bare_bytes


def report(results: dict[str, str | tuple[Figures, Figures, int, int]]) -> list[float]:
    print()
    print(f"{'page':28} {'side':5} {'server p50':>11} {'server p95':>11} {'client p50':>11} "
          f"{'client p95':>11} {'req/s':>8} {'bytes':>8}")
    ratios = []
    for path, outcome in results.items():
        if isinstance(outcome, str):
            print(f"{path:28} {outcome}")
            continue
        siar, bare, siar_bytes, bare_bytes = outcome
        for name, fig, size in (("siar", siar, siar_bytes), ("bare", bare, bare_bytes)):
            print(f"{path if name == 'siar' else '':28} {name:5} {fig.server_p50:8.1f} ms "
                  f"{fig.server_p95:8.1f} ms {fig.client_p50:8.1f} ms {fig.client_p95:8.1f} ms "
                  f"{fig.rate:8.1f} {size:8}")
        ratio = bare.server_p95 / siar.server_p95
        ratios.append(ratio)
        fast = siar.server_p95 < TARGET_P95_MS
        near = ratio >= TARGET_RATIO
        print(f"{'':28} ratio {ratio:.2f} (bare p95 / siar p95); "
              f"p95 < {TARGET_P95_MS:.0f} ms: {'PASS' if fast else 'FAIL'}; "
              f"ratio >= {TARGET_RATIO}: {'PASS' if near else 'FAIL'}")
    return ratios


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=25, help="per client and round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=1,
                        help="server processes, the same for Siar and the baseline")
    parser.add_argument("--pages", default=",".join(p.key for p in PAGES),
                        help="comma-separated: " + ", ".join(p.key for p in PAGES))
    parser.add_argument("--fresh", action="store_true", help="fill the database again")
    parser.add_argument("--keep-db", action="store_true",
                        help="keep this run's database copy and the servers' logs")
    args = parser.parse_args()
    wanted = [p for p in PAGES if p.key in args.pages.split(",")]
    started = time.perf_counter()
    cached, hit = filled_database(fresh=args.fresh)
    print(f"database: {cached} ({'cached' if hit else 'filled'} in "
          f"{time.perf_counter() - started:.1f} s); application time {APP_NOW:%Y-%m-%d %H.%M} "
          "WIB")
    with ExitStack() as stack:
        if args.keep_db:
            folder = Path(tempfile.mkdtemp(prefix="siar-bench-web-"))
        else:
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory(
                prefix="siar-bench-web-")))
        db = copy_database(cached, folder)
        describe(db)
        env = siar_env(db, folder)
        siar_port, bare_port = free_port(), free_port()
        siar = stack.enter_context(server("siar", [
            sys.executable, "-m", "scheduler", "--env-file", str(folder / "none.env"), "web",
            "--host", "127.0.0.1", "--port", str(siar_port), "--workers", str(args.workers)],
            siar_port, env, folder))
        bare = stack.enter_context(server("bare", [
            sys.executable, "-m", "uvicorn", "bench.web_bare:app", "--host", "127.0.0.1",
            "--port", str(bare_port), "--log-level", "warning", "--no-server-header",
            "--workers", str(args.workers)],
            bare_port, env, folder))
        siar.cookie = sign_in(siar)
        print(f"{args.clients} clients x {args.requests} requests, {args.rounds} rounds "
              f"per side, interleaved; uvicorn, {args.workers} process(es) each")
        results: dict[str, str | tuple[Figures, Figures, int, int]] = {}
        for page in wanted:
            print(f"{page.path}: {page.what}", flush=True)
            results[page.path] = measure(page, siar, bare, args)
            if isinstance(results[page.path], str):
                print(f"  {results[page.path]}")
        if args.keep_db:
            print(f"kept: {db} and the logs in {folder}")
    ratios = report(results)
    if not ratios:
        print("no page measured")
        return
    measured = [r for r in results.values() if not isinstance(r, str)]
    passed = all(s.server_p95 < TARGET_P95_MS for s, *_ in measured) and \
        min(ratios) >= TARGET_RATIO
    print(f"overall: {'PASS' if passed else 'FAIL'} ({len(measured)} of {len(wanted)} pages "
          "measured)")
    print(f"ratio={min(ratios):.2f}")


def describe(db: Path) -> None:
    import sqlite3

    connection = sqlite3.connect(db)
    try:
        counts = dict(connection.execute("SELECT status, COUNT(*) FROM post GROUP BY status"))
        batches = connection.execute(
            "SELECT COUNT(DISTINCT batch) FROM post WHERE status = 'pending'").fetchone()[0]
    finally:
        connection.close()
    states = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
    print(f"posts={sum(counts.values())} ({states}); {batches} batches pending review")


if __name__ == "__main__":
    main()
