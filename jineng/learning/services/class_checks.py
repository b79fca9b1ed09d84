"""The checks of issue 8 §4 over classes, sessions, teachers and trainees. Refusals raise a
Chinese `ClassConflict`; findings that do not block (the bureau decides) are stored as
`ClassFlag` rows with their evidence.

- a person cannot be in two classes whose sessions overlap (refused);
- a teacher cannot teach two overlapping sessions (refused);
- a part-time teacher (兼职) teaching at CLASSES_PART_TIME_MAX_INSTITUTIONS institutions this
  year is refused at another (XX city text 002 (八): 兼职教师每年最多在 3 家机构任教);
- an institution whose full-time teachers are fewer than CLASSES_FULL_TIME_MIN_RATIO of its
  teachers is flagged (002 (七): 专职教师不少于教师总数的 1/3);
- a second subsidised training of the same person for the same occupation and level within
  CLASSES_DUPLICATE_PERIOD_DAYS is flagged as a duplicate (002 (十九): 不得重复享受培训补贴);
- trainees at or past the retirement age (CLASSES_RETIREMENT_AGE by sex, read on the first
  session's date) or declared full-time students are flagged when the class is subsidised
  (the 2022 national audit found fake trainees who were retirees and students).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import Min, Q, QuerySet
from django.utils import timezone

from jineng.audit.services import audit_record
from jineng.audit.vocabulary import AuditAction, AuditObject
from jineng.learning.errors import ClassConflict
from jineng.learning.models import (
    ClassFlag,
    ClassSession,
    ClassStatus,
    Enrolment,
    FlagKind,
    TrainingClass,
)
from jineng.organisations.models import Teacher, TeacherKind

if TYPE_CHECKING:
    from jineng.identity.models import Person

INACTIVE = (ClassStatus.CANCELLED, ClassStatus.REJECTED)


def _fmt(session: ClassSession) -> str:
    start, end = session.local_start, session.local_end
    return f"{start:%Y-%m-%d %H:%M}–{end:%H:%M}"


def _overlapping(
    others: QuerySet[ClassSession], intervals: Iterable[tuple[dt.datetime, dt.datetime]]
) -> ClassSession | None:
    q = Q()
    for start, end in intervals:
        q |= Q(starts_at__lt=end, ends_at__gt=start)
    if not q:
        return None
    return others.filter(q).select_related("klass").order_by("starts_at").first()


def _intervals(klass: TrainingClass) -> list[tuple[dt.datetime, dt.datetime]]:
    return list(klass.sessions.values_list("starts_at", "ends_at"))


def check_person_free(
    person: Person,
    klass: TrainingClass,
    intervals: list[tuple[dt.datetime, dt.datetime]] | None = None,
) -> None:
    """Refuse when `person` is enrolled in another active class with an overlapping session."""
    others = ClassSession.objects.filter(
        klass__enrolments__person=person, klass__enrolments__status="enrolled"
    ).exclude(klass=klass)
    others = others.exclude(klass__status__in=(*INACTIVE, ClassStatus.COMPLETED))
    clash = _overlapping(others, _intervals(klass) if intervals is None else intervals)
    if clash is not None:
        raise ClassConflict(
            "person",
            f"{person.name}已报名培训班“{clash.klass.name}”，其课次 {_fmt(clash)} "
            "与本班课次时间重叠，同一人不能同时参加两个时间重叠的培训班",
        )


def check_teacher_free(
    teacher_person_id: int,
    klass: TrainingClass,
    intervals: list[tuple[dt.datetime, dt.datetime]] | None = None,
) -> None:
    """Refuse when the teacher (a person) teaches an overlapping session of another class."""
    others = (
        ClassSession.objects.filter(klass__teachers__teacher__person_id=teacher_person_id)
        .exclude(klass=klass)
        .exclude(klass__status__in=INACTIVE)
    )
    clash = _overlapping(others, _intervals(klass) if intervals is None else intervals)
    if clash is not None:
        raise ClassConflict(
            "teacher",
            f"该教师已在培训班“{clash.klass.name}”任教，课次 {_fmt(clash)} 与本班课次时间重叠，"
            "教师不能同时讲授两个时间重叠的课次",
        )


def class_year(klass: TrainingClass) -> int:
    first = klass.sessions.aggregate(m=Min("starts_at"))["m"]
    return timezone.localtime(first).year if first else timezone.localdate().year


def check_part_time_limit(teacher: Teacher, klass: TrainingClass) -> None:
    """Refuse a part-time teacher who already teaches at the maximum of other institutions in
    the class's year (002 (八))."""
    if teacher.kind != TeacherKind.PART_TIME:
        return
    year = class_year(klass)
    limit = int(settings.CLASSES_PART_TIME_MAX_INSTITUTIONS)
    taught = set(
        TrainingClass.objects.filter(teachers__teacher__person_id=teacher.person_id)
        .exclude(status__in=INACTIVE)
        .exclude(provider_id=klass.provider_id)
        .filter(Q(sessions__starts_at__year=year) | Q(sessions__isnull=True, created_at__year=year))
        .values_list("provider_id", flat=True)
    )
    if len(taught) >= limit:
        raise ClassConflict(
            "teacher",
            f"该兼职教师 {year} 年已在 {len(taught)} 家培训机构任教，"
            f"兼职教师每年最多在 {limit} 家机构任教，不能再到本机构授课",
        )


def _flag(
    klass: TrainingClass,
    kind: str,
    reason: str,
    evidence: dict[str, Any],
    enrolment: Enrolment | None = None,
) -> ClassFlag:
    flag = ClassFlag.objects.filter(klass=klass, kind=kind, enrolment=enrolment).first()
    if flag is not None:
        if flag.evidence != evidence or flag.reason != reason:
            flag.evidence, flag.reason = evidence, reason
            flag.save(update_fields=["evidence", "reason"])
        return flag
    flag = ClassFlag.objects.create(
        klass=klass, enrolment=enrolment, kind=kind, reason=reason, evidence=evidence
    )
    audit_record(
        actor=None,
        action=AuditAction.CLASS_FLAG,
        object_type=AuditObject.TRAINING_CLASS,
        object_id=klass.pk,
        after={"flag": flag.pk, "kind": kind, "enrolment": enrolment.pk if enrolment else None},
        reason=reason,
        region=klass.provider.region_id,
    )
    return flag


def flag_full_time_ratio(klass: TrainingClass) -> ClassFlag | None:
    """Flag the class when its provider's current full-time teachers are below the ratio."""
    today = timezone.localdate()
    current = Teacher.objects.filter(organisation_id=klass.provider_id).filter(
        Q(end__isnull=True) | Q(end__gte=today)
    )
    total = current.count()
    full = current.filter(kind=TeacherKind.FULL_TIME).count()
    num, den = settings.CLASSES_FULL_TIME_MIN_RATIO
    if total == 0 or full * den >= total * num:
        ClassFlag.objects.filter(klass=klass, kind=FlagKind.FULL_TIME_RATIO).delete()
        return None
    reason = (
        f"“{klass.provider.name}”现有教师 {total} 名，其中专职教师 {full} 名，"
        f"不足教师总数的 {num}/{den}"
    )
    return _flag(klass, FlagKind.FULL_TIME_RATIO, reason, {"teachers": total, "full_time": full})


def _first_day(klass: TrainingClass) -> dt.date:
    first = klass.sessions.aggregate(m=Min("starts_at"))["m"]
    return timezone.localtime(first).date() if first else timezone.localdate()


def _age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def flag_trainee(enrolment: Enrolment) -> list[ClassFlag]:
    """The flags of one trainee of a subsidised class: duplicate, retired, student."""
    klass = enrolment.klass
    if not klass.subsidised:
        return []
    person = enrolment.person
    day = _first_day(klass)
    flags: list[ClassFlag] = []
    period = dt.timedelta(days=int(settings.CLASSES_DUPLICATE_PERIOD_DAYS))
    earlier = (
        Enrolment.objects.filter(
            person=person,
            klass__subsidised=True,
            klass__occupation_id=klass.occupation_id,
            klass__level=klass.level,
        )
        .exclude(klass=klass)
        .exclude(klass__status__in=INACTIVE)
        .select_related("klass")
    )
    for other in earlier:
        other_day = _first_day(other.klass)
        if abs(other_day - day) <= period:
            reason = (
                f"{person.name}已参加同职业同等级的补贴性培训“{other.klass.name}”"
                f"（{other_day:%Y-%m-%d} 开班），疑似重复享受培训补贴"
            )
            evidence = {"other_class": other.klass_id, "other_start": other_day.isoformat()}
            flags.append(_flag(klass, FlagKind.DUPLICATE, reason, evidence, enrolment))
            break
    if person.birth_date is not None:
        age = _age_on(person.birth_date, day)
        limit = int(settings.CLASSES_RETIREMENT_AGE.get(person.sex or "", 60))
        if age >= limit:
            reason = f"{person.name}开班时 {age} 周岁，已达到法定退休年龄（{limit} 周岁）"
            evidence = {"age": age, "limit": limit, "on": day.isoformat()}
            flags.append(_flag(klass, FlagKind.RETIRED, reason, evidence, enrolment))
    if enrolment.full_time_student:
        reason = f"{person.name}为全日制在校学生，不属于补贴性职业培训对象"
        flags.append(_flag(klass, FlagKind.STUDENT, reason, {"declared": True}, enrolment))
    return flags
