"""Calendar arithmetic shared by explain and evaluate.

Months are added on the calendar and clamped to the month's last day (2024-01-31 + 1 month =
2024-02-29; 2024-02-29 + 1 year = 2025-02-28), the same as Polars' `dt.offset_by("Nmo")`, which the
vectorised path uses; tests check the two agree.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

EPOCH = date(1970, 1, 1)


@dataclass(frozen=True)
class Duration:
    """years/months/days; months and years are calendar months."""

    years: int = 0
    months: int = 0
    days: int = 0

    @property
    def total_months(self) -> int:
        return self.years * 12 + self.months

    def describe(self) -> str:
        parts = []
        if self.years:
            parts.append(f"{self.years}年")
        if self.months:
            parts.append(f"{self.months}个月")
        if self.days:
            parts.append(f"{self.days}天")
        return "".join(parts) or "0天"


def add_months(d: date, months: int) -> date:
    index = d.year * 12 + (d.month - 1) + months
    year, month0 = divmod(index, 12)
    last = calendar.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(d.day, last))


def add_duration(d: date, duration: Duration, sign: int = 1) -> date:
    """d + duration (sign=-1: d − duration): months first, then days."""
    moved = add_months(d, sign * duration.total_months)
    return moved + timedelta(days=sign * duration.days)


def to_days(d: date) -> int:
    return (d - EPOCH).days


def from_days(n: int) -> date:
    return EPOCH + timedelta(days=n)


def whole_years(born: date, on: date) -> int:
    """Age in whole years on `on` (a 29 February birthday falls on 1 March in common years)."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def polars_offset(duration: Duration, sign: int = 1) -> tuple[str, str]:
    """The two `dt.offset_by` strings (months, then days) equal to add_duration."""
    return f"{sign * duration.total_months}mo", f"{sign * duration.days}d"
