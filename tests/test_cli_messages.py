"""Typer's own usage errors in Indonesian: the message, the suggestion, the exit code 2."""

import pytest
from typer.testing import CliRunner

from scheduler.cli import app

CASES = [
    (["posts", "--bogus"], "Opsi tidak dikenal: --bogus."),
    (["posts", "--limt", "3"], "Opsi tidak dikenal: --limt. Mungkin maksud Anda: --limit"),
    (["posts", "--limit", "x"], "Nilai tidak sah untuk '--limit': harus berupa bilangan bulat."),
    (["posts", "--limit", "0"], "Nilai tidak sah untuk '--limit': paling kecil 1."),
    (["post", "show"], "Argumen 'post_id' wajib diisi."),
    (["nope"], "Perintah tidak dikenal: nope."),
    (["revew"], "Perintah tidak dikenal: revew. Mungkin maksud Anda: preview, review?"),
    (["posts", "--platform"], "Opsi '--platform' memerlukan nilai."),
    (["post", "show", "1", "2"], "Argumen berlebih: 2."),
]


@pytest.mark.parametrize(("words", "message"), CASES, ids=[" ".join(c[0]) for c in CASES])
def test_usage_errors_are_indonesian(words: list[str], message: str) -> None:
    result = CliRunner().invoke(app, words, env={"COLUMNS": "200"})
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Galat" in result.output
    if words[-1] != "--platform":  # Typer raises this one without its command's context
        assert "untuk bantuan" in result.output
    for english in ("No such", "Invalid value", "Missing", "Got unexpected", "requires"):
        assert english not in result.output


def test_a_group_without_its_command_shows_its_help() -> None:
    result = CliRunner().invoke(app, ["review"], env={"COLUMNS": "120"})
    assert result.exit_code == 2
    assert "Perintah" in result.output and "approve" in result.output
    assert "Galat" not in result.output
