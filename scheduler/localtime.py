"""Local (WIB/WITA/WIT) time for people: Indonesian dates, times and countdowns."""

from datetime import UTC, date, datetime, time, timedelta, tzinfo

HARI = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
BULAN = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
)
_ZONE_NAMES = {7: "WIB", 8: "WITA", 9: "WIT"}


def zone_label(instant: datetime) -> str:
    """WIB, WITA or WIT for Indonesia's zones, else UTC±H."""
    offset = instant.utcoffset() or timedelta(0)
    hours = offset.total_seconds() / 3600
    if hours in _ZONE_NAMES:
        return _ZONE_NAMES[int(hours)]
    return f"UTC{hours:+g}"


def format_date(day: date) -> str:
    """Rabu, 14 Februari 2024"""
    return f"{HARI[day.weekday()]}, {format_date_short(day)}"


def format_date_short(day: date) -> str:
    """14 Februari 2024"""
    return f"{day.day} {BULAN[day.month - 1]} {day.year}"


def format_time(instant: datetime, tz: tzinfo) -> str:
    """09.00 WIB"""
    local = instant.astimezone(tz)
    return f"{local:%H.%M} {zone_label(local)}"


def format_datetime(instant: datetime, tz: tzinfo) -> str:
    """Rabu, 14 Februari 2024 pukul 09.00 WIB"""
    local = instant.astimezone(tz)
    return f"{format_date(local.date())} pukul {format_time(local, tz)}"


def format_compact(instant: datetime, tz: tzinfo) -> str:
    """2024-02-14 09.00 WIB: short form for tables."""
    local = instant.astimezone(tz)
    return f"{local:%Y-%m-%d %H.%M} {zone_label(local)}"


def countdown(days: int) -> str:
    """H-7 before the day, Hari-H on it, H+1 after."""
    if days > 0:
        return f"H-{days}"
    if days == 0:
        return "Hari-H"
    return f"H+{-days}"


def local_midnight_utc(day: date, tz: tzinfo) -> datetime:
    """The UTC instant at which `day` begins in `tz`."""
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)


def local_date(instant: datetime, tz: tzinfo) -> date:
    return instant.astimezone(tz).date()
