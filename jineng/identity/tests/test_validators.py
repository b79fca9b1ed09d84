import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jineng.identity.validators import (
    USCC_CHARS,
    IdentifierError,
    is_valid_resident_id,
    is_valid_uscc,
    parse_resident_id,
    resident_id_check_char,
    uscc_check_char,
    validate_uscc,
)

# GB 11643 worked example and a real-format Dongguan number.
KNOWN_GOOD_IDS = ["11010519491231002X", "441900198503010015"]


@pytest.mark.parametrize("number", KNOWN_GOOD_IDS)
def test_known_resident_ids_pass(number: str) -> None:
    assert is_valid_resident_id(number)


def test_birth_date_and_sex_derive_from_the_number() -> None:
    parsed = parse_resident_id("11010519491231002X")
    assert parsed.birth_date == dt.date(1949, 12, 31)
    assert parsed.sex == "F"


def test_impossible_birth_date_is_rejected_with_reason() -> None:
    first17 = "44190019990230123"
    with pytest.raises(IdentifierError, match="出生日期"):
        parse_resident_id(first17 + resident_id_check_char(first17))


def test_abolished_area_code_is_accepted() -> None:
    # 440000-range codes of merged counties stay valid on real cards: only the check digit decides.
    first17 = "44252119800101001"  # 4425xx: the former 汕头/梅县 area codes, long abolished
    assert is_valid_resident_id(first17 + resident_id_check_char(first17))


def test_uscc_known_good() -> None:
    assert validate_uscc("91350100M000100Y43") == "91350100M000100Y43"


def test_uscc_bad_character_names_it() -> None:
    with pytest.raises(IdentifierError, match="非法字符"):
        validate_uscc("91350100M000100I43")


birthdays = st.dates(min_value=dt.date(1940, 1, 1), max_value=dt.date(2008, 12, 31))


@st.composite
def resident_ids(draw: st.DrawFn) -> str:
    area = draw(st.from_regex(r"[1-6][0-9]{5}", fullmatch=True))
    birth = draw(birthdays).strftime("%Y%m%d")
    seq = draw(st.from_regex(r"[0-9]{3}", fullmatch=True))
    first17 = area + birth + seq
    return first17 + resident_id_check_char(first17)


@st.composite
def usccs(draw: st.DrawFn) -> str:
    first17 = "".join(draw(st.lists(st.sampled_from(USCC_CHARS), min_size=17, max_size=17)))
    return first17 + uscc_check_char(first17)


@given(resident_ids(), st.integers(0, 17), st.sampled_from("0123456789X"))
def test_resident_id_single_change_is_caught(number: str, pos: int, char: str) -> None:
    assert is_valid_resident_id(number)
    if number[pos] == char:
        return
    changed = number[:pos] + char + number[pos + 1 :]
    assert not is_valid_resident_id(changed)


@given(resident_ids(), st.integers(0, 16))
def test_resident_id_adjacent_swap_is_caught(number: str, pos: int) -> None:
    a, b = number[pos], number[pos + 1]
    if a == b:
        return
    swapped = number[:pos] + b + a + number[pos + 2 :]
    assert not is_valid_resident_id(swapped)


@given(usccs(), st.integers(0, 17), st.sampled_from(USCC_CHARS))
def test_uscc_single_change_is_caught(code: str, pos: int, char: str) -> None:
    assert is_valid_uscc(code)
    if code[pos] == char:
        return
    assert not is_valid_uscc(code[:pos] + char + code[pos + 1 :])


@given(usccs(), st.integers(0, 16))
def test_uscc_adjacent_swap_is_caught(code: str, pos: int) -> None:
    a, b = code[pos], code[pos + 1]
    if a == b:
        return
    assert not is_valid_uscc(code[:pos] + b + a + code[pos + 2 :])
