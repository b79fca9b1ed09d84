"""Importing a class roster (花名册) from .xlsx/.csv: one trainee per row, by ID number, with row
errors like the people import (row number, column, masked value, reason in Chinese).

Trainees must already be registered people (the people import registers them). It reuses the
import machinery's reading, header matching and row view; each good row is enrolled through
`class_enrol` (so capacity, overlaps and flags apply exactly as for one enrolment). A dry run
writes nothing; a real run with any bad row and no `skip_bad` writes nothing either.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import transaction

from jineng.core.errors import DomainError
from jineng.identity.crypto import blind_index
from jineng.identity.models import Person
from jineng.imports.machinery import Column, RowView, _map_headers
from jineng.imports.reading import FileInput, UnreadableFile, read_table
from jineng.imports.report import RowIssue
from jineng.learning.models import EnrolmentSource, TrainingClass
from jineng.learning.services.classes import _require, class_enrol
from jineng.learning.states import Party

if TYPE_CHECKING:
    from jineng.identity.models import User

COLUMNS = (
    Column("name", "姓名", required=True, example="张三"),
    Column(
        "id_number",
        "证件号码",
        ("身份证号码", "身份证号"),
        required=True,
        sensitive="id_number",
        note="已在平台登记的人员",
    ),
    Column(
        "student",
        "是否全日制在校学生",
        ("在校学生",),
        note="是 或 否；不填为否",
        example="否",
    ),
)
YES = {"是", "Y", "y", "1", "TRUE", "true"}
NO = {"否", "N", "n", "0", "FALSE", "false", ""}


@dataclass
class RosterReport:
    filename: str
    dry_run: bool
    total_rows: int = 0
    issues: list[RowIssue] = field(default_factory=list)
    written: int = 0
    file_error: str = ""

    @property
    def rejected_rows(self) -> list[int]:
        return sorted({i.row for i in self.issues if i.severity == "error"})


@dataclass
class _Row:
    view: RowView
    person: Person
    student: bool


class _Rollback(Exception):
    pass


def roster_import(
    *,
    actor: User | None,
    klass: TrainingClass,
    file: FileInput,
    filename: str = "",
    dry_run: bool = False,
    skip_bad: bool = False,
) -> RosterReport:
    """Enrol the file's trainees in `klass`; see the module docstring."""
    _require(actor, klass.provider, Party.PROVIDER)
    report = RosterReport(filename=filename, dry_run=dry_run)
    try:
        table, report.filename = read_table(file, filename)
    except UnreadableFile as exc:
        report.file_error = str(exc)
        return report
    headers = _map_headers(table.headers, COLUMNS)
    report.issues = list(headers.issues)
    if headers.missing:
        report.file_error = f"缺少必填列：{'、'.join(headers.missing)}"
        return report
    columns = {c.key: c for c in COLUMNS}
    views: list[RowView] = []
    good: list[_Row] = []
    seen: dict[str, int] = {}
    for source in table.rows:
        row = RowView(
            source.number,
            {
                key: source.cells[index] if index < len(source.cells) else None
                for key, index in headers.positions.items()
            },
            columns,
            headers.written,
        )
        views.append(row)
        for column in COLUMNS:
            if column.required and not row.has(column.key):
                row.error(column.key, "必填项为空")
        number = row.text("id_number").upper()
        student_text = row.text("student")
        if student_text not in YES | NO:
            row.error("student", "应填 是 或 否")
        if row.has_errors:
            continue
        if number in seen:
            row.error("id_number", f"与第{seen[number]}行证件号码重复")
            continue
        seen[number] = row.number
        person = Person.objects.filter(id_number_index=blind_index(number)).first()
        if person is None:
            row.error("id_number", "平台中没有该证件号码的人员，请先登记人员")
            continue
        if person.name != row.text("name"):
            row.error("name", "姓名与该证件号码登记的姓名不一致")
            continue
        good.append(_Row(row, person, student_text in YES))
    report.total_rows = len(views)
    try:
        with transaction.atomic():
            for item in good:
                try:
                    with transaction.atomic():
                        class_enrol(
                            actor=actor,
                            klass=klass,
                            person=item.person,
                            source=EnrolmentSource.ROSTER_IMPORT,
                            full_time_student=item.student,
                        )
                    report.written += 1
                except DomainError as exc:
                    item.view.error("id_number", exc.message)
            report.issues += [issue for row in views for issue in row.issues]
            if dry_run or (report.rejected_rows and not skip_bad):
                raise _Rollback
    except _Rollback:
        report.written = 0
    return report


__all__ = ["COLUMNS", "RosterReport", "roster_import"]
