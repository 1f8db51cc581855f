"""Parsing command-line values into dates and times, with messages that name the option."""

from datetime import date, datetime, time, tzinfo

from scheduler.errors import InputError


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
