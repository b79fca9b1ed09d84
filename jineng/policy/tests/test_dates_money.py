"""The two paths' date and money arithmetic agree (Polars offsets, integer rounding)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from jineng.policy.engine.dates import Duration, add_duration, add_months, whole_years
from jineng.policy.engine.money import apply_percent, apply_ratio, format_yuan, yuan_to_fen
from jineng.policy.engine.vamounts import percent, round_half_up
from jineng.policy.engine.vexpr import offset

dates = st.integers(0, 40 * 366).map(lambda n: date(1990, 1, 1) + timedelta(days=n))


@settings(max_examples=200, deadline=None)
@given(
    st.lists(dates, min_size=1, max_size=20),
    st.integers(-30, 60),
    st.integers(0, 40),
    st.sampled_from([1, -1]),
)
def test_calendar_offsets_agree_with_polars(
    days: list[date], months: int, extra_days: int, sign: int
) -> None:
    duration = Duration(months=abs(months), days=extra_days)
    got = (
        pl.DataFrame({"date": days})
        .select(offset(pl.col("date"), duration, sign))
        .to_series()
        .to_list()
    )
    assert got == [add_duration(d, duration, sign) for d in days]


def test_month_ends_clamp() -> None:
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert whole_years(date(2000, 2, 29), date(2021, 2, 28)) == 20


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 10**12), st.decimals(min_value=0, max_value=500, places=3))
def test_percent_rounding_agrees(fen: int, pct: Decimal) -> None:
    got = pl.DataFrame({"x": [fen]}).select(percent(pl.col("x"), pct)).item()
    assert got == apply_percent(fen, pct)
    num, den = pct.as_integer_ratio()
    assert pl.DataFrame({"x": [fen]}).select(
        round_half_up(pl.col("x"), num, den)
    ).item() == apply_ratio(fen, pct)


def test_half_up_to_the_fen() -> None:
    assert apply_percent(5, Decimal(50)) == 3  # 2.5 → 3
    assert apply_percent(1, Decimal(50)) == 1  # 0.5 → 1
    assert apply_percent(4, Decimal("12.5")) == 1  # 0.5 → 1


def test_yuan_to_fen() -> None:
    assert yuan_to_fen(200000) == 20000000
    assert yuan_to_fen("1234.56") == 123456
    assert yuan_to_fen("0.5") == 50
    for bad in (0.5, -1, "1.234", "20万", True):
        try:
            yuan_to_fen(bad)
        except ValueError:
            continue
        raise AssertionError(f"{bad!r} accepted")


def test_format_yuan() -> None:
    assert format_yuan(50000000) == "¥500,000.00"
    assert format_yuan(123456) == "¥1,234.56"
