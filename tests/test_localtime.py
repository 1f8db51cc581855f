from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from scheduler import localtime

WIB = ZoneInfo("Asia/Jakarta")


def test_indonesian_long_date() -> None:
    assert localtime.format_date(date(2024, 2, 14)) == "Rabu, 14 Februari 2024"
    assert localtime.format_date(date(2024, 11, 27)) == "Rabu, 27 November 2024"
    assert localtime.format_date(date(2023, 12, 17)) == "Minggu, 17 Desember 2023"


def test_datetime_shown_in_local_zone_with_its_name() -> None:
    instant = datetime(2024, 2, 14, 2, 0, tzinfo=UTC)
    assert localtime.format_datetime(instant, WIB) == "Rabu, 14 Februari 2024 pukul 09.00 WIB"
    assert localtime.format_time(instant, ZoneInfo("Asia/Makassar")) == "10.00 WITA"
    assert localtime.format_time(instant, ZoneInfo("Asia/Jayapura")) == "11.00 WIT"


@pytest.mark.parametrize(("days", "text"), [(30, "H-30"), (1, "H-1"), (0, "Hari-H"), (-2, "H+2")])
def test_countdown(days: int, text: str) -> None:
    assert localtime.countdown(days) == text


def test_local_midnight_in_utc() -> None:
    assert localtime.local_midnight_utc(date(2024, 2, 14), WIB) == datetime(
        2024, 2, 13, 17, 0, tzinfo=UTC)
