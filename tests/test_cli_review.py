"""The review flow from the command line, as the README walks through it."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PASSWORDS = {"rudi": "sandi-rudi-123", "sari": "sandi-sari-123", "rina": "sandi-rina-123",
             "admin": "sandi-admin-123"}


@pytest.fixture
def world(siar):  # type: ignore[no-untyped-def]
    assert siar("init").exit_code == 0
    for name, role, region in [("rudi", "reviewer", "province"), ("sari", "reviewer", "kab-a"),
                               ("rina", "author", "kab-a"), ("admin", "admin", "province")]:
        result = siar("user", "add", name, "--role", role, "--region", region,
                      "--password-stdin", input=PASSWORDS[name] + "\n")
        assert result.exit_code == 0, result.output
    result = siar("plan", "--from", "2024-01-01", "--to", "2024-02-20")
    assert result.exit_code == 0, result.output
    return siar


def as_user(siar, name: str, *args: str):  # type: ignore[no-untyped-def]
    return siar(*args, "--as", name, "--password-stdin", input=PASSWORDS[name] + "\n")


def posts(siar, *args: str) -> list[dict]:  # type: ignore[no-untyped-def,type-arg]
    return json.loads(siar("posts", "--format", "json", *args).stdout)


def test_user_list_shows_roles_and_regions(world) -> None:
    result = world("user", "list")
    assert "rudi" in result.output and "reviewer" in result.output and "prov" in result.output


def test_password_is_stored_only_as_an_argon2_hash(world, settings) -> None:
    data = Path(settings.database_url.removeprefix("sqlite:///")).read_bytes()
    assert b"sandi-rudi-123" not in data
    assert b"$argon2id$" in data


def test_review_list_show_and_approve_a_batch_with_an_exception(world) -> None:
    listed = as_user(world, "sari", "review", "list")
    assert listed.exit_code == 0, listed.output
    assert "daftar-harian@2024-01-01T09:00" in listed.output
    batch = "daftar-harian@2024-01-05T09:00"
    shown = as_user(world, "sari", "review", "show", batch)
    assert "5 unggahan" in shown.stdout and "kantor: kab-a\n" in shown.stdout
    assert "kota-b" not in shown.stdout
    every = as_user(world, "sari", "review", "show", batch, "--all")
    assert every.stdout.count("kab-a ·") == 5 and "kota-b" not in every.stdout
    x_post = next(p for p in posts(world, "--region", "kab-a", "--platform", "x")
                  if p["batch"] == batch)
    approved = as_user(world, "rudi", "review", "approve", batch, "--except",
                       str(x_post["id"]), "--note", "oke")
    assert approved.exit_code == 0, approved.output
    assert "14 unggahan disetujui" in approved.output
    statuses = {(p["region"], p["platform"]): p["status"] for p in posts(world)
                if p["batch"] == batch}
    assert statuses[("kab-a", "x")] == "pending"
    assert list(statuses.values()).count("approved") == 14


def test_wrong_password_and_unknown_user_get_the_same_refusal(world) -> None:
    wrong = world("review", "list", "--as", "rudi", "--password-stdin", input="salah\n")
    unknown = world("review", "list", "--as", "siapa", "--password-stdin", input="salah\n")
    for result in (wrong, unknown):
        assert result.exit_code == 4
        assert "pengguna tidak dikenal atau kata sandi salah" in result.stderr


def test_acting_outside_ones_region_is_refused(world) -> None:
    other = next(p for p in posts(world, "--region", "kota-b"))
    result = as_user(world, "sari", "review", "approve", str(other["id"]))
    assert result.exit_code == 5
    assert "kota-b" in result.stderr
    assert posts(world, "--region", "kota-b")[0]["status"] == "pending"


def test_author_cannot_approve_and_nobody_approves_own_post(world) -> None:
    created = as_user(world, "admin", "post", "new", "--region", "kab-a", "--platform", "x",
                      "--at", "2024-01-20T09:00", "--text", "Info TPS dari admin.")
    assert created.exit_code == 0, created.output
    post_id = next(p["id"] for p in posts(world, "--region", "kab-a", "--status", "draft"))
    assert as_user(world, "admin", "post", "submit", str(post_id)).exit_code == 0
    own = as_user(world, "admin", "review", "approve", str(post_id), "--override", "mendesak")
    assert own.exit_code == 6
    assert "empat mata" in own.stderr
    author = as_user(world, "rina", "review", "approve", str(post_id))
    assert author.exit_code == 5
    assert as_user(world, "rudi", "review", "approve", str(post_id)).exit_code == 0


def test_reject_requires_a_note(world) -> None:
    batch = "daftar-harian@2024-01-02T09:00"
    missing = as_user(world, "rudi", "review", "reject", batch)
    assert missing.exit_code == 2
    done = as_user(world, "rudi", "review", "reject", batch, "--note", "Tanggal keliru")
    assert done.exit_code == 0, done.output
    assert "15 unggahan ditolak" in done.output


def test_edit_text_file_and_reschedule(world, tmp_path: Path) -> None:
    post = next(p for p in posts(world, "--region", "kab-a", "--platform", "facebook"))
    body = tmp_path / "teks.txt"
    body.write_text("Teks dari berkas.\n")
    edited = as_user(world, "rina", "post", "edit", str(post["id"]), "--text-file", str(body))
    assert edited.exit_code == 0, edited.output
    moved = as_user(world, "rudi", "post", "reschedule", str(post["id"]), "--at",
                    "2024-01-01T15:30")
    assert moved.exit_code == 0, moved.output
    after = next(p for p in posts(world) if p["id"] == post["id"])
    assert after["text"] == "Teks dari berkas."
    assert after["scheduled_at"] == "2024-01-01T15:30:00+07:00"
    assert after["edited_by"] == "rina"


def test_import_from_the_command_line(world, tmp_path: Path) -> None:
    path = tmp_path / "impor.csv"
    path.write_text("region,platform,scheduled_at,text\nkab-a,x,2024-01-20 09:00,Info.\n"
                    "kab-a,threads,2024-01-20 25:00,Jam salah.\n")
    refused = as_user(world, "rina", "import", str(path))
    assert refused.exit_code == 2
    assert f"{path}:3: scheduled_at tidak valid" in refused.stderr
    path.write_text("region,platform,scheduled_at,text\nkab-a,x,2024-01-20 09:00,Info.\n")
    imported = as_user(world, "rina", "import", str(path))
    assert imported.exit_code == 0, imported.output
    assert "1 unggahan diimpor" in imported.output
    path.write_text("region;platform;scheduled_at;text\nkab-a;x;20/01/2024 09.00;Info.\n"
                    "kab-a;threads;20/01/2024 09.00;Info.\n")
    refused = as_user(world, "rina", "import", str(path))
    assert refused.exit_code == 2
    assert f"{path}:2: duplikat unggahan #" in refused.stderr
    assert "--skip-duplicates" in refused.stderr
    skipped = as_user(world, "rina", "import", str(path), "--skip-duplicates")
    assert skipped.exit_code == 0, skipped.output
    assert f"{path}:2: dilewati, duplikat unggahan #" in skipped.output
    assert "1 unggahan diimpor" in skipped.output and "1 baris duplikat dilewati" in skipped.output


def test_review_list_as_a_process_loads_no_more_than_it_needs(world, cli_env) -> None:  # type: ignore[no-untyped-def]
    """`siar review list` is run often and pays its start at every run (issue 11): it
    lists the same batches without importing the HTTP stack (the platform registry reads
    the adapters' names only), Typer's help printer (nothing is printed as help), the
    checks, the content model or YAML (the catalog is not needed to list)."""
    code = ("import atexit, sys\n"
            "atexit.register(lambda: print(sorted(m for m in sys.modules if m.split('.')[0]\n"
            "    in ('requests', 'urllib3', 'yaml', 'jinja2', 'markdown_it') or m in\n"
            "    ('typer.rich_utils', 'scheduler.content.model', 'scheduler.checks'))))\n"
            "sys.argv = ['siar', 'review', 'list', '--as', 'sari', '--password-stdin']\n"
            "from scheduler.cli_loading import main\n"
            "main()\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          input=PASSWORDS["sari"] + "\n", cwd=REPO, check=False,
                          env={"PATH": "/usr/bin:/bin", **cli_env})
    assert done.returncode == 0, done.stderr
    *listed, loaded = done.stdout.strip().splitlines()
    assert "daftar-harian@2024-01-01T09:00" in "\n".join(listed)
    assert loaded == "[]"
    in_process = as_user(world, "sari", "review", "list")
    assert in_process.stdout.strip().splitlines() == listed
