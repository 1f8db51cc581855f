"""The one place that says "now". Services take a Clock; tests and demos pass a fixed one."""

import time
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock that stands still until told to move (tests)."""

    def __init__(self, instant: datetime) -> None:
        self._instant = to_utc(instant)

    def now(self) -> datetime:
        return self._instant

    def advance(self, delta: timedelta) -> None:
        self._instant += delta

    def set(self, instant: datetime) -> None:
        self._instant = to_utc(instant)


class ShiftedClock:
    """Starts at a chosen instant and then runs at real speed (--now for demos and workers)."""

    def __init__(self, start: datetime) -> None:
        self._start = to_utc(start)
        self._origin = time.monotonic()

    def now(self) -> datetime:
        return self._start + timedelta(seconds=time.monotonic() - self._origin)


def real_now() -> datetime:
    """The machine's clock, whatever the services were told "now" is: the audit log
    records it beside every event's instant."""
    return datetime.now(UTC)


def make_clock(now: datetime | None) -> Clock:
    return SystemClock() if now is None else ShiftedClock(now)


def to_utc(instant: datetime) -> datetime:
    """Convert an aware datetime to UTC; a naive one is a programming error."""
    if instant.tzinfo is None:
        raise ValueError("naive datetime: every instant must carry its time zone")
    return instant.astimezone(UTC)
