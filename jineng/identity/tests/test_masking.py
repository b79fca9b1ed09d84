"""Masking: a mask never shows more than the first 4 and last 4 characters of an ID number."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jineng.identity.masking import (
    mask_bank_account,
    mask_id_number,
    mask_phone,
    mask_sensitive,
    mask_text,
)

id_like = st.text(alphabet="0123456789X", min_size=1, max_size=24)
documents = st.text(
    alphabet=st.characters(whitelist_categories=["Lu", "Nd"]), min_size=1, max_size=24
)


def _shown(value: str, masked: str) -> int:
    return sum(1 for a, b in zip(value, masked, strict=True) if b != "*")


@given(documents)
def test_an_id_mask_shows_at_most_the_first_4_and_last_4_characters(value: str) -> None:
    masked = mask_id_number(value)
    assert len(masked) == len(value)
    assert _shown(value, masked) <= 8
    keep = 4 if len(value) >= 15 else 2 if len(value) >= 9 else 1 if len(value) > 1 else 0
    head, tail = masked[:keep], masked[len(value) - keep :] if len(value) >= 9 else ""
    assert head == value[:keep]
    assert tail == (value[-keep:] if len(value) >= 9 else "")
    assert set(masked[keep : len(value) - len(tail)]) <= {"*"}


@given(documents.filter(lambda v: len(v) < 15))
def test_short_documents_show_at_most_half(value: str) -> None:
    assert _shown(value, mask_id_number(value)) * 2 <= len(value)


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("441900198503010015", "4419**********0015"),
        ("11010519491231002X", "1101**********002X"),
        ("E12345678", "E1*****78"),
        ("12345678", "1*******"),
        ("", ""),
    ],
)
def test_id_masks(value: str, masked: str) -> None:
    assert mask_id_number(value) == masked


def test_phone_and_bank_masks() -> None:
    assert mask_phone("13812345678") == "138****5678"
    assert mask_bank_account("6222021234567890123") == "***************0123"


@given(st.from_regex(r"[1-6]\d{16}[0-9X]", fullmatch=True), st.text(max_size=10))
def test_no_id_number_survives_in_free_text(number: str, around: str) -> None:
    text = f"{around} 身份证{number}，{around}"
    masked = mask_text(text)
    assert number not in masked
    assert number[:4] + "*" * 10 + number[-4:] in masked


@given(st.from_regex(r"1[3-9]\d{9}", fullmatch=True))
def test_no_mobile_number_survives_in_free_text(phone: str) -> None:
    assert phone not in mask_text(f"电话:{phone}")


@given(
    st.from_regex(r"\d{17}[0-9X]", fullmatch=True),
    st.from_regex(r"1[3-9]\d{9}", fullmatch=True),
    st.from_regex(r"\d{16,19}", fullmatch=True),
)
def test_sensitive_keys_are_masked_wherever_they_are_nested(
    id_number: str, phone: str, account: str
) -> None:
    doc = {"rows": [{"id_number": id_number, "phone": phone, "bank_account": account}]}
    masked = str(mask_sensitive(doc))
    for value in (id_number, phone, account):
        assert value not in masked
