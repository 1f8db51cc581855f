"""Every command's help in plain words: no Python type names as placeholders."""

from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from scheduler.cli import app


def _paths(command: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = [prefix] if prefix else []
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        found += _paths(sub, (*prefix, name))
    return found


COMMANDS = _paths(typer.main.get_command(app))


def test_the_tree_is_found() -> None:
    assert ("posts",) in COMMANDS and ("review", "approve") in COMMANDS


@pytest.mark.parametrize("words", COMMANDS, ids=[" ".join(w) for w in COMMANDS])
def test_help_has_no_type_names(words: tuple[str, ...]) -> None:
    result = CliRunner().invoke(app, [*words, "--help"], env={"COLUMNS": "120"})
    assert result.exit_code == 0, result.output
    options = [line for line in result.output.splitlines()
               if line.lstrip("│ *").startswith("--") and "--help" not in line]
    assert "Show this message" not in result.output and "Options" not in result.output
    help_line = next(line for line in result.output.splitlines() if "--help" in line)
    assert "Tampilkan bantuan ini lalu keluar." in help_line and "<bool>" not in help_line
    for line in options:
        assert "<list[" not in line and "<int range>" not in line and "<bool>" not in line \
            and "<str>" not in line, line
