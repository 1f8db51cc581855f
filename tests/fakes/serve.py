"""Run one fake platform in its own process (for benchmarks and manual trials):

    python -m tests.fakes.serve telegram --latency 0.2

prints the fake's base URL on its first line of output, accepts any token and any
account, and stops on SIGTERM or SIGINT. In its own process the fake's work does not
compete with the client for the interpreter lock, as a remote API would not.
"""

import argparse
import signal
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.fakes.facebook import FakeFacebook
from tests.fakes.instagram import FakeInstagram
from tests.fakes.telegram import FakeTelegram
from tests.fakes.threads import FakeThreads
from tests.fakes.x import FakeX

FAKES: dict[str, Any] = {"facebook": FakeFacebook, "instagram": FakeInstagram,
                         "threads": FakeThreads, "x": FakeX, "telegram": FakeTelegram}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("platform", choices=sorted(FAKES))
    parser.add_argument("--latency", type=float, default=0.0, help="seconds before each answer")
    args = parser.parse_args()
    extra = {"chats": {}} if args.platform == "telegram" else {}
    fake = FAKES[args.platform](latency=args.latency, accept_any_token=True,
                                accept_any_account=True, **extra).start()
    print(fake.url, flush=True)
    signal.sigwait({signal.SIGTERM, signal.SIGINT})
    fake.stop()


if __name__ == "__main__":
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT})
    main()
