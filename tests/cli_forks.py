"""Run many `siar` commands as real processes, quickly: one server process imports the
command line once (about two seconds), then forks a fresh child for each command. A child
is a separate process with its own environment, working folder, standard input, output and
exit code, and inherits nothing but the imported modules, so it behaves as `siar ARGS`
would; it skips only the interpreter's start-up. The server runs in a new session, without
a controlling terminal, as under cron or CI: a password prompt reads standard input.

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
    def __init__(self) -> None:
        self.scratch = Path(tempfile.mkdtemp(prefix="siar-forks-"))
        self.server: subprocess.Popen[str] | None = None

    def __enter__(self) -> "ForkedSiar":
        self.server = subprocess.Popen(
            [sys.executable, "-m", "tests.cli_forks"], cwd=Path(__file__).parent.parent,
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
    except BaseException:  # noqa: BLE001  (a traceback is what a crash shows)
        traceback.print_exc()
        return 1


def serve() -> None:
    import scheduler.cli  # noqa: F401  (the slow imports, once)

    for line in sys.stdin:
        request = json.loads(line)
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
    serve()
