"""Cadences: crontab expressions in local time, expanded with APScheduler's CronTrigger.

Day-of-week numbers follow crontab (0 and 7 are Sunday), not APScheduler 3.x's own
numbering (0 is Monday), so we translate them to names before APScheduler sees them.
Names must be exact (`mon` or `monday`, any case): `monkey` is a typo, not Monday.
"""

from collections.abc import Iterator
from datetime import datetime, timedelta, tzinfo

from apscheduler.triggers.cron import CronTrigger

_DAY_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
_FULL_DAY_NAMES = ("sunday", "monday", "tuesday", "wednesday", "thursday", "friday",
                   "saturday")
_TINY = timedelta(microseconds=1)


def cron_trigger(expr: str, tz: tzinfo) -> CronTrigger:
    """Build a trigger from a 5-field crontab expression; ValueError says what is wrong."""
    if not expr.isascii():  # APScheduler would read Arabic-Indic digits as numbers
        raise ValueError(f"cron hanya boleh berisi huruf, angka dan tanda ASCII: {expr!r}")
    fields = expr.split()
    if len(fields) != 5:
        raise ValueError(
            f"cron harus 5 kolom (menit jam tanggal bulan hari), bukan {len(fields)}: {expr!r}")
    minute, hour, day, month, weekday = fields
    try:
        return CronTrigger(
            minute=minute, hour=hour, day=day, month=month,
            day_of_week=_crontab_weekdays(weekday), timezone=tz,
        )
    except ValueError as exc:
        raise ValueError(f"cron tidak valid {expr!r}: {exc}") from None


def fire_times(trigger: CronTrigger, start: datetime, end: datetime) -> Iterator[datetime]:
    """Every fire time t with start <= t < end (aware datetimes, in the trigger's zone)."""
    fire = trigger.get_next_fire_time(None, start)
    while fire is not None and fire < end:
        yield fire
        fire = trigger.get_next_fire_time(fire, fire + _TINY)


def _crontab_weekdays(field: str) -> str:
    if field in ("*", "?"):
        return "*"
    days: set[int] = set()
    for part in field.lower().split(","):  # lower(): MON and Mon are mon
        body, _, step_text = part.partition("/")
        step = _step(step_text, part) if step_text else 1
        if body == "*":
            first, last = 0, 6
        elif "-" in body:
            low, _, high = body.partition("-")
            first, last = _weekday(low, part), _weekday(high, part)
            if last == 0 and high.strip() == "7":
                last = 7
        else:
            first = last = _weekday(body, part)
            if step_text:
                last = 6
        if last < first:
            raise ValueError(f"rentang hari terbalik: {part!r}")
        days.update(d % 7 for d in range(first, last + 1, step))
    return ",".join(_DAY_NAMES[d] for d in sorted(days))


def _weekday(text: str, part: str) -> int:
    """A day as crontab writes it: sun..sat or sunday..saturday (the field is already
    lower case), or 0-7."""
    if text in _DAY_NAMES:
        return _DAY_NAMES.index(text)
    if text in _FULL_DAY_NAMES:
        return _FULL_DAY_NAMES.index(text)
    if not text.isdigit():
        raise ValueError(f"hari tidak dikenal: {text!r} (pakai 0-7, sun-sat atau "
                         "sunday-saturday)")
    number = int(text)
    if not 0 <= number <= 7:
        raise ValueError(f"hari harus 0-7 atau sun-sat: {part!r}")
    return number


def _step(text: str, part: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise ValueError(f"langkah harus bilangan bulat 1 atau lebih: {part!r}")
    return int(text)
