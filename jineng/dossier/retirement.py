"""Statutory retirement date, for the `retired` subject attribute.

Before 2025: men 60, women workers 50 (国发〔1978〕104号). From 2025-01-01 the age rises gradually
(全国人大常委会《关于实施渐进式延迟法定退休年龄的决定》, 2024-09-13): men from 60 to 63 and
women workers from 50 to 55, the original retirement date moving later by one month for every
four months (men) or every two months (women workers) of birth after the start, capped at 36 and
60 months. The dossier does not know whether a woman holds a cadre post (原55岁); the platform's
people are workers, so women are read as workers (50 → 55).
"""

from __future__ import annotations

import datetime as dt

_REFORM_START = dt.date(2025, 1, 1)


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    # retirement falls in the birth month; the day is kept where it exists (29 Feb → 28 Feb)
    for candidate in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def retirement_date(birth_date: dt.date, sex: str) -> dt.date:
    base_years, step, cap = (60, 4, 36) if sex == "M" else (50, 2, 60)
    original = _add_months(birth_date, base_years * 12)
    if original < _REFORM_START:
        return original
    months_after = (original.year - 2025) * 12 + (original.month - 1)
    delay = min(cap, months_after // step + 1)
    return _add_months(original, delay)


def is_retired(birth_date: dt.date | None, sex: str, on: dt.date) -> bool:
    if birth_date is None or sex not in ("M", "F"):
        return False
    return retirement_date(birth_date, sex) <= on
