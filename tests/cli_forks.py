"""Run many `siar` commands as real processes, quickly: one server process imports the
command line once (about two seconds), then forks a fresh child for each command. A child
is a separate process with its own environment, working folder, standard input, output and
exit code, and inherits nothing but the imported modules, so it behaves as `siar ARGS`
would; it skips only the interpreter's start-up. The server runs in a new session, without
a controlling terminal, as under cron or CI: a password prompt reads standard input.

With `share_catalog=True` the server also reads the content once per content and templates
folder (scheduler.catalog.load_catalog, about 1.5 s each time) and its children
use that catalog, as each would have read the same unchanged files to the same result;
a child that changes its copy changes nothing for the others (a fork copies memory).

    with ForkedSiar() as siar:
        result = siar.run(["status"], env={...}, cwd=path, stdin="")
"""

import json
import os
import signal
import subprocess
import sys
import tempfile
import traceback
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

TIMEOUT = 300  # seconds one command may take before its process is killed


@dataclass(frozen=True)
class Completed:
    args: list[str]
    returncode: int
    stdout: str
    stderr: str


class ForkedSiar:
    def __init__(self, *, share_catalog: bool = False) -> None:
        self.share_catalog = share_catalog
        self.scratch = Path(tempfile.mkdtemp(prefix="siar-forks-"))
        self.server: subprocess.Popen[str] | None = None

    def __enter__(self) -> "ForkedSiar":
        flags = ["--share-catalog"] if self.share_catalog else []
        self.server = subprocess.Popen(
            [sys.executable, "-m", "tests.cli_forks", *flags], cwd=Path(__file__).parent.parent,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, start_new_session=True)
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if self.server is not None:
            assert self.server.stdin is not None and self.server.stdout is not None
            self.server.stdin.close()
            self.server.wait(timeout=30)
            self.server.stdout.close()
        for path in self.scratch.iterdir():
            path.unlink()
        self.scratch.rmdir()

    def run(self, args: list[str], *, env: dict[str, str], cwd: Path,
            stdin: str = "") -> Completed:
        """`siar ARGS` with exactly this environment, folder and standard input."""
        assert self.server is not None and self.server.stdin is not None
        assert self.server.stdout is not None
        (self.scratch / "stdin").write_text(stdin, encoding="utf-8")
        request = {"args": args, "env": env, "cwd": str(cwd), "scratch": str(self.scratch)}
        self.server.stdin.write(json.dumps(request) + "\n")
        self.server.stdin.flush()
        reply = self.server.stdout.readline()
        if not reply:
            raise RuntimeError("the siar fork server died")
        code = int(json.loads(reply)["returncode"])
        return Completed(args, code, (self.scratch / "stdout").read_text(encoding="utf-8"),
                         (self.scratch / "stderr").read_text(encoding="utf-8"))


def _child(request: dict[str, Any]) -> int:
    """In the forked child: become `siar ARGS` and return its exit code."""
    scratch = Path(request["scratch"])
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    for fd, name, flags in ((0, "stdin", os.O_RDONLY),
                            (1, "stdout", os.O_WRONLY | os.O_CREAT | os.O_TRUNC),
                            (2, "stderr", os.O_WRONLY | os.O_CREAT | os.O_TRUNC)):
        opened = os.open(scratch / name, flags, 0o600)
        os.dup2(opened, fd)
        os.close(opened)
    sys.stdin = open(0, encoding="utf-8", closefd=False)  # noqa: SIM115
    sys.stdout = open(1, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
    sys.stderr = open(2, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
    sys.argv = ["siar", *request["args"]]
    signal.alarm(TIMEOUT)
    from scheduler.cli import main

    try:
        main()
        return 0
    except SystemExit as exit_:
        code = exit_.code
        if code is None:
            return 0
        if isinstance(code, int):
            return code
        print(code, file=sys.stderr)
        return 1
    except BaseException:  # a crash shows its traceback, as `siar` would
        traceback.print_exc()
        return 1


def _share_catalogs() -> Callable[[dict[str, str]], None]:
    """Make `scheduler.app` take its catalog from those the server has read; returns the
    function that reads the catalog a request's environment names, before the fork."""
    import scheduler.app
    from scheduler.catalog import load_catalog
    from scheduler.content.model import Catalog
    from scheduler.errors import ContentError

    catalogs: dict[tuple[Path, Path], Catalog] = {}

    def shared(content_dir: Path, templates_dir: Path) -> Catalog:
        found = catalogs.get((Path(content_dir).resolve(), Path(templates_dir).resolve()))
        return found if found is not None else load_catalog(content_dir, templates_dir)

    def read(env: dict[str, str]) -> None:
        if "SIAR_CONTENT_DIR" not in env or "SIAR_TEMPLATES_DIR" not in env:
            return
        key = (Path(env["SIAR_CONTENT_DIR"]).resolve(),
               Path(env["SIAR_TEMPLATES_DIR"]).resolve())
        if key not in catalogs:
            with suppress(ContentError):  # each child reads it and reports the problems
                catalogs[key] = load_catalog(*key)

    scheduler.app.load_catalog = shared  # type: ignore[attr-defined]
    return read


def serve(share_catalog: bool) -> None:
    import scheduler.cli  # noqa: F401  (the slow imports, once)

    read_catalog = _share_catalogs() if share_catalog else None
    for line in sys.stdin:
        request = json.loads(line)
        if read_catalog is not None:
            read_catalog(request["env"])
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                code = _child(request)
            finally:
                for stream in (sys.stdout, sys.stderr):
                    stream.flush()
                os._exit(code)
        _, status = os.waitpid(pid, 0)
        code = os.waitstatus_to_exitcode(status)
        print(json.dumps({"returncode": code}), flush=True)


if __name__ == "__main__":
    serve(share_catalog="--share-catalog" in sys.argv)
