"""Dates as the Kalender pages write them (14 Februari 2024, Rabu, 14 Februari 2024,
12 – 18 Februari 2024): plain functions, not template macros, because a month's page
writes a hundred of them."""

from datetime import date

from scheduler.localtime import BULAN, HARI
from scheduler.web.i18n import Translate


class DateWords:
    def __init__(self, _: Translate) -> None:
        self._ = _

    def short(self, d: date, year: bool = True) -> str:
        text = f"{d.day} {self._(BULAN[d.month - 1])}"
        return f"{text} {d.year}" if year else text

    def long(self, d: date) -> str:
        return f"{self._(HARI[d.weekday()])}, {self.short(d)}"

    def range(self, start: date, end: date) -> str:
        if start == end:
            return self.short(start)
        if (start.year, start.month) == (end.year, end.month):
            return f"{start.day} – {self.short(end)}"
        return f"{self.short(start, start.year != end.year)} – {self.short(end)}"
