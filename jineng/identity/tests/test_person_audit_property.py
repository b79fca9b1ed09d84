"""Property: whatever a person's numbers are, the audit trail never holds them in clear."""

import datetime as dt
import json

from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from jineng.audit.models import AuditEntry
from jineng.identity.services import person_create, person_reveal, person_update
from jineng.identity.testing import make_user, resident_id

births = st.dates(min_value=dt.date(1940, 1, 1), max_value=dt.date(2006, 12, 31))
areas = st.from_regex(r"[1-6][1-9]\d{4}", fullmatch=True)
phones = st.from_regex(r"1[3-9]\d{9}", fullmatch=True)
accounts = st.from_regex(r"62\d{14,17}", fullmatch=True)


class PersonAuditMaskingTests(TestCase):
    @settings(max_examples=40, deadline=None)
    @given(area=areas, birth=births, serial=st.integers(0, 999), phone=phones, account=accounts)
    def test_no_plaintext_in_any_entry(
        self, area: str, birth: dt.date, serial: int, phone: str, account: str
    ) -> None:
        number = resident_id(area=area, birth=birth, serial=serial)
        person = person_create(
            actor=None, name="测试", id_number=number, phone=phone, bank_account=account
        )
        person_update(
            actor=None, person=person, phone="13900000000", bank_account="6200000000000000"
        )
        person_reveal(actor=make_user("sysadmin"), person=person, field="id_number")

        trail = json.dumps(
            list(AuditEntry.objects.values("before", "after", "reason")), ensure_ascii=False
        )
        for secret in (number, phone, account, "13900000000", "6200000000000000"):
            assert secret not in trail
