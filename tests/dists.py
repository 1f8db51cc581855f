"""Entry points for tests, as pip would install them: a `*.dist-info` folder (METADATA and
entry_points.txt) on sys.path is what importlib.metadata reads.

`source_entry_points` makes the suite see the entry points pyproject.toml declares now,
not those of the last `pip install -e .` (a platform added to pyproject.toml is registered
for the tests at once; the `siar` command needs the reinstall)."""

import sys
import tomllib
from collections.abc import Mapping
from pathlib import Path


def write_dist(folder: Path, name: str, version: str,
               groups: Mapping[str, Mapping[str, str]]) -> Path:
    """A distribution's metadata in `folder` (to be put on sys.path)."""
    info = folder / f"{name.replace('-', '_')}-{version}.dist-info"
    info.mkdir(parents=True, exist_ok=True)
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n", encoding="utf-8")
    lines: list[str] = []
    for group, points in groups.items():
        lines += [f"[{group}]", *(f"{key} = {value}" for key, value in points.items()), ""]
    (info / "entry_points.txt").write_text("\n".join(lines), encoding="utf-8")
    return folder


def source_entry_points(repo: Path, folder: Path) -> str:
    """Shadow the installed siar's entry points by pyproject.toml's; importlib.metadata
    takes the first distribution of a name on sys.path. Returns the sys.path entry."""
    project = tomllib.loads((repo / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    groups = {"console_scripts": dict(project.get("scripts", {})),
              **project.get("entry-points", {})}
    path = str(write_dist(folder, project["name"], project["version"], groups))
    sys.path.insert(0, path)
    return path
