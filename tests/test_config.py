import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from scheduler.config import SETTINGS, load_settings
from scheduler.errors import ConfigError
from scheduler.platforms import platform_settings

REPO = Path(__file__).resolve().parent.parent


def test_defaults_are_sqlite_in_working_folder_and_jakarta_time() -> None:
    settings = load_settings(env={}, env_file=None)
    assert settings.database_url == "sqlite:///siar.db"
    assert settings.timezone == ZoneInfo("Asia/Jakarta")
    assert settings.now is None
    assert settings.content_dir == Path("content")


def test_env_file_is_read_and_process_environment_wins(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("SIAR_TIMEZONE=Asia/Makassar\nSIAR_PLAN_DAYS_AHEAD=3\nMY_TOKEN=abc\n")
    settings = load_settings(env={"SIAR_PLAN_DAYS_AHEAD": "9"}, env_file=env_file)
    assert settings.timezone == ZoneInfo("Asia/Makassar")
    assert settings.plan_days_ahead == 9
    assert settings.secret("MY_TOKEN") == "abc"
    assert settings.secret("MISSING") is None


def test_now_without_offset_is_local_time() -> None:
    settings = load_settings(env={"SIAR_NOW": "2024-02-14T09:00"}, env_file=None)
    assert settings.now == datetime(2024, 2, 14, 9, 0, tzinfo=ZoneInfo("Asia/Jakarta"))


@pytest.mark.parametrize(("name", "value", "fragment"), [
    ("SIAR_NOW", "kemarin", "SIAR_NOW"),
    ("SIAR_TIMEZONE", "Mars/Olympus", "Mars/Olympus"),
    ("SIAR_WORKER_CONCURRENCY", "0", "SIAR_WORKER_CONCURRENCY"),
    ("SIAR_HTTP_TIMEOUT", "cepat", "SIAR_HTTP_TIMEOUT"),
])
def test_bad_setting_names_the_setting_and_value(name: str, value: str, fragment: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(fragment)):
        load_settings(env={name: value}, env_file=None)


def test_example_env_documents_every_setting_with_a_comment() -> None:
    text = (REPO / "config.example.env").read_text()
    lines = text.splitlines()
    for setting in (*SETTINGS, *platform_settings()):
        index = next((i for i, line in enumerate(lines)
                      if re.match(rf"#?\s*{setting.name}=", line)), None)
        assert index is not None, f"{setting.name} missing from config.example.env"
        assert lines[index - 1].startswith("#"), f"{setting.name} has no comment line above it"
