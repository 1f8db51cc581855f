"""The demo's database, built as `scripts/demo` builds it, for tests that run the README.

`scripts/demo` runs `siar` commands; `build_demo` runs the same commands that change the
database, with the same environment, users, times and batches (the read-only ones it
prints between them, `check`, `stages`, `preview`, `review list`, `history`, `posts` and
`status`, change nothing and are left out). tests/test_demo.py runs the script itself.
"""

import json
import os
from pathlib import Path

from tests.cli_forks import Completed, ForkedSiar

REPO = Path(__file__).resolve().parent.parent
PASSWORD = "demo-sandi-2024"  # scripts/demo's password, for its throwaway database
USERS = {"peninjau.jatim": "reviewer", "penulis.jatim": "author",
         "operator.jatim": "operator", "admin.jatim": "admin"}


def demo_env(demo: Path, home: Path) -> dict[str, str]:
    """scripts/demo's environment, with the demo folder at `demo` (absolute paths)."""
    env = {name: value for name, value in os.environ.items()
           if not name.startswith("SIAR_") and name not in ("COLUMNS", "LINES")}
    return {**env,
            "HOME": str(home),
            "SIAR_DATABASE_URL": f"sqlite:///{demo / 'siar-demo.db'}",
            "SIAR_OUTBOX_DIR": str(demo / "outbox"),
            "SIAR_CONTENT_DIR": str(REPO / "content"),
            "SIAR_TEMPLATES_DIR": str(REPO / "templates"),
            "SIAR_MEDIA_DIR": str(REPO / "content" / "media"),
            "SIAR_SESSION_FILE": str(home / "siar-session"),
            "SIAR_ALLOW_NOW": "1",
            "SIAR_OUTBOX_FALLBACK": "1",
            "SIAR_LOG_LEVEL": "WARNING",
            "COLUMNS": "80"}


def build_demo(siar: ForkedSiar, demo: Path, env: dict[str, str]) -> None:
    demo.mkdir(parents=True)
    none = ["--env-file", str(demo / "none.env")]

    def step(*args: str, stdin: str = "") -> Completed:
        result = siar.run([*none, *args], env=env, cwd=REPO, stdin=stdin)
        assert result.returncode == 0, (args, result.stdout[-2000:], result.stderr[-2000:])
        return result

    def posts(status: str) -> list[dict[str, str]]:
        found: list[dict[str, str]] = json.loads(
            step("posts", "--status", status, "--format", "json").stdout)
        return found

    step("init")
    for name, role in USERS.items():
        step("user", "add", name, "--role", role, "--region", "province", "--password-stdin",
             stdin=PASSWORD + "\n")
    step("--now", "2024-02-12T20:00", "plan", "--from", "2024-02-13", "--to", "2024-02-14")
    for batch in sorted({post["batch"] for post in posts("pending")}):
        step("--now", "2024-02-12T20:00", "review", "approve", batch, "--as", "peninjau.jatim",
             "--password-stdin", "--note", "demo", stdin=PASSWORD + "\n")
    minutes = sorted({post["scheduled_at"][:16] for post in posts("approved")})
    for minute in minutes:
        if minute != minutes[1]:  # the slot the demo's worker is down for: missed
            step("--now", f"{minute}:30", "run", "--once")
    step("--now", f"{minutes[-1]}:30", "plan", "--from", "2024-02-15", "--to", "2024-02-16")
