"""The commands of the README's user guide, as a reader would type them.

The user guide is the part of README.md a user follows: the sections in GUIDE_SECTIONS
(with all their subsections). Every fenced block of them that is a shell block (```sh or
a bare ```) is read line by line:

- a line ending in `\\`, or an indented line under a command, continues that command;
- `# ...` after a command is a comment for the reader; `# exits N` in it says the command
  is expected to fail with exit code N;
- `[...]` is an optional part, left out when the command is run (so `siar posts
  [--region R]` runs `siar posts`); everything outside brackets must be a real value.
"""

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"

# The `## ` sections that make the user guide. "Development" (contributors' commands) is
# not part of it; the other sections have no shell blocks.
GUIDE_SECTIONS = (
    "Quick start",
    "Mengisi tanggal dan data kantor sendiri",
    "The web app",
    "Commands",  # with its subsections: Setting up, Planning and previewing, Reviewing,
                 # Writing posts by hand, Publishing and operating, Partners and MoUs
)
FENCE = re.compile(r"^(\s*)```(\w*)\s*$")
EXITS = re.compile(r"\bexits (\d+)\b")
PLACEHOLDER = re.compile(r"^(?:[A-Z][A-Z_]*|\||.*\.\.\..*)$")  # R, BATCH, |, "..."


@dataclass(frozen=True)
class GuideLine:
    line: int  # in README.md, where the command starts
    section: str  # "Commands / Reviewing"
    text: str  # as written, continuation lines joined, without the comment
    expected_exit: int = 0

    def runnable(self) -> str:
        """The command with its optional `[...]` parts left out."""
        return " ".join(_without_brackets(self.text).split())

    def words(self) -> list[str]:
        return shlex.split(self.runnable())

    def placeholders(self) -> list[str]:
        return [w for w in self.words()[1:] if PLACEHOLDER.match(w)]


def guide_lines(readme: Path = README) -> list[GuideLine]:
    found: list[GuideLine] = []
    section = sub = ""
    block: list[tuple[int, str]] | None = None
    indent, keep = "", False
    for number, line in enumerate(readme.read_text(encoding="utf-8").splitlines(), 1):
        fence = FENCE.match(line)
        if block is not None:
            if fence and fence.group(1) == indent and not fence.group(2):
                if keep:
                    found += _commands(block, f"{section} / {sub}" if sub else section)
                block = None
            else:
                block.append((number, line.removeprefix(indent)))
            continue
        if line.startswith("## "):
            section, sub = line[3:].strip(), ""
        elif line.startswith("### "):
            sub = line[4:].strip()
        elif fence:  # a block opens: its commands are kept if it is a guide's shell block
            block, indent = [], fence.group(1)
            keep = fence.group(2) in ("", "sh") and section.startswith(GUIDE_SECTIONS)
    return found


def _commands(block: list[tuple[int, str]], section: str) -> list[GuideLine]:
    commands: list[tuple[int, str, str]] = []  # (line, text, comment)
    joining = False
    for number, raw in block:
        text, comment = _split_comment(raw)
        if not text.strip():
            continue
        continues = joining or (raw[:1].isspace() and bool(commands))
        joining = text.rstrip().endswith("\\")
        text = text.rstrip().removesuffix("\\").strip()
        if continues:
            start, before, note = commands[-1]
            commands[-1] = (start, f"{before} {text}", f"{note} {comment}".strip())
        else:
            commands.append((number, text, comment))
    result = []
    for number, text, comment in commands:
        exits = EXITS.search(comment)
        result.append(GuideLine(number, section, text, int(exits.group(1)) if exits else 0))
    return result


def _split_comment(line: str) -> tuple[str, str]:
    """`siar status   # counts` -> ("siar status", "counts"); a # inside quotes stays."""
    quote = ""
    for index, char in enumerate(line):
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "#" and (index == 0 or line[index - 1].isspace()):
            return line[:index], line[index + 1:].strip()
    return line, ""


def _without_brackets(text: str) -> str:
    """Leave out each `[...]` (and the `...` of a repeatable `[--region R]...`)."""
    out, depth, quote = [], 0, ""
    for char in text.replace("]...", "]"):
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"" and depth == 0:
            quote = char
        elif char == "[":
            depth += 1
            continue
        elif char == "]" and depth:
            depth -= 1
            continue
        if depth == 0:
            out.append(char)
    return "".join(out)
