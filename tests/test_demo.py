"""The README's main command, end to end, on a fresh demo folder."""

import os
import subprocess
from pathlib import Path

from tests.conftest import REPO


def test_demo_script_plans_approves_publishes_and_shows_the_history(tmp_path: Path) -> None:
    env = {**os.environ, "SIAR_DEMO_DIR": str(tmp_path / "demo")}
    result = subprocess.run(["bash", str(REPO / "scripts" / "demo")], cwd=REPO, env=env,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout
    assert "Konten valid" in out
    assert "1365 unggahan dibuat, menunggu tinjauan" in out
    assert out.count("195 unggahan disetujui") == 7
    # Each slot published at its minute, except the one the worker "missed": held, not
    # sent hours late.
    assert out.count("195 unggahan diproses (terbit: 195).") == 6
    assert "195 unggahan terlewat batas waktunya dan tidak diterbitkan (terlewat)" in out
    # It ends with what happened, and how to keep exploring its database.
    summary = out[out.index("Ringkasan demo"):]
    assert "terbit                        1170" in summary
    assert "terlewat (tidak dikirim)       195" in summary
    assert "export SIAR_DATABASE_URL=sqlite:///" in summary
    outbox = list((tmp_path / "demo" / "outbox").rglob("*.json"))
    assert len(outbox) == 1365 - 195
    assert "kota-blitar/telegram" in out  # the history table
    assert "$ siar posts --status missed --region kota-blitar" in out
    assert out.count(" terlewat ") >= 5  # the table shows statuses in Indonesian
