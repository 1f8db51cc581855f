"""A real PostgreSQL server for the tests, started by the test session itself.

The server runs from a temporary data folder on a free port of 127.0.0.1, as the
`postgres` system user when the tests run as root (the server refuses root). On a
machine without PostgreSQL the tests that need it skip with the reason; with
SIAR_REQUIRE_POSTGRES=1 (CI sets it) that skip becomes a failure.
"""

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def find_bin() -> Path | None:
    """The newest installed PostgreSQL's bin folder (Debian layout), or pg_ctl on PATH."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"),
                   key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0)
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("pg_ctl")
    return Path(on_path).parent if on_path else None


def skip_or_fail(reason: str) -> None:
    if os.environ.get("SIAR_REQUIRE_POSTGRES") == "1":
        pytest.fail(f"PostgreSQL is required here (SIAR_REQUIRE_POSTGRES=1): {reason}")
    pytest.skip(reason)


@contextmanager
def postgres_server() -> Iterator[str]:
    """Yield the base URL (without a database name) of a fresh, throwaway server."""
    bin_dir = find_bin()
    if bin_dir is None:
        skip_or_fail("PostgreSQL is not installed (no pg_ctl)")
        return
    as_root = os.geteuid() == 0
    folder = Path(tempfile.mkdtemp(prefix="siar-pg-"))
    data = folder / "data"
    if as_root:
        shutil.chown(folder, user="postgres")
    port = _free_port()

    def run(*args: str) -> None:
        command = [str(bin_dir / args[0]), *args[1:]]
        if as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    try:
        run("initdb", "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
            "--no-instructions")
        run("pg_ctl", "-D", str(data), "-l", str(folder / "server.log"), "-w", "-o",
            f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off", "start")
    except (subprocess.CalledProcessError, OSError) as exc:
        shutil.rmtree(folder, ignore_errors=True)
        detail = getattr(exc, "stderr", b"") or b""
        skip_or_fail(f"PostgreSQL did not start: {exc} {detail.decode(errors='replace')[-500:]}")
        return
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}"
    finally:
        try:
            run("pg_ctl", "-D", str(data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(folder, ignore_errors=True)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port
