"""A CSV kept between its preview and its confirmation: the uploader's alone, for an
hour, once."""

import os
import time
from pathlib import Path

import pytest

from scheduler.errors import ConfigError, NotFoundError
from scheduler.import_stash import LIFETIME_SECONDS, discard, stash, unstash


def test_kept_for_its_owner_until_discarded(tmp_path: Path) -> None:
    folder = tmp_path / "impor"
    now = time.time()
    token = stash(folder, owner="ani", name="a.csv", text="region\nkab-a\n", now=now)
    assert len(token) == 32
    assert oct(folder.stat().st_mode & 0o777) == "0o700"
    assert oct((folder / f"{token}.json").stat().st_mode & 0o777) == "0o600"
    kept = unstash(folder, token, owner="ani", now=now)
    assert (kept.name, kept.text) == ("a.csv", "region\nkab-a\n")
    with pytest.raises(NotFoundError):
        unstash(folder, token, owner="budi", now=now)
    discard(folder, token)
    with pytest.raises(NotFoundError):
        unstash(folder, token, owner="ani", now=now)


@pytest.mark.parametrize("token", ["", "../../etc/passwd", "x" * 31, "x" * 32])
def test_unknown_or_malformed_tokens_are_not_found(tmp_path: Path, token: str) -> None:
    with pytest.raises(NotFoundError):
        unstash(tmp_path, token, owner="ani", now=time.time())


def test_expired_after_an_hour_and_purged(tmp_path: Path) -> None:
    now = time.time()
    old = stash(tmp_path / "impor", owner="ani", name="a.csv", text="x", now=now)
    with pytest.raises(NotFoundError, match="kedaluwarsa"):
        unstash(tmp_path / "impor", old, owner="ani", now=now + LIFETIME_SECONDS + 1)
    stash(tmp_path / "impor", owner="ani", name="b.csv", text="y",
          now=now + LIFETIME_SECONDS + 1)
    assert not (tmp_path / "impor" / f"{old}.json").exists()


def test_a_folder_others_can_read_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "impor"
    folder.mkdir()
    os.chmod(folder, 0o777)  # noqa: S103 - the point of the test
    with pytest.raises(ConfigError, match="tidak aman"):
        stash(folder, owner="ani", name="a.csv", text="x", now=time.time())
