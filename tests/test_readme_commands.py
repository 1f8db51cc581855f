"""Every command of `siar` has its entry in README.md (issue 12, item 5): a new command
that nobody documented fails here, by name."""

import re
from pathlib import Path

from tests.test_cli_columns import _commands

README = Path(__file__).resolve().parent.parent / "README.md"


def documented(command: str, readme: str) -> bool:
    """`siar COMMAND` in a code span or block of the README, global options allowed
    before the command (`siar --now 2024-02-13T08:00 plan`)."""
    words = r"\s+".join(re.escape(w) for w in command.split())
    return re.search(rf"siar(?:\s+--[\w-]+(?:\s+[^\s`-]\S*)?)*\s+{words}(?![\w-])",
                     readme) is not None


def test_every_command_has_a_readme_entry() -> None:
    readme = README.read_text(encoding="utf-8")
    missing = [name for name in sorted(_commands()) if not documented(name, readme)]
    assert not missing, f"README.md does not show these commands: {missing}"


def test_a_command_mentioned_only_in_prose_is_not_an_entry() -> None:
    assert documented("review approve", "run `siar review approve --batch B`")
    assert documented("plan", "siar --now 2024-02-13T08:00 plan --dry-run")
    assert not documented("review approve", "run siar review, then approve")
    assert not documented("post", "siar posts")
