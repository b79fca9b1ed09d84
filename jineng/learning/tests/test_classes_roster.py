"""Roster import (花名册) from .xlsx: good rows enrolled through the same service, bad rows with
their row number, column, masked value and a Chinese reason; all-or-nothing unless skip_bad."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable

import pytest
from openpyxl import Workbook

from jineng.learning.imports_roster import roster_import
from jineng.learning.models import Course, Enrolment, EnrolmentSource, FlagKind
from jineng.learning.tests.class_helpers import make_class, young

pytestmark = pytest.mark.django_db


def xlsx(rows: list[list[str]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_roster_import_enrols_good_rows_and_names_bad_ones(
    make_course: Callable[..., Course],
) -> None:
    klass = make_class(make_course(), days=[dt.date(2026, 6, 1)])
    a, b = young("张三"), young("李四")
    data = xlsx(
        [
            ["姓名", "身份证号码", "是否全日制在校学生"],
            ["张三", a.id_number, "否"],
            ["李四", b.id_number, "是"],
            ["王五", "110101199001011237", ""],
            ["错名", a.id_number, ""],
            ["赵六", b.id_number, "也许"],
        ]
    )
    report = roster_import(actor=None, klass=klass, file=data, filename="花名册.xlsx")
    assert report.written == 0 and Enrolment.objects.count() == 0  # all or nothing
    reasons = {(i.row, i.column): i.reason for i in report.issues}
    assert reasons[(4, "身份证号码")] == "平台中没有该证件号码的人员，请先登记人员"
    assert reasons[(5, "身份证号码")] == "与第2行证件号码重复"
    assert reasons[(6, "是否全日制在校学生")] == "应填 是 或 否"
    assert all(a.id_number not in i.value for i in report.issues)  # masked
    report = roster_import(
        actor=None, klass=klass, file=data, filename="花名册.xlsx", skip_bad=True
    )
    assert report.written == 2
    enrolments = Enrolment.objects.filter(klass=klass)
    assert {e.person.name for e in enrolments} == {"张三", "李四"}
    assert {e.source for e in enrolments} == {EnrolmentSource.ROSTER_IMPORT}
    assert klass.flags.filter(kind=FlagKind.STUDENT).count() == 1


def test_a_roster_without_the_id_column_is_refused(make_course: Callable[..., Course]) -> None:
    klass = make_class(make_course(), days=[dt.date(2026, 6, 1)])
    report = roster_import(
        actor=None, klass=klass, file=xlsx([["姓名"], ["张三"]]), filename="a.xlsx"
    )
    assert report.file_error == "缺少必填列：证件号码"
