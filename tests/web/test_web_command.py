"""`siar web` as a user starts it: a real server process (or several) on a free port."""

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from http.cookiejar import CookieJar

import pytest
from sqlalchemy.engine import Engine

from scheduler.db import session_scope
from scheduler.users import add_user
from tests.web.conftest import PASSWORD


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@contextmanager
def running(cli_env: dict[str, str], *args: str) -> Iterator[str]:
    port = free_port()
    env = {**os.environ, **cli_env}
    process = subprocess.Popen([sys.executable, "-m", "scheduler", "web", "--port", str(port),
                                *args], env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(base + "/masuk", timeout=2):
                    break
            except (urllib.error.URLError, ConnectionError):
                if process.poll() is not None or time.monotonic() > deadline:
                    output = process.stdout.read().decode() if process.stdout else ""
                    pytest.fail(f"siar web did not start: {output[-2000:]}")
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)
        if process.stdout:
            process.stdout.close()


@pytest.mark.parametrize("workers", ["1", "2"])
def test_siar_web_serves_and_signs_in(synced: Engine, cli_env: dict[str, str], clock,  # type: ignore[no-untyped-def]
                                      workers: str) -> None:
    with session_scope(synced, write=True) as session:
        add_user(session, name="ops", role="operator", region="prov", password=PASSWORD,
                 now=clock.now())
    with running(cli_env, "--workers", workers) as base:
        jar = CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        page = opener.open(base + "/masuk").read().decode()
        token = re.search(r'name="csrf" value="([^"]+)"', page)
        assert token
        form = urllib.parse.urlencode({"name": "ops", "password": PASSWORD,
                                       "csrf": token.group(1), "lanjut": "/operasi"}).encode()
        signed_in = opener.open(base + "/masuk", data=form)  # then redirected to /operasi
        assert signed_in.status == 200
        assert "Operasi" in signed_in.read().decode()
        # More requests: with two processes, both answer for the same session.
        for _ in range(4):
            answer = opener.open(base + "/operasi")
            assert answer.status == 200
            assert "Operasi" in answer.read().decode()
