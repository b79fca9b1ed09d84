"""The national certificate number: generated numbers parse back to their parts; anything not of
the format is refused with a Chinese reason."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jineng.certificates.numbers import (
    NumberInvalid,
    format_number,
    is_valid_number,
    number_prefix,
    parse_number,
)

digits = st.text(alphabet="0123456789", min_size=1, max_size=1)


def _digits(n: int) -> st.SearchStrategy[str]:
    return st.text(alphabet="0123456789", min_size=n, max_size=n)


@given(
    kind=st.sampled_from("YS"),
    agency=_digits(4),
    province=_digits(2),
    site=_digits(6),
    year=st.integers(2000, 2099),
    level=st.sampled_from(["5", "4", "3", "2", "1", "S"]),
    serial=st.integers(1, 999_999),
)
def test_generated_numbers_round_trip(
    kind: str, agency: str, province: str, site: str, year: int, level: str, serial: int
) -> None:
    prefix = number_prefix(
        kind=kind, agency=agency, province=province, site=site, year=year, level=level
    )
    number = format_number(prefix, serial)
    assert len(number) == 22
    parts = parse_number(number)
    assert (parts.kind, parts.agency, parts.province, parts.site) == (kind, agency, province, site)
    assert (parts.year, parts.level, parts.serial) == (f"{year % 100:02d}", level, serial)
    assert str(parts) == number and parts.prefix == prefix
    letters = sum(c.isalpha() for c in number)
    assert letters == (2 if level == "S" else 1)


@given(st.text(max_size=30))
def test_anything_else_is_refused_or_parses_consistently(text: str) -> None:
    try:
        parts = parse_number(text)
    except NumberInvalid as exc:
        assert exc.message and exc.field == "number"
    else:
        assert str(parts) == text.strip().upper()


@given(number=st.from_regex(r"\A[YS]\d{4}\d{2}\d{6}\d{2}[1-5]\d{6}\Z"), position=st.integers(0, 21))
def test_one_character_changed_to_a_letter_breaks_a_digit_position(
    number: str, position: int
) -> None:
    if number.endswith("000000"):
        return
    changed = number[:position] + ("Q" if position else "X") + number[position + 1 :]
    assert not is_valid_number(changed)


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("S12344419000124300000", "22位"),
        ("A123444190001243000001", "Y 或 S"),
        ("S123444190001246000001", "等级位"),
        ("S123444190001243000000", "000000"),
    ],
)
def test_refusals_say_why(value: str, says: str) -> None:
    with pytest.raises(NumberInvalid) as err:
        parse_number(value)
    assert says in err.value.message


def test_chief_technician_and_apprentice_get_no_number() -> None:
    for level in ("C", "A"):
        with pytest.raises(NumberInvalid):
            number_prefix(kind="S", agency="1234", province="44", site="190001", year=2024,
                          level=level)  # fmt: skip


def test_legacy_numbers_only_where_asked() -> None:
    assert is_valid_number("1234567890123456", legacy_ok=True)
    assert not is_valid_number("1234567890123456")
