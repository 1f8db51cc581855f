from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from scheduler.content.cadence import cron_trigger, fire_times

WIB = ZoneInfo("Asia/Jakarta")


def fires(expr: str, start: datetime, end: datetime) -> list[datetime]:
    return list(fire_times(cron_trigger(expr, WIB), start, end))


def test_weekday_numbers_follow_crontab_where_zero_is_sunday() -> None:
    # 2024-02-04 was a Sunday; APScheduler 3.x alone would read 0 as Monday.
    result = fires("0 9 * * 0", datetime(2024, 2, 1, tzinfo=WIB),
                   datetime(2024, 2, 12, tzinfo=WIB))
    assert result == [datetime(2024, 2, 4, 9, 0, tzinfo=WIB),
                      datetime(2024, 2, 11, 9, 0, tzinfo=WIB)]
    assert fires("0 9 * * 7", datetime(2024, 2, 1, tzinfo=WIB),
                 datetime(2024, 2, 12, tzinfo=WIB)) == result


def test_range_and_names_and_times_are_local() -> None:
    result = fires("30 7,16 * * mon-wed", datetime(2024, 2, 12, tzinfo=WIB),
                   datetime(2024, 2, 15, tzinfo=WIB))
    assert [f"{r:%a %H:%M}" for r in result] == [
        "Mon 07:30", "Mon 16:30", "Tue 07:30", "Tue 16:30", "Wed 07:30", "Wed 16:30"]
    assert result[0].utcoffset().total_seconds() == 7 * 3600  # type: ignore[union-attr]


def test_end_is_exclusive() -> None:
    assert fires("0 9 * * *", datetime(2024, 2, 1, 9, 0, tzinfo=WIB),
                 datetime(2024, 2, 2, 9, 0, tzinfo=WIB)) == [datetime(2024, 2, 1, 9, 0, tzinfo=WIB)]


@pytest.mark.parametrize("expr", ["0 9 * *", "61 9 * * *", "0 25 * * *", "0 9 * * 8", "x y z a b",
                                  "0 9 * * fri-mon"])
def test_invalid_cron_is_refused_with_the_expression_named(expr: str) -> None:
    with pytest.raises(ValueError, match=r"cron|hari|bagian|rentang"):
        cron_trigger(expr, WIB)
