"""The README's user guide works word for word on the demo's database (issue 10).

The user guide is the README's "Quick start", "Mengisi tanggal dan data kantor sendiri",
"The web app" and "Commands" sections with all their subsections (Setting up, Planning
and previewing, Reviewing, Writing posts by hand, Publishing and operating, Partners and
MoUs); "Development" is for contributors and not part of it. tests/readme_commands.py
reads every shell block of those sections as a reader types it (its docstring has the
conventions: continuation lines, `[...]` optional parts left out, `# exits N`).

Every `siar` line of the guide runs, in README order, as a real process on one database
built as `./scripts/demo` builds it (tests/readme_demo.py), in the demo's environment,
after the guide's own `export` line (its `demo/` paths point at the test's demo folder),
from the repository's root (so the guide's example files, e.g. examples/unggahan.csv, are
there as for a user), with the demo password on standard input for every prompt and, as
scripts/demo does, `--env-file` naming no file (a developer's .env changes nothing). A
line fails the test if it exits otherwise than expected (0, or the N of its `# exits N`).
The lines in NOT_RUN are not run, and those in RUN_ONCE run once, each for the reason
given; no other line is skipped. The fork server shares one reading of the content
between the commands (tests/cli_forks.py), which keeps the test near a minute.
Table layouts are not checked here, only the words in PROMISES.
"""

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.cli_forks import Completed, ForkedSiar
from tests.readme_commands import GUIDE_SECTIONS, README, GuideLine, guide_lines
from tests.readme_demo import PASSWORD, REPO, build_demo, demo_env

NOT_RUN = {  # a guide line, as run (optional parts left out) -> why it is not run here
    "./scripts/demo": "tests/test_demo.py runs it; this test builds the same database",
    "./scripts/test": "the test suite itself",
    ". .venv/bin/activate": "the test runs the worktree's siar directly",
    "siar run": "runs until stopped; the guide's next line, `siar run --once`, runs the "
                "same dispatch once (tests/test_worker_process.py runs the worker)",
    "siar web": "serves until stopped (tests/web/ and tests/browser/ run the web app)",
    "siar web --host 0.0.0.0 --port 8080": "serves until stopped, on the network",
    "siar web --workers 2": "serves until stopped",
}
RUN_ONCE = {  # a guide line that, written again later, is not run again -> why
    "siar check": "reads only content and templates, which the guide never changes: a "
                  "second run (about 10 s) would repeat the first word for word",
}
PROMISES = {  # a guide line -> words its standard output must contain, as the README says
    "siar check": ["Konten valid"],
    "siar posts --status missed": ["terlewat"],
    "siar --version": ["siar "],
}


@dataclass(frozen=True)
class Ran:
    guide: GuideLine
    result: Completed


def _export(line: str, env: dict[str, str], demo: Path) -> None:
    """`export A=B C=D`: the guide's `demo/` folder is the test's demo folder."""
    for word in shlex.split(line)[1:]:
        name, _, value = word.partition("=")
        env[name] = re.sub(r"^(sqlite:///)?demo/", lambda m: f"{m.group(1) or ''}{demo}/", value)
    assert str(demo) in env["SIAR_DATABASE_URL"], "the guide would not use the test's demo"


@pytest.fixture(scope="module")
def guide_run(tmp_path_factory: pytest.TempPathFactory) -> list[Ran]:
    root = tmp_path_factory.mktemp("guide")
    demo, home = root / "demo", root / "home"
    home.mkdir()
    env = demo_env(demo, home)
    ran: list[Ran] = []
    done: set[str] = set()
    before = _top_level()
    with ForkedSiar(share_catalog=True) as siar:
        build_demo(siar, demo, env)
        env.pop("SIAR_LOG_LEVEL")  # the demo quiets the worker; the guide's user does not
        for guide in guide_lines():
            command = guide.runnable()
            if command in NOT_RUN or (command in RUN_ONCE and command in done):
                continue
            done.add(command)
            if command.startswith("export "):
                _export(command, env, demo)
                continue
            assert command.startswith("siar "), f"README.md:{guide.line}: not a siar line"
            result = siar.run(["--env-file", str(home / "none.env"), *guide.words()[1:]],
                              env=env, cwd=REPO, stdin=f"{PASSWORD}\n" * 4)
            ran.append(Ran(guide, result))
    strays = _top_level() - before
    assert not strays, f"the guide's commands left files in the repository: {strays}"
    return ran


def _top_level() -> set[str]:
    """What the repository's folder holds (caches aside): a command run from there that
    wrote a database or an outbox of its own would show here."""
    return {p.name for p in REPO.iterdir() if not p.name.startswith((".", "__"))}


def test_the_guide_covers_its_sections() -> None:
    lines = guide_lines()
    for section in GUIDE_SECTIONS:
        assert any(g.section.startswith(section) for g in lines), section
    for sub in ("Setting up", "Planning and previewing", "Reviewing", "Writing posts by hand",
                "Publishing and operating", "Partners and MoUs"):
        assert any(g.section == f"Commands / {sub}" for g in lines), sub
    assert len(lines) > 50


def test_every_guide_line_is_runnable_as_written() -> None:
    """Outside `[...]`, a guide line has no placeholder (R, BATCH, "...", a|b)."""
    bad = [f"README.md:{g.line}: {g.runnable()} -> {g.placeholders()}"
           for g in guide_lines() if g.runnable().startswith("siar ") and g.placeholders()]
    assert not bad, "\n".join(bad)


def test_every_line_not_run_is_still_in_the_guide() -> None:
    commands = {g.runnable() for g in guide_lines()}
    assert set(NOT_RUN) <= commands, set(NOT_RUN) - commands


def test_every_guide_command_exits_as_the_readme_says(guide_run: list[Ran]) -> None:
    failures = []
    for ran in guide_run:
        guide, result = ran.guide, ran.result
        if result.returncode != guide.expected_exit:
            failures.append(f"README.md:{guide.line} ({guide.section}): {guide.runnable()}\n"
                            f"  exit {result.returncode}, expected {guide.expected_exit}\n"
                            f"  {result.stderr.strip()[-800:] or result.stdout.strip()[-800:]}")
        for word in PROMISES.get(guide.runnable(), []):
            if word not in result.stdout:
                failures.append(f"README.md:{guide.line}: {guide.runnable()}: no {word!r}")
    assert not failures, "\n".join(failures)
    run = {ran.guide.runnable() for ran in guide_run}
    assert set(PROMISES) <= run, set(PROMISES) - run


def _exit_code_table() -> dict[int, str]:
    """The README's table of exit codes: `| code | meaning |` rows under "Exit codes"."""
    text = README.read_text(encoding="utf-8")
    table = text[text.index("| exit code |"):].split("\n\n", 1)[0]
    return {int(m.group(1)): m.group(2).strip()
            for m in re.finditer(r"^\| (\d+) \|(.*)\|$", table, re.MULTILINE)}


def test_every_exit_code_the_cli_uses_is_in_the_readme() -> None:
    """Each exit code in scheduler/ (an error class's `exit_code`, a `typer.Exit(N)`,
    `sys.exit(N)`) has its row in the README's table, and each row is used; 0 is success."""
    used: dict[int, list[str]] = {}
    for path in sorted((REPO / "scheduler").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"exit_code = (\d+)|(?:typer\.Exit|SystemExit|sys\.exit)"
                                 r"\((?:code=)?(\d+)\)", text):
            code = int(match.group(1) or match.group(2))
            used.setdefault(code, []).append(str(path.relative_to(REPO)))
    used.pop(0, None)
    assert {1, 2, 3, 4, 5, 6} <= set(used)
    table = _exit_code_table()
    missing = {code: where for code, where in used.items() if code not in table}
    assert not missing, f"exit codes used but not in the README's table: {missing}"
    unused = set(table) - {0} - set(used)
    assert not unused, f"the README lists exit codes nothing uses: {unused}"


def test_the_reader_follows_the_conventions(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("""# X

## Commands

### Doing

```sh
siar posts [--region R] [--platform P]...   # all posts [--all]
siar review approve A@2024-02-15T10:00 --as rudi \\
    --note "a # in quotes"   # exits 6
siar history [--from DATE]
             [--to DATE]
```

```yaml
siar: not a command
```

## Development

```sh
siar not-the-guide
```
""", encoding="utf-8")
    lines = guide_lines(readme)
    assert [g.runnable() for g in lines] == [
        "siar posts", 'siar review approve A@2024-02-15T10:00 --as rudi --note "a # in quotes"',
        "siar history"]
    assert [g.expected_exit for g in lines] == [0, 6, 0]
    assert [g.line for g in lines] == [8, 9, 11]
    assert lines[0].section == "Commands / Doing"
    assert GuideLine(1, "", "siar review approve BATCH --note ...").placeholders() == \
        ["BATCH", "..."]


def test_the_demo_database_is_built_as_scripts_demo_builds_it() -> None:
    """tests/readme_demo.py repeats scripts/demo's changes: if the script changes its
    users, password, dates or the slot its worker misses, this test says so."""
    script = (REPO / "scripts" / "demo").read_text(encoding="utf-8")
    for piece in (f"PASSWORD={PASSWORD}", "REVIEWER=peninjau.jatim",
                  'OTHERS="penulis.jatim:author operator.jatim:operator admin.jatim:admin"',
                  "--region province", "step --now 2024-02-12T20:00 plan --from 2024-02-13 "
                  "--to 2024-02-14", 'review approve "$batch"', "--note \"demo\"",
                  "sed -n 2p", 'step --now "$minute:30" run --once',
                  'step --now "$last:30" plan --from 2024-02-15 --to 2024-02-16',
                  "SIAR_ALLOW_NOW=1", "SIAR_OUTBOX_FALLBACK=1", "SIAR_NOW=2024-02-14T21:00"):
        assert piece in script, piece
