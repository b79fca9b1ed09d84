"""Working days: one calendar for every deadline — a class roster filed before the start, the
公示 of exam results, the steps of a claim.

The default calendar is China's: the statutory public holidays AND the adjusted working weekends
(调休 上班日, e.g. Saturday 14 February 2026 before the Spring Festival) from the `holidays` package
(why that one: docs/decisions.md), plus two settings lists that a deployment fills when the State
Council publishes a year the package does not know yet or a city adds a day:
`WORKDAYS_EXTRA_HOLIDAYS` (env `JINENG_WORKDAYS_EXTRA_HOLIDAYS`, the older `JINENG_CLAIMS_HOLIDAYS`
still read) and `WORKDAYS_EXTRA_WORKING_DAYS` (env `JINENG_WORKDAYS_EXTRA_WORKING_DAYS`); an extra
working day wins over a holiday. Callers pass a `WorkCalendar` only to compute on another one
(tests, a plain Monday–Friday week: `WorkCalendar.weekdays_only()`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from functools import lru_cache

__all__ = [
    "WorkCalendar",
    "add_working_days",
    "default_calendar",
    "is_working_day",
    "subtract_working_days",
    "working_days_between",
]

_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class WorkCalendar:
    """Monday to Friday, less `holidays`, plus `working_days` (调休 weekends); with `national`,
    the public holidays and working weekends of China's calendar too (read per year on first use)."""

    holidays: frozenset[dt.date] = frozenset()
    working_days: frozenset[dt.date] = frozenset()
    national: bool = False
    _years: dict[int, tuple[frozenset[dt.date], frozenset[dt.date]]] = field(
        default_factory=dict, compare=False, repr=False
    )

    @classmethod
    def weekdays_only(cls, holidays: Iterable[dt.date] = ()) -> WorkCalendar:
        return cls(holidays=frozenset(holidays))

    def _national(self, year: int) -> tuple[frozenset[dt.date], frozenset[dt.date]]:
        known = self._years.get(year)
        if known is None:
            known = _china_year(year)
            self._years[year] = known
        return known

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.working_days:
            return True
        if day in self.holidays:
            return False
        if self.national:
            off, on = self._national(day.year)
            if day in on:
                return True
            if day in off:
                return False
        return day.weekday() < 5


def _china_year(year: int) -> tuple[frozenset[dt.date], frozenset[dt.date]]:
    """China's days off and working weekends of one year (the `holidays` package)."""
    import holidays as holiday_data

    china = holiday_data.country_holidays("CN", years=year)
    off = frozenset(d for d in china if d.year == year)
    on = frozenset(d for d in getattr(china, "weekend_workdays", ()) if d.year == year)
    return off, on


def _dates(values: Iterable[str]) -> frozenset[dt.date]:
    return frozenset(dt.date.fromisoformat(v.strip()) for v in values if v.strip())


@lru_cache(maxsize=8)
def _calendar(holidays: tuple[str, ...], working: tuple[str, ...]) -> WorkCalendar:
    return WorkCalendar(holidays=_dates(holidays), working_days=_dates(working), national=True)


def default_calendar() -> WorkCalendar:
    """China's calendar with the settings' extra holidays and extra working days."""
    from django.conf import settings

    return _calendar(
        tuple(getattr(settings, "WORKDAYS_EXTRA_HOLIDAYS", ())),
        tuple(getattr(settings, "WORKDAYS_EXTRA_WORKING_DAYS", ())),
    )


def _cal(calendar: WorkCalendar | Collection[dt.date] | None) -> WorkCalendar:
    if calendar is None:
        return default_calendar()
    if isinstance(calendar, WorkCalendar):
        return calendar
    # A bare collection of dates: extra holidays on top of the default calendar.
    base = default_calendar()
    return WorkCalendar(
        holidays=base.holidays | frozenset(calendar),
        working_days=base.working_days,
        national=True,
        _years=base._years,
    )


def is_working_day(
    day: dt.date, calendar: WorkCalendar | Collection[dt.date] | None = None
) -> bool:
    return _cal(calendar).is_working_day(day)


def add_working_days(
    day: dt.date, n: int, calendar: WorkCalendar | Collection[dt.date] | None = None
) -> dt.date:
    """The working day `n` working days after `day` (n ≥ 0; 0 = `day` itself)."""
    cal = _cal(calendar)
    current, left = day, n
    while left > 0:
        current += _DAY
        if cal.is_working_day(current):
            left -= 1
    return current


def subtract_working_days(
    day: dt.date, n: int, calendar: WorkCalendar | Collection[dt.date] | None = None
) -> dt.date:
    """The working day `n` working days before `day` (n ≥ 0; 0 = `day` itself)."""
    cal = _cal(calendar)
    current, left = day, n
    while left > 0:
        current -= _DAY
        if cal.is_working_day(current):
            left -= 1
    return current


def working_days_between(
    start: dt.date, end: dt.date, calendar: WorkCalendar | Collection[dt.date] | None = None
) -> int:
    """Working days strictly after `start` and strictly before `end`."""
    cal = _cal(calendar)
    days, day = 0, start + _DAY
    while day < end:
        days += cal.is_working_day(day)
        day += _DAY
    return days
