"""Readable at 80 columns (issue 10, item 4): every command that prints a table or keys,
run as under an 80-column terminal (COLUMNS=80, which the CLI's Rich console reads) on a
demo-like SQLite database built from the shipped content, shows every key whole on one
line: region, platform, stage, template, rule, election and account keys, batch ids,
post ids and statuses. A key cut with "…" or wrapped over two lines is not found whole.

Which keys a command must show: each known key that the same command shows on a very wide
terminal (where nothing is cut), plus an explicit minimum per command, so that a key cut
on both widths fails too."""

import inspect
import json
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import typer
from rich.cells import cell_len
from typer.testing import CliRunner

from scheduler.catalog import load_catalog
from scheduler.cli import app
from scheduler.labels import STATUS_LABELS
from tests.conftest import REPO

PASSWORD = "sandi-uji-2024"  # a throwaway password for the test's own database
ADMIN = ("--as", "admin.jatim", "--password-stdin")
REGIONS = ("kab-probolinggo", "kota-batu", "kota-blitar")
ACTIVITY = """activities:
  - key: dialog-radio-probolinggo
    partner: contoh-radio
    region: kab-probolinggo
    date: 2024-01-20
    time: "10:00"
    title: Dialog interaktif cek DPT bersama radio untuk pemilih pemula dan warga desa
    template: kegiatan-bersama
    image: cek-dpt.jpg
    image_alt: Kartu ajakan dialog interaktif cek DPT
"""
LONG_NOTE = ("catatan panjang untuk uji layar 80 kolom: teks bebas seperti ini dipendekkan "
             "dalam tabel dan ditampilkan utuh oleh siar post show")


@dataclass
class World:
    run: Callable[..., Any]
    keys: set[str]  # every key the database and content know, to look for in any output
    # (user names only where a case names them: inside a free-text reason they may be cut)
    posts: list[dict[str, Any]]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    """The shipped content (with one joint activity added), three offices and the
    province planned for 20 January and 13-14 February 2024, some batches approved and
    published, some missed, one rejected, an account paused, a result announced."""
    root = tmp_path_factory.mktemp("cols")
    content = root / "content"
    shutil.copytree(REPO / "content", content)
    partners = content / "partners.yaml"
    partners.write_text(partners.read_text(encoding="utf-8").replace(
        "activities: []\n", ACTIVITY), encoding="utf-8")
    env = {
        "SIAR_DATABASE_URL": f"sqlite:///{root / 'siar.db'}",
        "SIAR_CONTENT_DIR": str(content), "SIAR_TEMPLATES_DIR": str(REPO / "templates"),
        "SIAR_MEDIA_DIR": str(content / "media"), "SIAR_OUTBOX_DIR": str(root / "outbox"),
        "SIAR_ALLOW_NOW": "1", "SIAR_OUTBOX_FALLBACK": "1", "SIAR_LOG_LEVEL": "WARNING",
        "SIAR_SESSION_FILE": str(root / "session"), "SIAR_NOW": "",
    }
    runner = CliRunner()

    def run(*args: str, columns: int = 80, password: bool = False) -> Any:
        result = runner.invoke(app, ["--env-file", str(root / "none.env"), *args],
                               env={**env, "COLUMNS": str(columns)},
                               input=f"{PASSWORD}\n" if password else None)
        assert result.exit_code == 0, (args, result.output, result.exception)
        return result

    def step(*args: str) -> None:
        run(*args, password="--password-stdin" in args)

    where = [arg for region in REGIONS for arg in ("--region", region)]
    step("init")
    for name, role in (("peninjau.jatim", "reviewer"), ("admin.jatim", "admin")):
        step("user", "add", name, "--role", role, "--region", "province", "--password-stdin")
    step("--now", "2024-01-10T08:00", "plan", "--from", "2024-01-20", "--to", "2024-01-20",
         *where)
    step("--now", "2024-02-12T20:00", "plan", "--from", "2024-02-13", "--to", "2024-02-14",
         *where, "--region", "jatim")
    for batch in ("pemilu-cek-dpt-berkala@2024-01-20T09:00",
                  "pemilu-masa-tenang@2024-02-13T09:00",
                  "pemilu-penghitungan-suara@2024-02-14T14:00"):  # `status`: next due
        step("--now", "2024-01-19T20:00", "review", "approve", batch, *ADMIN, "--note",
             LONG_NOTE)
    step("--now", "2024-01-20T09:00:30", "run", "--once")
    step("--now", "2024-02-13T09:00:30", "run", "--once")  # the January ones are missed
    step("--now", "2024-02-12T20:00", "review", "reject",
         "pemilu-tata-cara-memilih@2024-02-14T09:00", *ADMIN, "--note", LONG_NOTE)
    step("account", "pause", "kota-blitar/facebook", *ADMIN, "--note", LONG_NOTE)
    step("results", "announce", "--election", "pilkada-2024", "--stage",
         "pilkada_penetapan_calon_terpilih", "--region", "kab-probolinggo", "--at",
         "2024-12-20 10:00", *ADMIN, "--note", LONG_NOTE)
    posts = json.loads(run("posts", "--format", "json", "--all").output)
    catalog = load_catalog(content, REPO / "templates")
    keys = {*catalog.regions, *catalog.templates, *(r.key for r in catalog.rules),
            *catalog.elections, *catalog.partners,
            *(s.key for e in catalog.elections.values() for s in e.stages),
            *(f"{a.region_key}/{a.platform}" for a in catalog.accounts()),
            *(p["batch"] for p in posts)}
    return World(run, keys, posts)


def _found(key: str, lines: list[str]) -> bool:
    pattern = re.compile(rf"(?<![\w-]){re.escape(key)}(?![\w-])")
    return any(pattern.search(line) for line in lines)


@dataclass(frozen=True)
class Case:
    """A command as a user types it, and keys it must show whole at any width."""

    args: tuple[str, ...]
    must: tuple[str, ...] = ()
    login: bool = False


# Every command that prints a table (or keys in a panel or list), with its variants.
CASES: dict[str, list[Case]] = {
    "posts": [Case(("posts",), ("rekap_pengumuman_dpt", "kab-probolinggo", "kota-batu")),
              Case(("posts", "--status", "pending", "--limit", "12"), ("pemungutan_suara",)),
              Case(("posts", "--stage", "penghitungan_suara"), ("penghitungan_suara",))],
    "history": [Case(("history",), ("kota-blitar/telegram",)),
                Case(("history", "--status", "published"), ("kab-probolinggo/instagram",))],
    "status": [Case(("--now", "2024-02-13T14:00", "status"),
                    ("kota-blitar/facebook", "kab-probolinggo", "kota-batu"))],
    "stages": [Case(("stages",), ("rekapitulasi_verifikasi_administrasi_parpol",)),
               Case(("stages", "--on", "2024-02-13"), ("rekap_pengumuman_dpt",
                                                      "masa_tenang")),
               Case(("stages", "--region", "kota-batu"), ("pilkada_penetapan_calon_terpilih",)),
               Case(("stages", "--election", "pilkada-2024", "--on", "2024-11-27"),
                    ("pilkada_pemungutan_suara",))],
    "plan": [Case(("--now", "2024-01-10T08:00", "plan", "--from", "2024-01-20", "--to",
                   "2024-01-20", "--dry-run"), ("rekap_pengumuman_dpt",))],
    "preview": [Case(("preview", "--template", "ajakan-ke-tps", "--region", "kab-probolinggo",
                      "--platform", "instagram", "--on", "2024-02-14"),
                     ("kab-probolinggo", "pemungutan_suara"))],
    "check": [Case(("check",))],
    "review list": [Case(("--now", "2024-02-12T20:00", "review", "list", *ADMIN),
                         ("pemilu-cek-dpt-masa-tenang@2024-02-13T15:00",), login=True)],
    "review show": [Case(("review", "show", "pemilu-ayo-ke-tps@2024-02-14T06:00", *ADMIN),
                         ("pemilu-ayo-ke-tps@2024-02-14T06:00", "kab-probolinggo"),
                         login=True),
                    Case(("review", "show", "pemilu-hitung-mundur@2024-02-13T08:00", "--all",
                          *ADMIN), ("kota-batu",), login=True)],
    "post show": [Case(("post", "show", "5"), ("kab-probolinggo", "admin.jatim")),
                  Case(("post", "show", "1"),)],
    "account list": [Case(("account", "list"), ("kota-blitar/facebook",
                                                "kab-probolinggo/instagram"))],
    "user list": [Case(("user", "list"), ("peninjau.jatim", "admin.jatim"))],
    "partners": [Case(("--now", "2024-02-13T10:00", "partners"),
                      ("contoh-universitas", "kota-surabaya", "jatim"))],
    "partners report": [Case(("partners", "report", "--from", "2024-01-01", "--to",
                              "2024-12-31"), ("kab-probolinggo", "kegiatan-bersama"))],
    "platforms": [Case(("platforms",), ("facebook", "instagram", "threads", "telegram"))],
    "results list": [Case(("results", "list", *ADMIN),
                          ("pilkada_penetapan_calon_terpilih", "kab-probolinggo",
                           "pilkada-2024"), login=True)],
}

# Commands that print no table and no list of keys: a sentence or two, a prompt, a server.
NOT_TABLES = {
    "init", "login", "logout", "import", "run", "web", "review approve", "review reject",
    "post new", "post submit", "post edit", "post cancel", "post reschedule",
    "post resolve", "account pause", "account resume", "results announce", "user add",
    "user passwd", "user deactivate", "user activate", "user role", "user region",
    "account connect", "account disconnect", "secrets new-key", "secrets rotate",
}
TABLE_CALLS = ("Table(", "print_table", "print_layouts", "Panel(")


def _commands() -> dict[str, Any]:
    """Every registered command by its full name (Typer's groups: by their subcommands)."""
    found: dict[str, Any] = {}

    def walk(group: Any, prefix: str) -> None:
        for name, sub in getattr(group, "commands", {}).items():
            full = f"{prefix} {name}".strip()
            if getattr(sub, "commands", None) is not None:
                if getattr(sub, "invoke_without_command", False):  # `siar partners`
                    found[full] = sub
                walk(sub, full)
            else:
                found[full] = sub
    walk(typer.main.get_command(app), "")
    return found


def test_every_command_is_covered_or_declared_without_a_table() -> None:
    commands = _commands()
    assert set(CASES) | NOT_TABLES == set(commands), (
        "a new command: add it to CASES (it prints a table or keys) or to NOT_TABLES")
    assert not set(CASES) & NOT_TABLES
    for name in NOT_TABLES:  # a command declared without a table really prints none
        callback = commands[name].callback
        assert callback is not None
        source = inspect.getsource(getattr(callback, "__wrapped__", callback))
        assert not any(call in source for call in TABLE_CALLS), name


@pytest.mark.parametrize("name", sorted(CASES))
def test_keys_are_whole_at_80_columns(world: World, name: str) -> None:
    for case in CASES[name]:
        narrow = world.run(*case.args, password=case.login).output
        wide = world.run(*case.args, columns=400, password=case.login).output
        lines = narrow.splitlines()
        too_long = [line for line in lines if cell_len(line) > 80]
        assert not too_long, (case.args, too_long)
        wide_lines = wide.splitlines()
        shown = {key for key in world.keys if _found(key, wide_lines)}
        assert all(_found(key, wide_lines) for key in case.must), case.args
        cut = sorted(key for key in shown | set(case.must) if not _found(key, lines))
        assert not cut, (case.args, cut, narrow)


def _rows(world: World, args: tuple[str, ...]) -> list[dict[str, Any]]:
    return list(json.loads(world.run(*args, "--format", "json").output))


def test_posts_and_history_show_every_row_whole(world: World) -> None:
    """Each row's id, region, platform, stage and status (in Indonesian), whole."""
    for args, limit in ((("posts",), 50), (("history",), 50)):
        rows = _rows(world, (*args, "--limit", str(limit)))
        assert rows
        lines = world.run(*args).output.splitlines()
        for row in rows:
            expected = [str(row["id"]), f"{row['region']}", row["platform"],
                        STATUS_LABELS[row["status"]]]
            if args == ("posts",):
                expected.append(row["stage"])
            missing = [key for key in expected if not _found(key, lines)]
            assert not missing, (args, row["id"], missing)
            # the account key as one token where the table has an account column
            if args == ("history",):
                assert _found(f"{row['region']}", lines)


def test_texts_are_one_line_with_an_ellipsis_and_whole_in_post_show(world: World) -> None:
    posts = world.run("posts", "--limit", "5").output
    assert "…" in posts
    post = world.posts[0]
    first_words = " ".join(post["text"].split()[:4])
    assert sum(first_words in line for line in posts.splitlines()) >= 1
    shown = world.run("post", "show", str(post["id"])).output
    last_line = post["text"].strip().splitlines()[-1]
    assert last_line.split()[-1] in shown  # the whole text, to its last word
    # A long note: one line in a wide table, whole under the table of `post show`.
    history = world.run("post", "show", str(post["id"]), columns=400).output
    assert LONG_NOTE in history
    narrow = world.run("post", "show", str(post["id"])).output
    assert LONG_NOTE in " ".join(line.strip() for line in narrow.splitlines())


def test_a_wide_terminal_gets_one_line_per_post(world: World) -> None:
    wide = world.run("posts", "--limit", "3", columns=200).output.splitlines()
    rows = [line for line in wide if re.match(r"\s*\d+\s+2024-", line)]
    assert len(rows) == 3
    assert all("rekap_pengumuman_dpt" in line and "WIB" not in line for line in rows)
    assert any("Waktu (WIB)" in line for line in wide)
