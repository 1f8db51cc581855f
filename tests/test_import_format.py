"""The date forms and delimiters offices' CSV files use (scheduler.import_format)."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from scheduler.import_format import detect_delimiter, parse_local_time

WIB = ZoneInfo("Asia/Jakarta")
KNOWN = ("region", "platform", "scheduled_at", "text", "image", "image_alt")


@pytest.mark.parametrize("raw", ["2024-01-27T09:00", "2024-01-27 09:00", "27/01/2024 09.00",
                                 "27/01/2024 09:00", "27-01-2024 09:00", "27-01-2024 09.00.00"])
def test_every_accepted_date_form_is_the_offices_local_time(raw: str) -> None:
    assert parse_local_time(raw, WIB) == datetime(2024, 1, 27, 9, 0, tzinfo=WIB)


def test_an_offset_is_kept() -> None:
    assert parse_local_time("2024-01-27T09:00+08:00", WIB) == datetime(2024, 1, 27, 8, 0,
                                                                        tzinfo=WIB)


@pytest.mark.parametrize("raw", ["27.01.2024 09:00", "01/27/2024 09:00", "2024-01-27",
                                 "27/01/24 09:00", "besok pagi", "27/01-2024 09:00"])
def test_other_date_forms_are_refused_with_the_accepted_ones(raw: str) -> None:
    with pytest.raises(Exception, match="bentuk yang diterima: 2024-01-27 09:00") as caught:
        parse_local_time(raw, WIB)
    assert repr(raw) in str(caught.value)


@pytest.mark.parametrize(("header", "delimiter"), [
    ("region,platform,scheduled_at,text", ","),
    ("region;platform;scheduled_at;text", ";"),
    ("Region ; Platform ; scheduled_at ; text", ";"),
    ("region\tplatform\tscheduled_at\ttext", "\t"),
    ("wilayah;waktu;teks", ";"),  # no known name: the one that splits it
    ("", ","),
])
def test_the_delimiter_is_read_from_the_header(header: str, delimiter: str) -> None:
    assert detect_delimiter(header, KNOWN) == delimiter
