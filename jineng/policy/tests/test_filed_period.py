"""不超过备案期限 (001 art. 9): months of actual training are held to the filed period.

`at_most: attrs.filed_months` on a `per_unit` or `monthly` amount: the count used is
min(count, filed months); a record without a filed period cannot be priced (condition_failed,
never the uncapped amount). Every case runs through explain and evaluate (support.both)."""

from __future__ import annotations

import tempfile
from datetime import date
from functools import cache
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from jineng.policy.engine.facts import AttrValue, Fact, SubjectFacts
from jineng.policy.engine.loader import DATA_DIR, load_policies
from jineng.policy.engine.model import Policies
from jineng.policy.tests.support import both, ents, subject

CAPPED = """
document: {id: zf-doc, prefix: zf, title: T, issuer: I, jurisdiction: '99', source: s,
           status: in_force, effective: {from: 2020-01-01, to: null}}
items:
  - id: zf.per_unit
    title: t
    kind: money
    citation: {file: f, quote: q}
    beneficiary: enterprise
    trigger: {kind: apprenticeship}
    amount: {form: per_unit, value: 500, count: attrs.months, at_most: attrs.filed_months}
  - id: zf.monthly
    title: t
    kind: money
    citation: {file: f, quote: q}
    beneficiary: enterprise
    trigger: {kind: apprenticeship}
    amount: {form: monthly, value: 100, months: attrs.months, at_most: attrs.filed_months}
"""


@cache
def capped() -> Policies:
    path = Path(tempfile.mkdtemp(prefix="zf-")) / "zf.yaml"
    path.write_text(CAPPED, encoding="utf-8")
    return load_policies([DATA_DIR / "national_base.yaml", path])


def _enterprise(months: int, filed: int | None) -> list[SubjectFacts]:
    attrs: dict[str, AttrValue] = {"months": months}
    if filed is not None:
        attrs["filed_months"] = filed
    record = Fact(
        id="F1",
        kind="apprenticeship",
        date=date(2022, 3, 1),
        code="6-18-01-01",
        level=None,
        amount_fen=None,
        attrs=attrs,
    )
    return [
        subject(
            "E1",
            [record],
            kind="enterprise",
            region="990001",
        )
    ]


@settings(max_examples=40, deadline=None)
@given(months=st.integers(1, 120), filed=st.integers(1, 120))
def test_months_paid_never_exceed_the_filed_period(months: int, filed: int) -> None:
    x = both(_enterprise(months, filed), "2030-01-01", capped())["E1"]
    held = min(months, filed)
    (per_unit,) = ents(x, "zf.per_unit")
    (monthly,) = ents(x, "zf.monthly")
    assert (str(per_unit.status), per_unit.fen) == ("paid", held * 500 * 100)
    assert (str(monthly.status), monthly.fen) == ("paid", held * 100 * 100)


def test_beyond_the_filed_period_the_explanation_says_which_months_count() -> None:
    x = both(_enterprise(30, 24), "2030-01-01", capped())["E1"]
    (per_unit,) = ents(x, "zf.per_unit")
    assert per_unit.fen == 24 * 500 * 100
    assert "实际 30" in per_unit.branch and "24 为限" in per_unit.branch


def test_without_a_filed_period_nothing_is_counted() -> None:
    x = both(_enterprise(30, None), "2030-01-01", capped())["E1"]
    for item in ("zf.per_unit", "zf.monthly"):
        (line,) = ents(x, item)
        assert (str(line.status), line.fen) == ("condition_failed", 0)
        assert "filed_months" in line.reason


def test_a_zero_filed_period_counts_nothing() -> None:
    x = both(_enterprise(12, 0), "2030-01-01", capped())["E1"]
    (line,) = ents(x, "zf.monthly")
    assert (str(line.status), line.fen) == ("condition_failed", 0)


def test_the_catalogue_says_the_count_is_held_to_the_filed_period() -> None:
    from jineng.policy.engine import model as m
    from jineng.policy.selectors import describe_amount

    text = describe_amount(
        m.PerUnit(value=50000, count="attrs.months", at_most="attrs.filed_months")
    )
    assert "不超过备案月数" in text
    assert "attrs" not in text
