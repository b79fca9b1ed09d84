"""The item form's text (answers, scoring sheets) reads back what it wrote: whatever a new
version's form is prefilled with is accepted unchanged."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from jineng.assessment.models import ItemKind
from jineng.assessment.services.banks import _clean_sheet
from jineng.assessment.services.manage import (
    answer_as_text,
    answer_from_text,
    sheet_as_text,
    sheet_from_text,
)

WORD = st.text(alphabet="安全尺寸精度工具护目镜超差一处ABC", min_size=1, max_size=8)
POINTS = st.decimals(min_value=Decimal("0.5"), max_value=Decimal("100"), places=1)


@given(st.integers(min_value=0, max_value=7))
def test_single_choice_round_trips(index: int) -> None:
    assert answer_from_text(ItemKind.SINGLE, answer_as_text(ItemKind.SINGLE, index)) == index


@given(st.lists(st.integers(min_value=0, max_value=7), min_size=2, max_size=8, unique=True))
def test_multiple_choice_round_trips(picks: list[int]) -> None:
    text = answer_as_text(ItemKind.MULTIPLE, sorted(picks))
    assert answer_from_text(ItemKind.MULTIPLE, text) == sorted(picks)


@given(st.booleans())
def test_true_false_round_trips(value: bool) -> None:
    assert (
        answer_from_text(ItemKind.TRUE_FALSE, answer_as_text(ItemKind.TRUE_FALSE, value)) is value
    )


@given(st.lists(st.lists(WORD, min_size=1, max_size=3), min_size=1, max_size=4))
def test_fill_in_round_trips(blanks: list[list[str]]) -> None:
    text = answer_as_text(ItemKind.FILL_IN, blanks)
    assert answer_from_text(ItemKind.FILL_IN, text) == blanks


@given(
    st.lists(
        st.tuples(WORD, POINTS, st.lists(st.tuples(WORD, POINTS), max_size=3)),
        min_size=1,
        max_size=4,
    )
)
def test_a_scoring_sheet_round_trips(
    rows: list[tuple[str, Decimal, list[tuple[str, Decimal]]]],
) -> None:
    text = "\n".join(
        "|".join([name, str(points), *(f"{r}:{p}" for r, p in deductions)])
        for name, points, deductions in rows
    )
    parsed = sheet_from_text(text)
    assert [c.criterion for c in parsed] == [name for name, _, _ in rows]
    assert [c.points for c in parsed] == [points for _, points, _ in rows]
    stored = [
        {"criterion": c.criterion, "points": str(c.points),
         "deductions": [{"reason": d.reason, "points": str(d.points)} for d in c.deductions]}
        for c in parsed
    ]  # fmt: skip
    assert sheet_from_text(sheet_as_text(stored)) == parsed


def test_the_form_sheet_is_what_the_service_accepts() -> None:
    rows = _clean_sheet(ItemKind.PRACTICAL, sheet_from_text("尺寸精度|60|超差一处:10"))
    assert rows == [
        {
            "criterion": "尺寸精度",
            "points": "60",
            "deductions": [{"reason": "超差一处", "points": "10"}],
        }
    ]
