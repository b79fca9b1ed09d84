"""The training ledger (issue 8 §6): `training_record_issue` writes one `TrainingRecord` and the
`training` fact the policy engine and claims read; `online_course_completed` is the hook the
learning-time service calls when a lesson completes (it issues the record once every lesson of the
course is complete); `training_ledger_export` is the bureau's audited .xlsx.

The fact (docs/policy-schema.md, kind `training`): code = the occupation code, level = the
occupation level, date = the completion date, issuer = the institution; attrs `occupation`,
`hours` (学时), `passed`, `subsidised`, `voucher` (bool: paid with a training voucher),
`institution` (name), `class` (the class reference, "" online), `source` (online | class)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet, Sum
from django.utils import timezone

from jineng.audit.services import audit_record
from jineng.audit.vocabulary import AuditAction, AuditObject
from jineng.core.errors import Conflict, DomainError, Forbidden
from jineng.core.regioncodes import region_prefix
from jineng.core.xlsx import CellValue, Sheet, workbook_bytes
from jineng.dossier.services import fact_append, fact_correct
from jineng.identity.access import Scope, scope_of
from jineng.identity.models import Person
from jineng.learning.access_training import (
    INSTITUTION_ROLES,
    VOUCHER_READ_ROLES,
    training_records_visible_to,
)
from jineng.learning.models import (
    Course,
    CourseFailure,
    CourseFunding,
    Lesson,
    LessonProgress,
    TrainingRecord,
    TrainingResult,
    TrainingSource,
    TrainingVoucher,
)
from jineng.organisations.models import Organisation
from jineng.reference.models import Occupation, SkillLevel

if TYPE_CHECKING:
    from jineng.identity.models import User

FACT_SOURCE = "learning"
MAX_HOURS = 10_000


class TrainingRecordInvalid(DomainError):
    """Bad input for a training record (400, field named)."""


class TrainingRecordExists(Conflict):
    """The training was already recorded (409): a record is written once per source."""


def record_snapshot(record: TrainingRecord) -> dict[str, Any]:
    return {
        "person": record.person_id,
        "occupation": record.occupation_id,
        "level": record.level,
        "hours": record.hours,
        "institution": record.institution_id,
        "completed_on": record.completed_on.isoformat(),
        "result": record.result,
        "subsidised": record.subsidised,
        "source": record.source,
        "source_ref": record.source_ref,
        "fact": record.fact_id,
    }


def _require_recorder(actor: User | None, institution: Organisation) -> None:
    if actor is None:
        return
    scope = scope_of(actor)
    if scope.read_only:
        raise Forbidden("", "审计员只能查看，不能记录培训")
    if scope.is_global or scope.roles_at(institution.pk) & INSTITUTION_ROLES:
        return
    raise Forbidden("institution", f"只有“{institution.name}”的工作人员可以记录该机构的培训")


def _occupation(value: Occupation | str) -> Occupation:
    if isinstance(value, Occupation):
        return value
    found = Occupation.objects.filter(pk=value).first()
    if found is None:
        raise TrainingRecordInvalid("occupation", "不是 2022 年版职业分类大典中的职业编码", value)
    return found


def fact_attrs(record: TrainingRecord, *, voucher: bool) -> dict[str, str | int | bool]:
    return {
        "occupation": record.occupation_id,
        "hours": record.hours,
        "passed": record.result == TrainingResult.PASSED,
        "subsidised": record.subsidised,
        "voucher": voucher,
        "institution": record.institution.name[:100],
        "class": record.class_ref,
        "source": record.source,
    }


@transaction.atomic
def training_record_issue(
    *,
    actor: User | None,
    person: Person,
    occupation: Occupation | str,
    level: str,
    hours: int,
    institution: Organisation,
    completed_on: dt.date,
    result: str,
    subsidised: bool,
    source: str,
    course: Course | None = None,
    class_ref: str = "",
    voucher: TrainingVoucher | None = None,
) -> TrainingRecord:
    """Record one completed training of `person` and append its `training` fact (module
    docstring). Once per source: an online course once per person (`course:<id>`), a class once
    per person and class reference; a second call raises TrainingRecordExists (the unique
    constraint settles a race). With `voucher`, the voucher (verified for this person at this
    institution) is redeemed by this record in the same transaction
    (`jineng.learning.services.vouchers.voucher_redeem`). Actor: the institution's staff, or the
    system (None)."""
    _require_recorder(actor, institution)
    occupation = _occupation(occupation)
    if level not in SkillLevel.values:
        raise TrainingRecordInvalid("level", "未知的等级", level)
    if isinstance(hours, bool) or not isinstance(hours, int) or not 1 <= hours <= MAX_HOURS:
        raise TrainingRecordInvalid("hours", f"学时应为 1 到 {MAX_HOURS} 的整数", hours)
    if result not in TrainingResult.values:
        raise TrainingRecordInvalid("result", "培训结果应为 合格 或 不合格", result)
    if source not in TrainingSource.values:
        raise TrainingRecordInvalid("source", "培训形式应为 在线课程 或 培训班", source)
    if completed_on > timezone.localdate():
        raise TrainingRecordInvalid(
            "completed_on", "结业日期不能晚于今天", completed_on.isoformat()
        )
    class_ref = class_ref.strip()
    if source == TrainingSource.ONLINE:
        if course is None:
            raise TrainingRecordInvalid("course", "在线课程的培训记录须注明课程")
        source_ref = f"course:{course.pk}"
    else:
        if not class_ref:
            raise TrainingRecordInvalid("class_ref", "培训班的培训记录须注明培训班")
        source_ref = class_ref[:100]
    if TrainingRecord.objects.filter(person=person, source=source, source_ref=source_ref).exists():
        raise TrainingRecordExists("source_ref", f"“{person.name}”的这次培训已记入培训档案")
    record = TrainingRecord(
        person=person,
        occupation=occupation,
        level=level,
        hours=hours,
        institution=institution,
        completed_on=completed_on,
        result=result,
        subsidised=subsidised,
        source=source,
        source_ref=source_ref,
        course=course,
        class_ref=class_ref[:100],
        issued_by=actor,
    )
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError as exc:
        raise TrainingRecordExists(
            "source_ref", f"“{person.name}”的这次培训已记入培训档案"
        ) from exc
    record.fact = fact_append(
        actor=actor,
        subject=person,
        kind="training",
        code=occupation.pk,
        level=level,
        date=completed_on,
        issuer=institution,
        region=institution.region_id or "",
        attrs=fact_attrs(record, voucher=voucher is not None),
        source=FACT_SOURCE,
        source_ref=f"training_record:{record.pk}",
    )
    record.save(update_fields=["fact"])
    audit_record(
        actor=actor,
        actor_label=None if actor is not None else "培训档案",
        action=AuditAction.TRAINING_RECORD_ISSUE,
        object_type=AuditObject.TRAINING_RECORD,
        object_id=record.pk,
        after=record_snapshot(record),
        region=person.residence_region_id or "",
    )
    if voucher is not None:
        from jineng.learning.services.vouchers import voucher_redeem

        voucher_redeem(actor=actor, voucher=voucher, training_record=record)
    return record


def record_mark_voucher(*, actor: User | None, record: TrainingRecord) -> None:
    """The record's fact says it was paid with a voucher (a correction appended, when the record
    was written before the voucher was redeemed)."""
    fact = record.fact
    if fact is None or fact.attrs.get("voucher") is True:
        return
    attrs = dict(fact.attrs)
    attrs["voucher"] = True
    record.fact = fact_correct(actor=actor, fact=fact, reason="培训券兑付", attrs=attrs)
    record.save(update_fields=["fact"])


def course_lessons_complete(*, person: Person, course: Course) -> bool:
    """Every lesson of `course` is complete for `person` (≥ LEARNING_COMPLETE_RATIO credited)."""
    lessons = Lesson.objects.filter(chapter__course=course)
    total = lessons.count()
    if total == 0:
        return False
    done = LessonProgress.objects.filter(
        person=person, lesson__in=lessons, completed_at__isnull=False
    ).count()
    return done == total


def _credited_hours(*, person: Person, course: Course) -> int:
    """The 学时 the server verified over the course's lessons (credited time, whole 学时, at least
    one), never more than the course's planned 学时."""
    credited = (
        LessonProgress.objects.filter(person=person, lesson__chapter__course=course).aggregate(
            total=Sum("credited_ms")
        )["total"]
        or 0
    )
    hour_ms = int(settings.LEARNING_HOUR_MINUTES) * 60_000
    return max(1, min(int(course.planned_hours), credited // hour_ms))


def online_course_completed(
    *, person: Person, lesson: Lesson, at: dt.datetime
) -> TrainingRecord | None:
    """Called by the learning-time service when `lesson` completes for `person`: when it was the
    course's last incomplete lesson, the course becomes a training record (once; a failed course,
    jineng.learning.services.checks, never does). Returns the record written, else None."""
    course = Course.objects.select_related("provider", "occupation").get(
        pk=lesson.chapter.course_id
    )
    if CourseFailure.objects.filter(person=person, course=course).exists():
        return None
    if not course_lessons_complete(person=person, course=course):
        return None
    if TrainingRecord.objects.filter(
        person=person, source=TrainingSource.ONLINE, source_ref=f"course:{course.pk}"
    ).exists():
        return None
    return training_record_issue(
        actor=None,
        person=person,
        occupation=course.occupation,
        level=course.level,
        hours=_credited_hours(person=person, course=course),
        institution=course.provider,
        completed_on=timezone.localtime(at).date(),
        result=TrainingResult.PASSED,
        subsidised=course.funding == CourseFunding.SUBSIDISED,
        source=TrainingSource.ONLINE,
        course=course,
    )


def person_training_records(
    *, user: User, person: Person, scope: Scope | None = None
) -> list[TrainingRecord]:
    """The person's training records the user may see, newest first."""
    return list(
        training_records_visible_to(user, scope=scope)
        .filter(person=person)
        .select_related("occupation", "institution", "course", "voucher")
        .order_by("-completed_on", "-id")
    )


def training_ledger(
    *,
    user: User,
    scope: Scope | None = None,
    town: str = "",
    occupation: str = "",
    institution: int | None = None,
) -> QuerySet[TrainingRecord]:
    """The bureau's training ledger (培训台账): records in scope, by town (a region code prefix of
    the trainee's residence), occupation and institution."""
    qs = training_records_visible_to(user, scope=scope).select_related(
        "person", "occupation", "institution", "person__residence_region"
    )
    if town:
        qs = qs.filter(person__residence_region__code__startswith=region_prefix(town))
    if occupation:
        qs = qs.filter(occupation_id=occupation)
    if institution is not None:
        qs = qs.filter(institution_id=institution)
    return qs.order_by("-completed_on", "-id")


LEDGER_HEADER = (
    "姓名",
    "证件号码",
    "居住地",
    "职业",
    "职业编码",
    "等级",
    "学时",
    "培训机构",
    "培训形式",
    "结业日期",
    "培训结果",
    "补贴性培训",
    "使用培训券",
)


def _ledger_rows(records: Iterable[TrainingRecord]) -> Iterator[Sequence[CellValue]]:
    for r in records:
        yield (
            r.person.name,
            r.person.masked_id_number,
            r.person.residence_region.name if r.person.residence_region else "",
            r.occupation.name,
            r.occupation_id,
            r.get_level_display(),
            r.hours,
            r.institution.name,
            r.get_source_display(),
            r.completed_on,
            r.get_result_display(),
            "是" if r.subsidised else "否",
            "是" if getattr(r, "voucher", None) is not None else "否",
        )


def training_ledger_export(
    *,
    actor: User,
    scope: Scope | None = None,
    town: str = "",
    occupation: str = "",
    institution: int | None = None,
) -> bytes:
    """The ledger as .xlsx (ID numbers masked), only to bureau roles, auditors and system
    administrators, scoped to their region; audited with the filters and the row count."""
    scope = scope or scope_of(actor)
    if not (scope.is_global or scope.roles & VOUCHER_READ_ROLES):
        raise Forbidden("", "只有人社局工作人员可以导出培训台账")
    records = training_ledger(
        user=actor, scope=scope, town=town, occupation=occupation, institution=institution
    ).select_related("voucher")
    rows = list(records)
    data = workbook_bytes([Sheet("培训台账", LEDGER_HEADER, _ledger_rows(rows))])
    region = scope.region_prefixes[0] if len(scope.region_prefixes) == 1 else ""
    audit_record(
        actor=actor,
        action=AuditAction.TRAINING_RECORD_EXPORT,
        object_type=AuditObject.TRAINING_RECORD,
        object_id="ledger",
        after={
            "rows": len(rows),
            "town": town,
            "occupation": occupation,
            "institution": institution,
        },
        region=region,
    )
    return data
