"""What browser tests share: the live server, a page watcher, signing in through the form,
and screenshots at a phone's and a desktop's width."""

import os
import socket
import struct
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import pytest
import uvicorn
from fastapi import FastAPI

from tests.web.conftest import PASSWORD

if TYPE_CHECKING:
    from playwright.sync_api import ConsoleMessage, Dialog, FloatRect, Page

REPO = Path(__file__).resolve().parents[2]
# Debian's Chromium (apt-get install chromium); SIAR_CHROMIUM names another binary.
CHROMIUM = Path(os.environ.get("SIAR_CHROMIUM") or "/usr/bin/chromium")
# Quiet, fast and offline: nothing but the page under test talks to the network.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"]
WIDTHS = (360, 1440)  # a reviewer's phone, a desktop
HEIGHT = 900


def skip_or_fail(reason: str) -> NoReturn:
    """Skip a browser test, or fail it when SIAR_REQUIRE_BROWSER=1 (CI sets it)."""
    if os.environ.get("SIAR_REQUIRE_BROWSER") == "1":
        pytest.fail(f"a browser is required here (SIAR_REQUIRE_BROWSER=1): {reason}")
    pytest.skip(reason)


@dataclass(frozen=True)
class LiveServer:
    url: str  # http://127.0.0.1:<port>, no trailing slash


@contextmanager
def live_server(web: FastAPI) -> Iterator[LiveServer]:
    """The web app on a real uvicorn server in a background thread, on a free port."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(web, log_level="warning", lifespan="off",
                                           server_header=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True,
                              name=f"uvicorn:{port}")
    thread.start()
    try:
        for _ in range(500):
            if server.started or not thread.is_alive():
                break
            time.sleep(0.01)
        if not server.started:
            raise RuntimeError("the live server did not start")
        yield LiveServer(f"http://127.0.0.1:{port}")
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@dataclass
class Watch:
    """What a page did besides rendering: dialogs (dismissed), console messages, uncaught
    errors. Tests assert on these (no alert from post text, no CSP violation)."""

    dialogs: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def attach(self, page: "Page") -> None:
        page.on("dialog", self._dialog)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(str(error)))

    def _dialog(self, dialog: "Dialog") -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def _console(self, message: "ConsoleMessage") -> None:
        self.console.append(f"{message.type}: {message.text}")

    @property
    def csp_violations(self) -> list[str]:
        return [m for m in self.console if "Content Security Policy" in m]


def sign_in(page: "Page", name: str, password: str = PASSWORD, *,
            then: str = "/unggahan") -> None:
    """Sign in through the form as a person does, and land on `then`."""
    page.goto(f"/masuk?lanjut={then}")
    page.get_by_label("Nama pengguna").fill(name)
    page.get_by_label("Kata sandi").fill(password)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_load_state()


def artifacts_dir() -> Path:
    """SIAR_ARTIFACTS_DIR, else test-artifacts/screenshots/ in the repository."""
    configured = os.environ.get("SIAR_ARTIFACTS_DIR")
    folder = Path(configured) if configured else REPO / "test-artifacts" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def shoot(page: "Page", name: str, *, max_height: int | None = None) -> list[Path]:
    """Full-page PNGs of the current page at 360 and 1,440 px wide: <name>-360.png and
    <name>-1440.png, each cut at `max_height` px if given (a very long page). The page
    keeps its viewport afterwards."""
    before = page.viewport_size
    written = []
    try:
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": HEIGHT})
            path = artifacts_dir() / f"{name}-{width}.png"
            clip: FloatRect | None = None
            if max_height is not None:
                tall: int = page.evaluate("() => document.documentElement.scrollHeight")
                clip = {"x": 0, "y": 0, "width": width, "height": min(max_height, tall)}
            page.screenshot(path=str(path), full_page=True, animations="disabled", clip=clip)
            written.append(path)
    finally:
        if before:
            page.set_viewport_size(before)
    return written


def png_width(path: Path) -> int:
    """The width in pixels of a PNG file."""
    width: int = struct.unpack(">I", path.read_bytes()[16:20])[0]
    return width


def overflows(page: "Page") -> bool:
    """Whether the page scrolls sideways (it must not, even at 360 px)."""
    wider: bool = page.evaluate(
        "() => document.documentElement.scrollWidth > document.documentElement.clientWidth")
    return wider
