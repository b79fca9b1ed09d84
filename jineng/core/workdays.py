"""Working days: Monday to Friday, less the holidays a caller passes (the platform keeps no
holiday calendar of its own; claims reads `CLAIMS_HOLIDAYS`). One calendar for every deadline —
a class roster filed before the start, the 公示 of exam results, the steps of a claim."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

__all__ = ["add_working_days", "is_working_day", "subtract_working_days", "working_days_between"]

_DAY = dt.timedelta(days=1)


def is_working_day(day: dt.date, holidays: Collection[dt.date] = ()) -> bool:
    return day.weekday() < 5 and day not in holidays


def add_working_days(day: dt.date, n: int, holidays: Collection[dt.date] = ()) -> dt.date:
    """The working day `n` working days after `day` (n ≥ 0; 0 = `day` itself)."""
    current, left = day, n
    while left > 0:
        current += _DAY
        if is_working_day(current, holidays):
            left -= 1
    return current


def subtract_working_days(day: dt.date, n: int, holidays: Collection[dt.date] = ()) -> dt.date:
    """The working day `n` working days before `day` (n ≥ 0; 0 = `day` itself)."""
    current, left = day, n
    while left > 0:
        current -= _DAY
        if is_working_day(current, holidays):
            left -= 1
    return current


def working_days_between(start: dt.date, end: dt.date, holidays: Collection[dt.date] = ()) -> int:
    """Working days strictly after `start` and strictly before `end`."""
    days, day = 0, start + _DAY
    while day < end:
        days += is_working_day(day, holidays)
        day += _DAY
    return days
