"""Properties of the marking rules (`marking_rules`): a settled score lies between the marks it
came from, two close marks never need a third, two far ones always do, the third mark sets the
outlier aside, parts are out of 100, publication ends on a working day."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from jineng.assessment import marking_rules as rules
from jineng.core.workdays import is_working_day

points = st.integers(1, 100).map(Decimal)
margins = st.integers(0, 50).map(Decimal)


@st.composite
def marks_of(draw: st.DrawFn, count: int) -> tuple[Decimal, list[Decimal]]:
    total = draw(points)
    cents = st.integers(0, int(total * 100)).map(lambda c: Decimal(c) / 100)
    return total, [draw(cents) for _ in range(count)]


@given(marks_of(2), margins)
def test_two_marks_settle_iff_within_the_margin(
    case: tuple[Decimal, list[Decimal]], margin: Decimal
) -> None:
    total, (a, b) = case
    settled = rules.settle([a, b], points=total, margin_percent=margin)
    within = abs(a - b) <= total * margin / 100
    assert (settled is not None) == within
    if settled is not None:
        assert min(a, b) <= settled <= max(a, b)
        assert settled == rules.settle([b, a], points=total, margin_percent=margin)


@given(marks_of(3), margins)
def test_a_third_mark_sets_the_outlier_aside(
    case: tuple[Decimal, list[Decimal]], margin: Decimal
) -> None:
    total, (a, b, c) = case
    settled = rules.settle([a, b, c], points=total, margin_percent=margin)
    assert settled is not None
    assert Decimal("0") <= settled <= total
    if rules.needs_third(a, b, points=total, margin_percent=margin):
        nearer = a if abs(a - c) < abs(b - c) else b if abs(b - c) < abs(a - c) else max(a, b)
        assert min(c, nearer) <= settled <= max(c, nearer)
        far = b if nearer == a else a
        # never further from the third mark than the outlier was
        assert abs(settled - c) <= abs(far - c)


@given(marks_of(1), margins)
def test_one_mark_never_settles(case: tuple[Decimal, list[Decimal]], margin: Decimal) -> None:
    total, marks = case
    assert rules.settle(marks, points=total, margin_percent=margin) is None


@given(st.integers(0, 10_000), st.integers(1, 10_000))
def test_part_score_is_out_of_100(earned: int, possible: int) -> None:
    earned = min(earned, possible)
    score = rules.part_score(Decimal(earned), Decimal(possible))
    assert Decimal("0") <= score <= Decimal("100")
    assert (score == 100) == (earned == possible) or abs(
        Decimal(earned) / possible * 100 - score
    ) <= Decimal("0.005")


@given(st.lists(st.integers(0, 10_000).map(lambda c: Decimal(c) / 100), min_size=1, max_size=9))
def test_panel_score_is_between_its_members(scores: list[Decimal]) -> None:
    assert min(scores) <= rules.panel_score(scores) <= max(scores)


@given(st.dates(dt.date(2020, 1, 1), dt.date(2035, 12, 31)), st.integers(1, 30))
def test_publication_ends_on_a_working_day_after_that_many(start: dt.date, days: int) -> None:
    end = rules.working_days_after(start, days)
    assert is_working_day(end)
    between = [start + dt.timedelta(days=n) for n in range(1, (end - start).days + 1)]
    assert sum(1 for d in between if is_working_day(d)) == days
