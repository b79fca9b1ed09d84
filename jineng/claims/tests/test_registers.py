"""The generic register import (retired, deceased, students, public staff) for the ghost-trainee
checks: rows checked first with Chinese errors naming the row, ID numbers kept only as their blind
index, imported by the bureau in region only, audited."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied
from openpyxl import Workbook

from jineng.audit.models import AuditEntry
from jineng.claims.models import RegisterEntry, RegisterList
from jineng.claims.services import register_import
from jineng.claims.services.registers import RegisterRejected
from jineng.core.errors import DomainError
from jineng.identity.crypto import blind_index
from jineng.identity.models import Role
from jineng.identity.testing import make_user, resident_id

pytestmark = pytest.mark.django_db
ONE = resident_id(birth=dt.date(1950, 1, 2), serial=11)
TWO = resident_id(birth=dt.date(1960, 3, 4), serial=12)


def csv_bytes(*rows: str) -> bytes:
    return ("身份证号码,起始日期,截止日期\n" + "\n".join(rows) + "\n").encode()


def test_a_csv_register_is_stored_as_blind_indexes_only() -> None:
    officer = make_user(Role.BUREAU_REVIEWER, region="330500")
    register = register_import(
        actor=officer,
        kind="deceased",
        title="2024年死亡人员",
        region="330500",
        data=csv_bytes(f"{ONE},2024-01-05,", f"{TWO},2023/12/01,"),
        filename="deaths.csv",
    )
    entries = RegisterEntry.objects.filter(register=register).order_by("starts_on")
    assert [(e.starts_on, e.ends_on) for e in entries] == [
        (dt.date(2023, 12, 1), None),
        (dt.date(2024, 1, 5), None),
    ]
    assert {e.id_number_index for e in entries} == {blind_index(ONE), blind_index(TWO)}
    entry = AuditEntry.objects.get(action="claim_register_import")
    assert entry.after is not None
    assert ONE not in str(entry.after) and entry.after["rows"] == 2


def test_an_xlsx_register_with_a_bad_row_is_refused_whole_naming_the_row() -> None:
    officer = make_user(Role.BUREAU_APPROVER, region="330500")
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["身份证号码", "起始日期", "截止日期"])
    sheet.append([ONE, dt.date(2020, 9, 1), dt.date(2024, 6, 30)])
    sheet.append(["330502199001011234", "2020-09-01", ""])  # wrong check digit
    sheet.append([TWO, "2024-09-01", "2020-06-30"])  # ends before it starts
    buf = io.BytesIO()
    book.save(buf)
    with pytest.raises(RegisterRejected) as caught:
        register_import(
            actor=officer,
            kind="student",
            title="",
            region="330500",
            data=buf.getvalue(),
            filename="students.xlsx",
        )
    assert [(e.row, e.message) for e in caught.value.errors] == [
        (3, "身份证号码格式或校验位不正确"),
        (4, "截止日期早于起始日期"),
    ]
    assert "第 3 行" in caught.value.message
    assert not RegisterList.objects.exists() and not RegisterEntry.objects.exists()


def test_only_the_bureau_in_region_imports_and_a_file_needs_the_id_column() -> None:
    with pytest.raises(PermissionDenied):
        register_import(
            actor=make_user(Role.BUREAU_REVIEWER, region="330300"),
            kind="retired",
            title="",
            region="330500",
            data=csv_bytes(f"{ONE},,"),
        )
    officer = make_user(Role.BUREAU_REVIEWER, region="330500")
    with pytest.raises(DomainError, match="身份证号码"):
        register_import(
            actor=officer,
            kind="retired",
            title="",
            region="330500",
            data=b"name\nx\n",
            filename="a.csv",
        )
    with pytest.raises(RegisterRejected, match="重复"):
        register_import(
            actor=officer,
            kind="retired",
            title="",
            region="330500",
            data=csv_bytes(f"{ONE},,", f"{ONE},,"),
            filename="a.csv",
        )
    assert not AuditEntry.objects.filter(action="claim_register_import").exists()
