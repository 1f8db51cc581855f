"""Which command modules of scheduler/cli/ a `siar` process imports.

Importing a command module registers its commands (and imports the services they call).
`siar review list` needs none of the worker's, the connections' or the planner's modules,
and importing them all was a fifth of its time. The entry point (`main`, behind `siar`
and `python -m scheduler`) reads the first command word and has scheduler.cli import
only the modules that register that word's commands (or, for the few subcommands in
BY_SUBCOMMAND, that subcommand's); help, an unknown word or anything unclear imports them
all, as does every other importer of scheduler.cli (tests, tools).
tests/test_cli_loading.py proves BY_COMMAND names every module defining a word's
commands, and BY_SUBCOMMAND every module defining a subcommand.
"""

import gc
import sys
from collections.abc import Sequence

ALL_MODULES = (
    "connect_cmds", "content_cmds", "login_cmds", "ops_cmds", "partner_cmds", "plan_cmds",
    "platform_cmds", "post_cmds", "results_cmds", "review_cmds", "review_list_cmds",
    "user_cmds", "web_cmds",
)

BY_COMMAND: dict[str, tuple[str, ...]] = {
    "account": ("ops_cmds", "connect_cmds"), "secrets": ("connect_cmds",),
    "check": ("content_cmds",), "init": ("content_cmds",), "preview": ("content_cmds",),
    "stages": ("content_cmds",), "history": ("ops_cmds",), "run": ("ops_cmds",),
    "status": ("ops_cmds",), "post": ("post_cmds", "ops_cmds"), "import": ("post_cmds",),
    "login": ("login_cmds",), "logout": ("login_cmds",), "partners": ("partner_cmds",),
    "plan": ("plan_cmds",), "posts": ("plan_cmds",), "platforms": ("platform_cmds",),
    "results": ("results_cmds",), "review": ("review_list_cmds", "review_cmds"),
    "user": ("user_cmds",), "web": ("web_cmds",),
}

# Subcommands run often enough to import less than their word's modules (issue 11:
# `siar review list` leaves the checks, the content model and YAML unloaded).
BY_SUBCOMMAND: dict[tuple[str, str], tuple[str, ...]] = {
    ("review", "list"): ("review_list_cmds",),
}

# The global options (scheduler/cli/app.py main_options) that take a value.
_VALUED_OPTIONS = frozenset({"--now", "--env-file"})

_selected: tuple[str, ...] | None = None


def command_modules() -> tuple[str, ...]:
    """The modules scheduler.cli imports: those `main` chose, or all of them."""
    return _selected if _selected is not None else ALL_MODULES


def first_command(words: Sequence[str]) -> str | None:
    """The command word of `siar WORDS` (None for help, --version or no command)."""
    at = _command_at(words)
    return None if at is None else words[at]


def modules_for(words: Sequence[str]) -> tuple[str, ...] | None:
    """The command modules `siar WORDS` needs (None: all of them)."""
    at = _command_at(words)
    if at is None:
        return None
    word, following = words[at], words[at + 1] if at + 1 < len(words) else ""
    return BY_SUBCOMMAND.get((word, following)) or BY_COMMAND.get(word)


def _command_at(words: Sequence[str]) -> int | None:
    """Where the command word of `siar WORDS` is (None for help, --version or none)."""
    at = 0
    while at < len(words):
        word = words[at]
        if word in _VALUED_OPTIONS:
            at += 1
        elif word.startswith("-"):
            if word in {"-h", "--help", "--version"}:
                return None
        else:
            return at
        at += 1
    return None


def main() -> None:
    """`siar`: import the command modules the command word needs, then run the app."""
    global _selected
    # The collector set aside while the modules load (they make a few hundred thousand
    # objects, nearly all kept for the process's life, and the collector would walk them
    # again and again), then what they made frozen: later collections, and the one
    # Python makes on the way out, skip it (a third of a short command's CPU; gc.freeze's
    # documented use). Import-time garbage, if any, stays: a fixed, small amount.
    gc.disable()
    try:
        if "scheduler.cli" not in sys.modules:
            _selected = modules_for(sys.argv[1:])
        from scheduler.cli import app
    finally:
        gc.freeze()
        gc.enable()
    try:
        app()
    finally:
        gc.freeze()  # the command is done: nothing left to collect on the way out
