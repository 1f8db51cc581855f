"""Benchmark: several `siar run` workers on one PostgreSQL at national size (issue 11).

38 provinces and 514 regencies (552 offices, 2,760 accounts), one post per account due
at the same minute, plus busy Telegram and quota-bound Instagram accounts; fakes answer
in 200 ms; the leader is SIGKILLed once 40 % of the posts are out. Prints the outcome
(statuses, what the kill caught, how late the last post sent at its first try went; the
accounts whose post the kill caught apart, since they wait for its recovery), the CPU
time of the workers and of this process (the fakes), and every broken promise; exits 1
if there is one. tests/test_several_workers.py runs the
same harness on a smaller set.

    .venv/bin/python bench/several_workers.py                 # 552 offices, 3 workers
    .venv/bin/python bench/several_workers.py --provinces 6 --regencies 9

Needs PostgreSQL installed (tests/pg.py starts a throwaway server).
"""

import argparse
import resource
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.multiworker import Config, several_workers  # noqa: E402
from tests.pg import postgres_server  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--provinces", type=int, default=38)
    parser.add_argument("--regencies", type=int, default=0,
                        help="per province; 0: 514 in all, as KPU's")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=200,
                        help="SIAR_WORKER_CONCURRENCY of each worker")
    parser.add_argument("--latency", type=float, default=0.2)
    args = parser.parse_args()
    config = Config(provinces=args.provinces, regencies=args.regencies, workers=args.workers,
                    concurrency=args.concurrency, latency=args.latency)
    with tempfile.TemporaryDirectory(prefix="siar-workers-") as folder, \
            postgres_server() as base:
        before = _cpu()
        outcome = several_workers(Path(folder), f"{base}/postgres", config, progress=print)
        after = _cpu()
    print(outcome.summary())
    print(f"CPU: workers {after[1] - before[1]:.1f} s, this process (fakes, setup, "
          f"counting) {after[0] - before[0]:.1f} s")
    for problem in outcome.problems[:50]:
        print("  " + problem)
    return 1 if outcome.problems else 0


def _cpu() -> tuple[float, float]:
    """CPU seconds (user + system) of this process and of its finished children."""
    own, children = (resource.getrusage(who) for who in (resource.RUSAGE_SELF,
                                                           resource.RUSAGE_CHILDREN))
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


if __name__ == "__main__":
    sys.exit(main())
