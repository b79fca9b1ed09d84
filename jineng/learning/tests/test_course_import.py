"""course_import: a provider's catalogue from .xlsx, every bad row named, all or nothing."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from jineng.audit.models import AuditEntry
from jineng.core.xlsx import CellValue, Sheet, workbook_bytes
from jineng.identity.models import Role, User
from jineng.identity.testing import make_organisation, make_user
from jineng.learning.errors import LearningForbidden
from jineng.learning.imports import course_import
from jineng.learning.models import Course, CourseStatus
from jineng.learning.selectors import course_search
from jineng.organisations.models import Organisation

pytestmark = pytest.mark.django_db

HEADER = ("课程名称*", "职业", "等级", "计划学时", "授课方式", "费用", "课程简介")
GOOD: list[tuple[CellValue, ...]] = [
    ("数控车床操作工（初级）培训", "6-18-01-01", "初级工（五级）", 16, "线上", "免费", "车工入门"),
    ("低压电工作业", "6-31-01-03", "中级", "24", "线下", "政府补贴", ""),
]


def xlsx(rows: Sequence[Sequence[CellValue]], header: tuple[str, ...] = HEADER) -> bytes:
    return workbook_bytes([Sheet("课程", header, rows)])


def test_good_rows_become_draft_courses_of_the_provider(
    provider: Organisation, staff: User
) -> None:
    report = course_import(actor=staff, provider=provider, file=xlsx(GOOD), filename="课程.xlsx")
    assert (report.total_rows, report.written, report.rejected_rows) == (2, 2, [])
    lathe = Course.objects.get(title="数控车床操作工（初级）培训")
    assert (lathe.status, lathe.level, lathe.planned_hours, lathe.mode, lathe.funding) == (
        CourseStatus.DRAFT,
        "5",
        16,
        "online",
        "free",
    )
    electric = Course.objects.get(title="低压电工作业")
    assert (electric.level, electric.mode, electric.funding) == ("4", "classroom", "subsidised")
    assert AuditEntry.objects.filter(object_type="learning.course", action="create").count() == 2
    assert AuditEntry.objects.filter(object_type="imports.courses").count() == 1
    # Drafts are found by their staff, not by workers.
    assert course_search(user=staff, q="电工").total == 1
    assert course_search(user=None, q="电工").total == 0


def test_every_bad_row_is_named_and_nothing_is_written(provider: Organisation, staff: User) -> None:
    rows: list[tuple[CellValue, ...]] = [
        GOOD[0],
        ("", "6-18-01-01", "初级", 8, "线上", "", ""),
        ("焊工", "9-99-99-99", "九级", "八", "电视", "收费", ""),
        GOOD[0],
    ]
    report = course_import(actor=staff, provider=provider, file=xlsx(rows), filename="课程.xlsx")
    assert report.written == 0
    assert report.rejected_rows == [3, 4, 5]
    reasons = {(i.row, i.column): i.reason for i in report.issues}
    assert reasons[(3, "课程名称*")] == "必填项为空"
    assert "职业分类大典" in reasons[(4, "职业")]
    assert "等级" in reasons[(4, "等级")]
    assert "整数" in reasons[(4, "计划学时")]
    assert "授课方式" in reasons[(4, "授课方式")]
    assert "免费" in reasons[(4, "费用")]
    assert "第2行" in reasons[(5, "课程名称*")]
    assert not Course.objects.exists()


def test_skip_bad_writes_the_good_rows_and_a_rerun_is_refused_as_duplicate(
    provider: Organisation, staff: User
) -> None:
    rows: list[tuple[CellValue, ...]] = [*GOOD, ("焊工", "9-99-99-99", "初级", 8, "线上", "", "")]
    report = course_import(actor=staff, provider=provider, file=xlsx(rows), skip_bad=True)
    assert (report.written, report.rejected_rows) == (2, [4])
    again = course_import(actor=staff, provider=provider, file=xlsx(GOOD))
    assert again.written == 0
    assert all("已有同名课程" in i.reason for i in again.issues if i.severity == "error")
    assert Course.objects.count() == 2


def test_dry_run_writes_nothing(provider: Organisation, staff: User) -> None:
    report = course_import(actor=staff, provider=provider, file=xlsx(GOOD), dry_run=True)
    assert (report.total_rows, report.written, report.rejected_rows) == (2, 0, [])
    assert not Course.objects.exists()


def test_a_missing_required_column_is_a_file_error(provider: Organisation, staff: User) -> None:
    report = course_import(
        actor=staff, provider=provider, file=xlsx([("车工", "6-18-01-01")], ("课程名称", "职业"))
    )
    assert "等级" in report.file_error and "授课方式" in report.file_error
    assert not Course.objects.exists()


def test_staff_of_another_organisation_and_workers_are_refused(provider: Organisation) -> None:
    actors = (make_user(Role.ORG_ADMIN, organisation=make_organisation()), make_user(Role.WORKER))
    audits = AuditEntry.objects.count()
    for actor in actors:
        with pytest.raises(LearningForbidden):
            course_import(actor=actor, provider=provider, file=xlsx(GOOD))
    assert not Course.objects.exists()
    assert AuditEntry.objects.count() == audits
