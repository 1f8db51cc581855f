"""`siar platforms`: every registered adapter with what it declares, read from the
adapters themselves (a plugin shows up without any list being edited)."""

import json

from scheduler.adapters.registry import load_adapters


def test_every_registered_adapter_is_listed_with_its_declarations(siar, tmp_path) -> None:
    result = siar("platforms", "--format", "json",
                  env={"SIAR_X_API_URL": "http://127.0.0.1:9/x/"})
    assert result.exit_code == 0, result.output
    listed = {row["name"]: row for row in json.loads(result.stdout)}
    assert set(listed) == set(load_adapters())
    assert listed["instagram"]["daily_quota"] == 50 and listed["instagram"]["image_required"]
    assert listed["telegram"]["caption_length"] == 1024
    assert listed["x"]["credentials"] == ["access_token"]
    assert listed["x"]["address"] == "http://127.0.0.1:9/x"  # the setting points it there
    assert listed["facebook"]["address_setting"] == "SIAR_FACEBOOK_API_URL"
    assert listed["outbox"]["address"] is None
    assert not list(tmp_path.glob("*.db"))  # reads no database


def test_the_table_names_every_platform_and_its_setting(siar) -> None:
    result = siar("platforms", env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    for name, cls in load_adapters().items():
        assert f"{name} ({cls.label})" in result.output
    assert "SIAR_INSTAGRAM_API_URL" in result.output and "4.096 unit UTF-16" in result.output
