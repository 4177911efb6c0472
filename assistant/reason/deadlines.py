"""Dates from a norm's period and a day the question names: N calendar days, N working days on the mainland
calendar (official holidays and make-up working days, from chinese-calendar), N days before expiry, the end of a
quarter of the year.

chinese-calendar knows the years the State Council has published; beyond them working days are counted as
Monday–Friday and the answer says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import chinese_calendar

from ..text import month_end
from .norms import Period


@dataclass(frozen=True)
class Deadline:
    day: date
    start: date
    period: Period
    estimated: bool = False  # working days counted past the years the holiday calendar knows


def _is_workday(day: date) -> tuple[bool, bool]:
    """(working day?, known to the calendar?)."""
    try:
        return chinese_calendar.is_workday(day), True
    except NotImplementedError:
        return day.weekday() < 5, False


def add_working_days(start: date, n: int) -> tuple[date, bool]:
    """The n-th working day after ``start`` and whether every day counted was known to the calendar."""
    day, counted, known = start, 0, True
    while counted < n:
        day += timedelta(days=1)
        workday, sure = _is_workday(day)
        known = known and sure
        counted += workday
    return day, not known


def deadline(period: Period, start: date, expiry: date | None = None) -> Deadline | None:
    """The last day a norm allows, counted from ``start`` (the anchor event's day), or back from ``expiry``."""
    if period.number is None:
        return None
    if period.kind == "advance" and expiry is not None:
        return Deadline(expiry - timedelta(days=period.number), expiry, period)
    if period.kind == "yearly":  # 「每年第一季度」: the last day of that quarter of ``start``'s year
        return Deadline(month_end(start.year, 3 * period.number), date(start.year, 1, 1), period)
    if period.kind != "within":
        return None
    if period.unit == "working_day":
        day, estimated = add_working_days(start, period.number)
        return Deadline(day, start, period, estimated)
    if period.unit == "month":
        month = start.month - 1 + period.number
        year, month = start.year + month // 12, month % 12 + 1
        last = month_end(year, month)  # 31 January + 1 month is 28/29 February
        return Deadline(last.replace(day=min(start.day, last.day)), start, period)
    days = period.number * (365 if period.unit == "year" else 1)
    return Deadline(start + timedelta(days=days), start, period)
