"""Benchmark: the kill loop of tests/test_kill_loop.py, bigger and with its knobs exposed.

The real worker (`python -m scheduler run`) is SIGKILLed at random moments, again and
again, while posts fall due to fake platforms that answer slowly; `run --once` then drains
what is left. Counted at the fakes: posts delivered twice (must be 0), and how many posts
ended uncertain, per platform, and how many of those did reach the platform.

    .venv/bin/python bench/kill_loop.py                    # 80 regions, 1,200 posts, 60 kills
    .venv/bin/python bench/kill_loop.py --seed 1234 --kills 20 --spread 120

There is no "fastest possible way" to compare with: the figures are counts, and the
seed is printed so a run can be repeated (timing still varies from run to run).
Exits 1 if a promise was broken (a double post, a lost post, a wrong record).
"""

import argparse
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.killloop import LoopConfig, kill_loop  # noqa: E402


def pair(text: str) -> tuple[float, float]:
    low, _, high = text.partition(",")
    return float(low), float(high or low)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--regencies", type=int, default=79,
                        help="regencies besides the province; 5 accounts each")
    parser.add_argument("--posts-per-account", type=int, default=3)
    parser.add_argument("--spread", type=float, default=100.0,
                        help="seconds of worker clock over which the posts fall due")
    parser.add_argument("--kills", type=int, default=60)
    parser.add_argument("--kill-after", type=pair, default=(0.2, 1.5),
                        help="LOW,HIGH seconds after a worker's first request")
    parser.add_argument("--latency", type=pair, default=(0.3, 1.0),
                        help="LOW,HIGH seconds a publishing answer (POST) waits")
    parser.add_argument("--lookup-latency", type=pair, default=(0.05, 0.2),
                        help="LOW,HIGH seconds a lookup answer (GET) waits")
    parser.add_argument("--budget", type=float, default=150.0,
                        help="seconds of killing at most, before the final drain")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--quiet", action="store_true", help="no line per kill")
    args = parser.parse_args()
    config = LoopConfig(
        regencies=args.regencies, posts_per_account=args.posts_per_account,
        spread=args.spread, kills=args.kills, kill_after=args.kill_after,
        latency=args.latency, lookup_latency=args.lookup_latency, budget=args.budget,
        **({"seed": args.seed} if args.seed is not None else {}))
    print(f"kill-loop seed {config.seed}", flush=True)
    with tempfile.TemporaryDirectory(prefix="siar-kill-loop-") as folder:
        result = kill_loop(Path(folder), config,
                           progress=(lambda line: None) if args.quiet else
                           (lambda line: print(line, flush=True)))
    print("\n".join(result.report()))
    problems = result.problems()
    for problem in problems[:50]:
        print(f"BROKEN: {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
