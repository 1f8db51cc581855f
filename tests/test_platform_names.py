"""Nothing lists platforms by hand: outside the adapters' own folder, no code of
scheduler/ spells a registered platform's name as a string. Platforms come from
scheduler.platforms (what each adapter declares); content, templates, docstrings and
help texts may still name them (only whole-string constants are read here)."""

import ast
from pathlib import Path

from scheduler.platforms import registered

SCHEDULER = Path(__file__).resolve().parent.parent / "scheduler"

# (file under scheduler/, name): why it may stay.
ALLOWED = {
    ("config.py", "outbox"): "SIAR_OUTBOX_DIR's default folder name",
    ("config.py", "x"): "_OAUTH_APPS: the settings of Siar's own OAuth apps (connecting)",
    ("config.py", "threads"): "_OAUTH_APPS, as above",
    ("publishing/factory.py", "outbox"): "the fallback adapter the factory routes to",
    ("web/routes/accounts.py", "telegram"): "PASTED: the connect page's pasted fields",
}


def named_platforms(root: Path = SCHEDULER) -> list[tuple[str, str, int]]:
    names = set(registered())
    found = []
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root).as_posix()
        if relative.startswith("adapters/"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and node.value in names:
                found.append((relative, str(node.value), node.lineno))
    return found


def test_no_platform_is_named_outside_its_adapter() -> None:
    stray = [f"scheduler/{file}:{line}: {name!r}" for file, name, line in named_platforms()
             if (file, name) not in ALLOWED]
    assert not stray, "platform names written by hand (ask scheduler.platforms):\n" + \
        "\n".join(stray)


def test_the_allow_list_has_no_stale_entries() -> None:
    used = {(file, name) for file, name, _ in named_platforms()}
    assert set(ALLOWED) <= used, sorted(set(ALLOWED) - used)


def test_the_scan_sees_a_hand_written_platform(tmp_path: Path) -> None:
    (tmp_path / "adapters").mkdir()
    (tmp_path / "adapters/instagram.py").write_text('name = "instagram"\n')
    (tmp_path / "rendering.py").write_text(
        '"""Links stay bare on instagram."""\nBARE = platform == "instagram"\n')
    assert named_platforms(tmp_path) == [("rendering.py", "instagram", 2)]
