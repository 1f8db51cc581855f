"""Parsing command-line values into dates and times, with messages that name the option."""

import re
from datetime import date, datetime, time, timedelta, tzinfo

from scheduler.errors import InputError

OFFSET = re.compile(r"([+-])(\d{1,4})([mhd])")
UNITS = {"m": "minutes", "h": "hours", "d": "days"}


def parse_date(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InputError(f"{option}: tanggal tidak valid {value!r} (format YYYY-MM-DD, "
                         "contoh 2024-02-14)") from None


def parse_time(value: str, option: str) -> time:
    text = value.strip().replace(".", ":")
    try:
        return time.fromisoformat(text)
    except ValueError:
        raise InputError(f"{option}: jam tidak valid {value!r} (format HH:MM, contoh 09:00)"
                         ) from None


def parse_instant(value: str, option: str, tz: tzinfo) -> datetime:
    """A date and time; local time when no offset is given."""
    try:
        parsed = datetime.fromisoformat(value.strip().replace(" ", "T", 1))
    except ValueError:
        raise InputError(f"{option}: waktu tidak valid {value!r} (format YYYY-MM-DDTHH:MM, "
                         "contoh 2024-02-14T09:00)") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)


def parse_offset(value: str, option: str) -> timedelta:
    """A shift such as +2h, -30m or +1d (minutes, hours, days)."""
    found = OFFSET.fullmatch(value.strip())
    if found is None:
        raise InputError(f"{option}: pergeseran tidak valid {value!r} (tanda + atau -, angka, "
                         "lalu m/h/d untuk menit/jam/hari; contoh +2h, -30m, +1d)")
    sign, amount, unit = found.groups()
    shift = timedelta(**{UNITS[unit]: int(amount)})
    return -shift if sign == "-" else shift


def parse_instant_or_offset(value: str, option: str,
                            tz: tzinfo) -> tuple[datetime | None, timedelta | None]:
    """A new time, or a shift from each post's own time when the value starts with + or -."""
    if value.strip()[:1] in ("+", "-"):
        return None, parse_offset(value, option)
    return parse_instant(value, option, tz), None
