"""`siar WORD ...` imports only the command modules registering WORD's commands."""

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer

from scheduler import cli_loading
from scheduler.cli import app
from scheduler.cli_loading import ALL_MODULES, BY_COMMAND, BY_SUBCOMMAND, first_command

REPO = Path(__file__).resolve().parent.parent


def _defining_modules(command: Any) -> set[str]:
    """The modules whose functions are this command's (and its subcommands') callbacks."""
    found = set()
    if getattr(command, "callback", None) is not None:
        found.add(command.callback.__module__.rsplit(".", 1)[-1])
    for sub in getattr(command, "commands", {}).values():
        found |= _defining_modules(sub)
    return found


TREE = typer.main.get_command(app)


def test_every_command_word_names_the_modules_defining_its_commands() -> None:
    assert set(BY_COMMAND) == set(TREE.commands)  # type: ignore[attr-defined]
    for word, command in TREE.commands.items():  # type: ignore[attr-defined]
        assert _defining_modules(command) <= set(BY_COMMAND[word]), word


def test_every_listed_subcommand_names_the_modules_defining_it() -> None:
    for (word, sub), modules in BY_SUBCOMMAND.items():
        command = TREE.commands[word].commands[sub]  # type: ignore[attr-defined]
        assert _defining_modules(command) <= set(modules), (word, sub)
        assert set(modules) <= set(BY_COMMAND[word])


def test_every_command_module_is_known() -> None:
    on_disk = {p.stem for p in (REPO / "scheduler" / "cli").glob("*_cmds.py")}
    assert set(ALL_MODULES) == on_disk
    assert {m for modules in BY_COMMAND.values() for m in modules} == on_disk


@pytest.mark.parametrize(("words", "word"), [
    (["review", "list", "--as", "x"], "review"),
    (["--now", "2024-02-01T08:00", "review", "list"], "review"),
    (["--env-file", "review", "posts"], "posts"),
    (["--now=2024-02-01T08:00", "plan"], "plan"),
    (["--help"], None), (["-h", "review"], None), (["--version"], None), ([], None),
    (["--now"], None),
])
def test_the_command_word_is_found_after_the_global_options(
        words: list[str], word: str | None) -> None:
    assert first_command(words) == word


def _siar_modules(*words: str) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    code = ("import atexit, sys\n"
            "atexit.register(lambda: print(sorted(m for m in sys.modules\n"
            "    if m.startswith('scheduler.cli.') and m.endswith('_cmds'))))\n"
            f"sys.argv = ['siar', *{list(words)!r}]\n"
            "from scheduler.cli_loading import main\n"
            "main()\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=REPO, check=False, env={"PATH": "/usr/bin:/bin", "COLUMNS": "100"})
    return done, eval(done.stdout.strip().splitlines()[-1])  # noqa: S307  (our own list)


def test_siar_review_imports_only_the_review_commands() -> None:
    done, modules = _siar_modules("review", "--help")
    assert done.returncode == 0, done.stderr
    assert "approve" in done.stdout and "list" in done.stdout
    assert modules == ["scheduler.cli.review_cmds", "scheduler.cli.review_list_cmds"]


def test_siar_review_list_imports_only_its_own_module() -> None:
    done, modules = _siar_modules("--now", "2024-02-01T08:00", "review", "list", "--help")
    assert done.returncode == 0, done.stderr
    assert "--password-stdin" in done.stdout and "--stage" in done.stdout
    assert modules == ["scheduler.cli.review_list_cmds"]


def test_help_and_unknown_words_import_every_command() -> None:
    done, modules = _siar_modules("--help")
    assert done.returncode == 0, done.stderr
    assert "review" in done.stdout and "run" in done.stdout and "secrets" in done.stdout
    assert len(modules) == len(ALL_MODULES)
    done, modules = _siar_modules("revew")
    assert done.returncode != 0 and "review" in done.stderr  # the suggestion, as before
    assert len(modules) == len(ALL_MODULES)


def test_importing_the_package_registers_everything() -> None:
    assert cli_loading.command_modules() == ALL_MODULES
    assert {"run", "review", "secrets", "account"} <= set(TREE.commands)  # type: ignore[attr-defined]


def test_the_collector_runs_during_the_command_and_import_time_objects_are_frozen() -> None:
    # main() with the app replaced by a probe that notes the collector's state.
    code = ("import gc, json\n"
            "import scheduler.cli\n"
            "from scheduler import cli_loading\n"
            "seen = []\n"
            "scheduler.cli.app = lambda: seen.append([gc.isenabled(), gc.get_freeze_count()])\n"
            "cli_loading.main()\n"
            "print(json.dumps([*seen[0], gc.isenabled(), gc.get_freeze_count()]))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=REPO, check=False, timeout=60)
    assert done.returncode == 0, done.stderr
    enabled_in_command, frozen, enabled_after, frozen_after = json.loads(done.stdout)
    assert enabled_in_command and enabled_after  # the command collects as usual
    assert frozen > 10_000 and frozen_after >= frozen  # what the imports made is set aside
