import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jineng.identity.documents import normalise_phone, parse_document
from jineng.identity.errors import ValidationFailed
from jineng.identity.testing import resident_id


@pytest.mark.parametrize(
    ("id_type", "number"),
    [
        ("foreign_permanent", resident_id(area="911156", birth=dt.date(1985, 5, 5), serial=3)),
        ("hmt_residence", resident_id(area="820000", birth=dt.date(1999, 9, 9), serial=4)),
    ],
)
def test_18_digit_permits_derive_birth_date(id_type: str, number: str) -> None:
    document = parse_document(id_type, number)
    assert document.birth_date is not None
    assert document.sex in ("M", "F")


@given(st.from_regex(r"1[3-9]\d{9}", fullmatch=True))
def test_every_mainland_mobile_is_accepted(phone: str) -> None:
    assert normalise_phone(phone) == phone


@given(st.from_regex(r"(1[0-2]\d{9}|[02-9]\d{10}|1[3-9]\d{8}|1[3-9]\d{10})", fullmatch=True))
def test_non_mobiles_are_refused(phone: str) -> None:
    with pytest.raises(ValidationFailed):
        normalise_phone(phone)
