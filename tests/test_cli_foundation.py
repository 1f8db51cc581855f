"""The foundation commands end to end, in-process, against a real SQLite file."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest


def test_init_creates_schema_and_syncs_accounts(siar) -> None:
    result = siar("init")
    assert result.exit_code == 0, result.output
    from scheduler.migrate import head_revision

    assert f"skema kosong → {head_revision()}" in result.output
    assert "akun baru: 15" in result.output
    again = siar("init")
    assert f"skema {head_revision()} → {head_revision()}" in again.output
    assert "akun baru: 0" in again.output


def test_check_passes_on_valid_content(siar) -> None:
    result = siar("check")
    assert result.exit_code == 0, result.output
    assert "Konten valid" in result.output
    assert "15 akun" in result.output
    assert "3 templat" in result.output


def test_check_reports_every_problem_and_exits_2(siar, mini: Path) -> None:
    plan = mini / "content/plan.yaml"
    plan.write_text(plan.read_text().replace("during: [daftar]", "during: [daftr]")
                    .replace('cadence: "0 7 * * *"', 'cadence: "tiap pagi"'))
    result = siar("check")
    assert result.exit_code == 2
    assert "2 masalah" in result.stderr
    assert "plan.yaml:9: aturan daftar-harian: tahapan tidak dikenal di uji-2024: 'daftr'" \
        in result.stderr
    assert "plan.yaml:14" in result.stderr


def test_commands_refuse_an_uninitialised_database(siar, settings) -> None:
    result = siar("plan", "--from", "2024-01-01", "--to", "2024-01-02")
    assert result.exit_code == 1
    assert "siar init" in result.stderr


@pytest.mark.parametrize("command", [("history",), ("posts",), ("status",)])
def test_a_reading_command_leaves_no_empty_database_behind(siar, settings,
                                                           command: tuple[str, ...]) -> None:
    if not settings.database_url.startswith("sqlite"):
        pytest.skip("an SQLite file")
    database = Path(settings.database_url.split("///", 1)[1])
    assert not database.exists()
    result = siar(*command)
    assert result.exit_code == 1
    assert "basis data belum disiapkan" in result.stderr and "siar init" in result.stderr
    assert not database.exists()


def test_version(siar) -> None:
    result = siar("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == "siar 0.1.0"


def test_plan_then_list_as_json(siar) -> None:
    siar("init")
    result = siar("plan", "--from", "2024-01-01", "--to", "2024-02-20")
    assert result.exit_code == 0, result.output
    assert "180 unggahan dibuat" in result.output
    again = siar("plan", "--from", "2024-01-01", "--to", "2024-02-20")
    assert "0 unggahan dibuat" in again.output
    assert "180 sudah ada" in again.output
    listed = siar("posts", "--region", "kab-a", "--platform", "x", "--format", "json")
    assert listed.exit_code == 0, listed.output
    records = json.loads(listed.stdout)
    assert len(records) == 13
    first = records[0]
    for key in ("id", "region", "platform", "stage", "template", "batch", "status",
                "scheduled_at", "text"):
        assert key in first
    assert first["scheduled_at"] == "2024-01-01T09:00:00+07:00"
    assert first["region"] == "kab-a"
    assert first["platform"] == "x"
    assert first["text"].startswith("KPU Kabupaten A: cek data pemilih Anda, Senin, 1 Januari 2024")


def test_posts_filters_and_csv(siar) -> None:
    siar("init")
    siar("plan", "--from", "2024-01-01", "--to", "2024-02-20")
    result = siar("posts", "--stage", "coblos", "--from", "2024-02-12", "--to", "2024-02-13",
                  "--format", "csv")
    lines = result.stdout.strip().splitlines()
    assert lines[0].startswith("id,region,platform,election,stage,template")
    assert len(lines) == 1 + 2 * 2 * 5  # H-1 only... two days: H-3 is 11 Feb, H-1 is 13 Feb
    empty = siar("posts", "--status", "published", "--format", "json")
    assert json.loads(empty.stdout) == []


def test_dry_run_writes_nothing(siar) -> None:
    siar("init")
    result = siar("plan", "--from", "2024-01-01", "--to", "2024-02-20", "--dry-run")
    assert "180 unggahan akan dibuat" in result.output
    listed = siar("posts", "--format", "json")
    assert json.loads(listed.stdout) == []


def test_bad_command_line_values_name_the_value(siar) -> None:
    siar("init")
    cases = [
        (["plan", "--from", "2024-02-01", "--to", "2024-01-01"], "lebih awal"),
        (["plan", "--from", "1-2-2024", "--to", "2024-01-01"], "--from: tanggal tidak valid"),
        (["plan", "--from", "2024-01-01", "--to", "2024-01-02", "--region", "kab-z"], "kab-z"),
        (["plan", "--from", "2024-01-01", "--to", "2024-01-02", "--platform", "orkut"],
         "orkut"),
        (["posts", "--status", "terbit"], "status tidak dikenal: 'terbit'"),
        (["preview", "--template", "mundur", "--region", "kab-a", "--platform", "myspace",
          "--on", "2024-02-13"], "myspace"),
        (["stages", "--election", "pemilu-1955"], "pemilu-1955"),
    ]
    for args, message in cases:
        result = siar(*args)
        assert result.exit_code == 2, (args, result.output)
        assert message in result.stderr, (args, result.stderr)
    listed = siar("posts", "--format", "json")
    assert json.loads(listed.stdout) == []


def test_bad_now_is_refused(siar) -> None:
    result = siar("--now", "besok", "stages")
    assert result.exit_code == 2
    assert "besok" in result.stderr


def test_stages_on_a_date_shows_active_stages_and_countdown(siar) -> None:
    result = siar("stages", "--on", "2024-01-09")
    assert result.exit_code == 0, result.output
    assert "Pekan terakhir pendaftaran" in result.output
    assert "Masa tenang" not in result.output
    assert "H-36 menuju pemungutan suara, Rabu, 14 Februari 2024" in result.output


def test_preview_shows_text_and_weighted_length(siar) -> None:
    result = siar("preview", "--template", "mundur", "--region", "kab-a", "--platform", "x",
                  "--on", "2024-02-13")
    assert result.exit_code == 0, result.output
    assert "H-1 menuju pemungutan suara Rabu, 14 Februari 2024, pukul 07.00 WIB." in result.output
    assert "104/280" in result.output


def test_installed_console_script_runs(tmp_path: Path, cli_env: dict[str, str]) -> None:
    script = Path(sys.executable).parent / "siar"
    env = {**os.environ, **cli_env}
    result = subprocess.run([str(script), "check"], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "Konten valid" in result.stdout


def test_check_finds_a_missing_image(siar, mini: Path) -> None:
    (mini / "content/media/kartu.jpg").unlink()
    result = siar("check")
    assert result.exit_code == 2
    assert "aturan daftar-harian: gambar tidak ditemukan" in result.stderr


def test_posts_table_stops_at_50_unless_asked(siar) -> None:
    assert siar("init").exit_code == 0
    assert siar("plan", "--from", "2024-01-01", "--to", "2024-02-20").exit_code == 0
    table = siar("posts")
    assert table.exit_code == 0
    assert "50 unggahan (batas tabel tercapai; pakai --limit N, --all atau --format csv)." \
        in table.stdout
    assert "180 unggahan." in siar("posts", "--all").stdout
    assert "7 unggahan." in siar("posts", "--limit", "7").stdout
    assert len(json.loads(siar("posts", "--format", "json").stdout)) == 180


def test_history_takes_from_and_to_like_every_command(siar) -> None:
    assert siar("init").exit_code == 0
    for first, last in (("--from", "--to"), ("--since", "--until")):
        backwards = siar("history", first, "2024-02-01", last, "2024-01-01")
        assert backwards.exit_code == 2, backwards.output
        assert siar("history", first, "2024-01-01", last, "2024-01-02").exit_code == 0


def test_plan_in_two_processes_plans_the_same(siar) -> None:
    siar("init")
    result = siar("plan", "--from", "2024-01-01", "--to", "2024-02-20", "--processes", "2")
    assert result.exit_code == 0, result.output
    assert "180 unggahan dibuat" in result.output
    again = siar("plan", "--from", "2024-01-01", "--to", "2024-02-20", "--processes", "2")
    assert "0 unggahan dibuat" in again.output and "180 sudah ada" in again.output
    refused = siar("plan", "--from", "2024-01-01", "--to", "2024-01-02", "--processes", "0")
    assert refused.exit_code == 2
