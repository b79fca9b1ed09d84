"""The one working-day calendar (jineng.core.workdays): China's public holidays and 调休 working
weekends from the `holidays` package, plus the settings' extra days."""

from __future__ import annotations

import datetime as dt

from django.test import override_settings
from hypothesis import given
from hypothesis import strategies as st

from jineng.core.workdays import (
    WorkCalendar,
    add_working_days,
    default_calendar,
    is_working_day,
    subtract_working_days,
    working_days_between,
)

DAYS = st.dates(dt.date(2020, 1, 1), dt.date(2027, 12, 31))
# Spring Festival 2026: 15–23 February off (State Council 2025-11), Saturday 14 and 28 at work.
SPRING_FESTIVAL_2026 = [dt.date(2026, 2, d) for d in range(15, 24)]


def test_adjusted_saturday_is_a_working_day_and_spring_festival_is_not() -> None:
    assert is_working_day(dt.date(2026, 2, 14))  # Saturday, 调休 上班
    assert is_working_day(dt.date(2026, 2, 28))  # Saturday, 调休 上班
    for day in SPRING_FESTIVAL_2026:
        assert not is_working_day(day), day
    assert not is_working_day(dt.date(2026, 10, 1))  # National Day
    assert not is_working_day(dt.date(2027, 2, 8))  # Spring Festival 2027 (statutory days)
    assert WorkCalendar.weekdays_only().is_working_day(dt.date(2026, 2, 16))  # plain Mon–Fri


def test_the_spring_festival_week_is_skipped() -> None:
    # Friday 13 February 2026 + 1 working day: Saturday 14th (调休); + 2: Tuesday 24th.
    assert add_working_days(dt.date(2026, 2, 13), 1) == dt.date(2026, 2, 14)
    assert add_working_days(dt.date(2026, 2, 13), 2) == dt.date(2026, 2, 24)
    assert working_days_between(dt.date(2026, 2, 14), dt.date(2026, 2, 24)) == 0


def test_the_settings_add_holidays_and_working_days_and_a_working_day_wins() -> None:
    extra_off, extra_on = dt.date(2026, 6, 1), dt.date(2026, 6, 6)  # a Monday, a Saturday
    assert is_working_day(extra_off) and not is_working_day(extra_on)
    with override_settings(
        WORKDAYS_EXTRA_HOLIDAYS=[extra_off.isoformat(), "2026-02-14"],
        WORKDAYS_EXTRA_WORKING_DAYS=[extra_on.isoformat(), "2026-02-14"],
    ):
        assert not is_working_day(extra_off)
        assert is_working_day(extra_on)
        assert is_working_day(dt.date(2026, 2, 14))
        assert default_calendar().is_working_day(extra_on)


@given(DAYS, st.integers(0, 40))
def test_adding_then_subtracting_returns_to_a_working_day(day: dt.date, n: int) -> None:
    if is_working_day(day):
        assert subtract_working_days(add_working_days(day, n), n) == day


@given(DAYS, st.integers(1, 40))
def test_adding_and_subtracting_never_land_on_a_day_off(day: dt.date, n: int) -> None:
    later, earlier = add_working_days(day, n), subtract_working_days(day, n)
    assert is_working_day(later) and is_working_day(earlier)
    assert later > day > earlier
    assert working_days_between(day, later) == n - 1


@given(DAYS, st.integers(1, 40))
def test_spring_festival_2026_is_never_landed_on(day: dt.date, n: int) -> None:
    assert add_working_days(day, n) not in SPRING_FESTIVAL_2026
    assert subtract_working_days(day, n) not in SPRING_FESTIVAL_2026
