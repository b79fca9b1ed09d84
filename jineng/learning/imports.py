"""Importing a provider's catalogue from .xlsx/.csv: one draft course per row, with row errors
like the people import (every bad row with its row number, column and reason; a dry run writes
nothing; a real run is one transaction — any bad row and no `skip_bad` writes nothing).

It reuses the import machinery's reading, header matching, cell parsing and report
(jineng.imports) and runs its own small loop, because who may import here is a course rule
(the provider's staff, jineng.learning.access), not an import-scope rule. Imported courses are
drafts: each still goes through review (jineng.learning.states) before workers see it; chapters
and lessons are added afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import DatabaseError, IntegrityError, transaction

from jineng.audit.services import audit_record, audit_record_batch
from jineng.audit.vocabulary import AuditAction, AuditObject
from jineng.identity.masking import mask_text
from jineng.imports.machinery import Column, RowView, _map_headers
from jineng.imports.reading import FileInput, UnreadableFile, read_table
from jineng.imports.report import ImportReport
from jineng.learning.models import Course, CourseFunding, CourseMode, CourseTerm
from jineng.learning.search import index_terms
from jineng.learning.services.catalogue import (
    MAX_PLANNED_HOURS,
    PROVIDER_KINDS,
    _require,
    course_snapshot,
)
from jineng.learning.states import Party
from jineng.organisations.models import Organisation
from jineng.reference.models import Occupation, SkillLevel

if TYPE_CHECKING:
    from jineng.identity.models import User

IMPORT_OBJECT = "imports.courses"
COLUMNS = (
    Column(
        "title",
        "课程名称",
        ("名称",),
        required=True,
        note="不超过200字",
        example="数控车床操作工（初级）培训",
    ),
    Column(
        "occupation",
        "职业",
        ("职业编码", "职业名称"),
        required=True,
        note="2022 年版职业分类大典的职业编码或职业名称",
        example="6-18-01-01",
    ),
    Column(
        "level",
        "等级",
        ("技能等级", "职业技能等级"),
        required=True,
        note="学徒工、初级工（五级）、中级工（四级）、高级工（三级）、技师（二级）、高级技师（一级）",
        example="初级工（五级）",
    ),
    Column(
        "planned_hours",
        "计划学时",
        ("学时",),
        required=True,
        note=f"1 到 {MAX_PLANNED_HOURS} 的整数，1 学时 = 45 分钟",
        example="16",
    ),
    Column(
        "mode",
        "授课方式",
        ("方式",),
        required=True,
        note="线上、线下面授、线上线下结合",
        example="线上",
    ),
    Column("funding", "费用", ("收费",), note="免费或政府补贴；不填为免费", example="免费"),
    Column("description", "课程简介", ("简介",), note="不超过2000字"),
)

LEVEL_ALIASES: dict[str, str] = {
    **{str(label): value for value, label in SkillLevel.choices},
    **{value: value for value in SkillLevel.values},
    "学徒": SkillLevel.APPRENTICE,
    "初级": SkillLevel.ELEMENTARY,
    "五级": SkillLevel.ELEMENTARY,
    "初级工": SkillLevel.ELEMENTARY,
    "中级": SkillLevel.INTERMEDIATE,
    "四级": SkillLevel.INTERMEDIATE,
    "中级工": SkillLevel.INTERMEDIATE,
    "高级": SkillLevel.ADVANCED,
    "三级": SkillLevel.ADVANCED,
    "高级工": SkillLevel.ADVANCED,
    "技师": SkillLevel.TECHNICIAN,
    "二级": SkillLevel.TECHNICIAN,
    "高级技师": SkillLevel.SENIOR_TECHNICIAN,
    "一级": SkillLevel.SENIOR_TECHNICIAN,
}
MODE_ALIASES: dict[str, str] = {
    **{str(label): value for value, label in CourseMode.choices},
    "线下": CourseMode.CLASSROOM,
    "面授": CourseMode.CLASSROOM,
    "混合": CourseMode.BLENDED,
    "线上线下": CourseMode.BLENDED,
    "网络": CourseMode.ONLINE,
    "在线": CourseMode.ONLINE,
}
FUNDING_ALIASES: dict[str, str] = {
    **{str(label): value for value, label in CourseFunding.choices},
    "补贴": CourseFunding.SUBSIDISED,
    "政府补贴培训": CourseFunding.SUBSIDISED,
    "不收费": CourseFunding.FREE,
}


@dataclass
class CourseRow:
    title: str
    occupation: Occupation | None
    level: str
    planned_hours: int
    mode: str
    funding: str
    description: str


class _Occupations:
    def __init__(self) -> None:
        self.by_code: dict[str, Occupation] = {}
        names: dict[str, list[Occupation]] = {}
        for occupation in Occupation.objects.all():
            self.by_code[occupation.code] = occupation
            names.setdefault(occupation.name, []).append(occupation)
        self.by_name = {name: found[0] for name, found in names.items() if len(found) == 1}

    def find(self, value: str) -> Occupation | None:
        return self.by_code.get(value) or self.by_name.get(value)


def _parse(row: RowView, occupations: _Occupations) -> CourseRow:
    title = row.text("title")
    if len(title) > 200:
        row.error("title", "课程名称超过200个字")
    occupation = None
    if row.has("occupation"):
        occupation = occupations.find(row.text("occupation"))
        if occupation is None:
            row.error("occupation", "不是 2022 年版职业分类大典中的职业编码或唯一的职业名称")
    level = LEVEL_ALIASES.get(row.text("level"), "") if row.has("level") else ""
    if row.has("level") and not level:
        row.error("level", "未知的等级（应为 初级工（五级）、中级工（四级）等）")
    hours = 0
    if row.has("planned_hours"):
        raw = row.text("planned_hours")
        if raw.isdigit() and 1 <= int(raw) <= MAX_PLANNED_HOURS:
            hours = int(raw)
        else:
            row.error("planned_hours", f"计划学时应为 1 到 {MAX_PLANNED_HOURS} 的整数")
    mode = MODE_ALIASES.get(row.text("mode"), "") if row.has("mode") else ""
    if row.has("mode") and not mode:
        row.error("mode", "授课方式应为 线上、线下面授 或 线上线下结合")
    funding = CourseFunding.FREE.value
    if row.has("funding"):
        funding = FUNDING_ALIASES.get(row.text("funding"), "")
        if not funding:
            row.error("funding", "费用应为 免费 或 政府补贴")
    description = row.text("description")
    if len(description) > 2000:
        row.error("description", "课程简介超过2000字")
    return CourseRow(title, occupation, level, hours, mode, funding, description)


def _check_duplicates(provider: Organisation, items: list[tuple[RowView, CourseRow]]) -> None:
    first: dict[str, int] = {}
    for row, item in items:
        if item.title in first:
            row.error("title", f"与第{first[item.title]}行课程名称重复")
        else:
            first[item.title] = row.number
    existing = set(
        Course.objects.filter(provider=provider, title__in=list(first)).values_list(
            "title", flat=True
        )
    )
    for row, item in items:
        if item.title in existing:
            row.error("title", f"“{provider.name}”已有同名课程")


@transaction.atomic
def _write(
    *, actor: User | None, provider: Organisation, items: list[CourseRow], filename: str
) -> int:
    courses = [
        Course(
            provider=provider,
            created_by=actor,
            title=i.title,
            description=i.description,
            occupation=i.occupation,
            level=i.level,
            planned_hours=i.planned_hours,
            mode=i.mode,
            funding=i.funding,
        )
        for i in items
    ]
    Course.objects.bulk_create(courses, batch_size=1000)
    terms = [
        CourseTerm(term=term, course=c, published=False)
        for c in courses
        for term in index_terms(c.title, c.description, c.occupation.name)
    ]
    CourseTerm.objects.bulk_create(terms, batch_size=5000)
    audit_record_batch(
        actor=actor,
        action=AuditAction.CREATE,
        object_type=AuditObject.COURSE,
        rows=[(c.pk, None, course_snapshot(c)) for c in courses],
        reason=f"导入 {filename}",
        region=provider.region_id,
    )
    audit_record(
        actor=actor,
        action=AuditAction.IMPORT,
        object_type=IMPORT_OBJECT,
        object_id=filename[:40] or "upload",
        after={"provider": provider.pk, "written": len(courses)},
        region=provider.region_id,
    )
    return len(courses)


def course_import(
    *,
    actor: User | None,
    provider: Organisation,
    file: FileInput,
    filename: str = "",
    dry_run: bool = False,
    skip_bad: bool = False,
) -> ImportReport:
    """Import draft courses of `provider` (its staff, or the system); see the module docstring.
    Raises LearningForbidden before the file is read when the actor may not."""
    _require(actor, course_provider=provider, party=Party.PROVIDER)
    # ImportReport.kind lists the importers of jineng.imports; "courses" is this one.
    report = ImportReport(kind="courses", filename=filename, dry_run=dry_run, skip_bad=skip_bad)
    if provider.kind not in PROVIDER_KINDS:
        report.file_error = f"“{provider.name}”不是培训机构、院校、企业或评价组织，不能开课"
        return report
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
    occupations = _Occupations()
    rows: list[RowView] = []
    parsed: list[tuple[RowView, CourseRow]] = []
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
        rows.append(row)
        for column in COLUMNS:
            if column.required and not row.has(column.key):
                row.error(column.key, "必填项为空")
        item = _parse(row, occupations)
        if not row.has_errors:
            parsed.append((row, item))
    _check_duplicates(provider, parsed)
    report.total_rows = len(rows)
    report.issues += [issue for row in rows for issue in row.issues]
    good = [item for row, item in parsed if not row.has_errors]
    if dry_run or not good or (report.rejected_rows and not skip_bad):
        return report
    try:
        report.written = _write(
            actor=actor, provider=provider, items=good, filename=report.filename
        )
    except (IntegrityError, DatabaseError) as exc:
        report.write_error = f"{type(exc).__name__}: {mask_text(str(exc))[:300]}"
    return report


__all__ = ["COLUMNS", "course_import"]
