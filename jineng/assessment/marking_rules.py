"""The marking rules as pure functions (no database), so the property tests can prove them.

- Two assessors mark each short answer and practical sheet independently. When their marks differ
  by no more than the margin (a share of the item's points), the item scores their mean; when they
  differ by more, a third assessor marks it, and the item scores the mean of the third mark and
  whichever of the first two is nearer to it (the nearer higher one on a tie) — the usual 三评
  practice: the outlying mark is set aside.
- Each part is out of 100: points earned ÷ points possible × 100, to two decimals, half up.
- The panel review (综合评审) scores the mean of its members' scores.
- Publication (公示) lasts a number of working days of the common calendar (`jineng.core.workdays`:
  China's public holidays and 调休 working weekends, plus the settings' extra days).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

from jineng.core.workdays import add_working_days

CENT = Decimal("0.01")
HUNDRED = Decimal("100")


def _q(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def margin_points(points: Decimal, margin_percent: Decimal) -> Decimal:
    """The largest difference between two marks that needs no third assessor."""
    return points * margin_percent / HUNDRED


def needs_third(
    first: Decimal, second: Decimal, *, points: Decimal, margin_percent: Decimal
) -> bool:
    return abs(first - second) > margin_points(points, margin_percent)


def settle(marks: Sequence[Decimal], *, points: Decimal, margin_percent: Decimal) -> Decimal | None:
    """The item's score from its marks in round order; None while another mark is needed."""
    if len(marks) < 2:
        return None
    first, second = marks[0], marks[1]
    if not needs_third(first, second, points=points, margin_percent=margin_percent):
        return _q((first + second) / 2)
    if len(marks) < 3:
        return None
    third = marks[2]
    nearer = min((first, second), key=lambda m: (abs(m - third), -m))
    return _q((third + nearer) / 2)


def part_score(earned: Decimal, possible: Decimal) -> Decimal:
    """Points earned as a score out of 100."""
    if possible <= 0:
        return Decimal("0.00")
    return _q(earned * HUNDRED / possible)


def panel_score(scores: Sequence[Decimal]) -> Decimal:
    if not scores:
        raise ValueError("综合评审还没有评分")
    return _q(sum(scores, Decimal("0")) / len(scores))


def working_days_after(start: dt.date, days: int) -> dt.date:
    """The date `days` working days (the common calendar) after `start`."""
    return add_working_days(start, days)
