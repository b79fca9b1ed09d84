"""Classes (培训班, issue 8 §4): create, plan sessions, assign teachers, enrol trainees, and move
a class through its pipeline (jineng.learning.class_states) up to completion.

Every write is audited. The checks of §4 are in `class_checks`: overlaps and the part-time limit
refuse; the others raise flags for the bureau. Capacity is held by a conditional UPDATE of
`TrainingClass.enrolled` (and a check constraint), so parallel enrolments never overfill a class.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Min
from django.utils import timezone

from jineng.audit.services import audit_record
from jineng.audit.vocabulary import AuditAction, AuditObject
from jineng.core.states import transition
from jineng.core.workdays import working_days_between as working_days_between
from jineng.identity.access import scope_of
from jineng.learning.access import parties_of
from jineng.learning.class_states import CLASS_STATES, PLAN_EDITABLE, step_for
from jineng.learning.errors import ClassConflict, ClassInvalid, LearningForbidden
from jineng.learning.models import (
    Attendance,
    AttendanceKind,
    ClassSession,
    ClassStatus,
    ClassStatusChange,
    ClassTeacher,
    Course,
    CourseStatus,
    Enrolment,
    EnrolmentSource,
    EnrolmentStatus,
    TrainingClass,
    TrainingRecord,
    TrainingResult,
    TrainingSource,
)
from jineng.learning.services import class_checks
from jineng.learning.states import Party
from jineng.organisations.models import Teacher

if TYPE_CHECKING:
    from jineng.identity.models import Person, User


def _require(actor: User | None, klass_provider: Any, party: Party) -> None:
    if actor is None:
        return
    scope = scope_of(actor)
    if party not in parties_of(
        scope, provider_id=klass_provider.pk, provider_region=klass_provider.region_id
    ):
        raise LearningForbidden(
            "",
            "只有培训机构的管理员或教师可以办理本班事务"
            if party == Party.PROVIDER
            else "只有培训机构所在地的人社局审核人员可以审批培训计划",
        )


def _lock(klass: TrainingClass) -> TrainingClass:
    return (
        TrainingClass.objects.select_for_update()
        .select_related("provider", "course", "occupation")
        .get(pk=klass.pk)
    )


def _audit(
    actor: User | None, action: str, obj: str, pk: int, klass: TrainingClass, **after: Any
) -> None:
    audit_record(
        actor=actor,
        action=action,
        object_type=obj,
        object_id=pk,
        after={"class": klass.pk, **after},
        region=klass.provider.region_id,
    )


def _require_plan_editable(klass: TrainingClass) -> None:
    if klass.status not in PLAN_EDITABLE and not (
        not klass.subsidised and klass.status == ClassStatus.TRAINING
    ):
        raise ClassInvalid(
            "status", f"培训班“{klass.name}”{klass.get_status_display()}，不能再修改计划或花名册"
        )


@transaction.atomic
def class_create(
    *,
    actor: User | None,
    course: Course,
    name: str,
    subsidised: bool,
    capacity: int,
    attendance_threshold: int | None = None,
) -> TrainingClass:
    """A new class plan of the course's provider; a subsidised one waits for the bureau."""
    _require(actor, course.provider, Party.PROVIDER)
    if course.status != CourseStatus.PUBLISHED:
        raise ClassInvalid("course", f"课程“{course.title}”尚未发布，不能开班")
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise ClassInvalid("name", "班级名称不能为空，且不能超过 200 个字")
    limit = int(
        settings.CLASSES_SUBSIDISED_MAX_CAPACITY if subsidised else settings.CLASSES_MAX_CAPACITY
    )
    if not isinstance(capacity, int) or not 1 <= capacity <= limit:
        what = "项目制培训班" if subsidised else "培训班"
        raise ClassInvalid("capacity", f"{what}计划人数应为 1 到 {limit} 人", capacity)
    threshold = int(
        settings.CLASSES_ATTENDANCE_THRESHOLD
        if attendance_threshold is None
        else attendance_threshold
    )
    if not 1 <= threshold <= 100:
        raise ClassInvalid("attendance_threshold", "结业出勤率应为 1% 到 100%", threshold)
    klass = TrainingClass.objects.create(
        name=name,
        course=course,
        provider=course.provider,
        occupation=course.occupation,
        level=course.level,
        subsidised=bool(subsidised),
        capacity=capacity,
        attendance_threshold=threshold,
        created_by=actor,
    )
    _audit(
        actor,
        AuditAction.CREATE,
        AuditObject.TRAINING_CLASS,
        klass.pk,
        klass,
        course=course.pk,
        subsidised=klass.subsidised,
        capacity=capacity,
    )
    return klass


@transaction.atomic
def session_add(
    *,
    actor: User | None,
    klass: TrainingClass,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    venue: str,
    lat: float | None = None,
    lng: float | None = None,
) -> ClassSession:
    """Plan a session; refused when it overlaps another session of a trainee or a teacher."""
    klass = _lock(klass)
    _require(actor, klass.provider, Party.PROVIDER)
    _require_plan_editable(klass)
    if ends_at <= starts_at:
        raise ClassInvalid("ends_at", "下课时间必须晚于上课时间")
    if ends_at - starts_at > dt.timedelta(hours=12):
        raise ClassInvalid("ends_at", "一个课次不能超过 12 小时")
    venue = (venue or "").strip()
    if not venue or len(venue) > 200:
        raise ClassInvalid("venue", "上课地点不能为空，且不能超过 200 个字")
    if (lat is None) != (lng is None):
        raise ClassInvalid("lat", "经纬度须同时填写")
    if lat is not None and lng is not None and not (-90 <= lat <= 90 and -180 <= lng <= 180):
        raise ClassInvalid("lat", "经纬度超出范围")
    if klass.sessions.filter(starts_at__lt=ends_at, ends_at__gt=starts_at).exists():
        raise ClassConflict("starts_at", "与本班已有课次时间重叠")
    interval = [(starts_at, ends_at)]
    for enrolment in klass.enrolments.select_related("person"):
        class_checks.check_person_free(enrolment.person, klass, interval)
    for person_id in klass.teachers.values_list("teacher__person_id", flat=True):
        class_checks.check_teacher_free(person_id, klass, interval)
    session = ClassSession.objects.create(
        klass=klass, starts_at=starts_at, ends_at=ends_at, venue=venue, lat=lat, lng=lng
    )
    _audit(
        actor,
        AuditAction.CREATE,
        AuditObject.CLASS_SESSION,
        session.pk,
        klass,
        starts_at=starts_at.isoformat(),
        ends_at=ends_at.isoformat(),
        venue=venue,
    )
    return session


@transaction.atomic
def teacher_assign(*, actor: User | None, klass: TrainingClass, teacher: Teacher) -> ClassTeacher:
    """Assign one of the provider's teachers; refused for overlapping sessions and past the
    part-time limit; flags the class when full-time teachers fall below the ratio."""
    klass = _lock(klass)
    _require(actor, klass.provider, Party.PROVIDER)
    _require_plan_editable(klass)
    if teacher.organisation_id != klass.provider_id:
        raise ClassInvalid("teacher", "只能安排本机构聘任的教师授课")
    if klass.teachers.filter(teacher=teacher).exists():
        raise ClassConflict("teacher", "该教师已在本班授课")
    class_checks.check_teacher_free(teacher.person_id, klass)
    class_checks.check_part_time_limit(teacher, klass)
    assigned = ClassTeacher.objects.create(klass=klass, teacher=teacher)
    _audit(
        actor,
        AuditAction.CREATE,
        AuditObject.CLASS_TEACHER,
        assigned.pk,
        klass,
        teacher=teacher.pk,
        kind=teacher.kind,
    )
    class_checks.flag_full_time_ratio(klass)
    return assigned


def class_enrol(
    *,
    actor: User | None,
    klass: TrainingClass,
    person: Person,
    source: str = EnrolmentSource.INSTITUTION,
    full_time_student: bool = False,
) -> Enrolment:
    """Enrol `person`: by the provider's staff (or a roster import) or by the worker themself.
    Refused when full, already enrolled, or in an overlapping class; flags the trainee (duplicate,
    retired, student) when the class is subsidised."""
    if source not in EnrolmentSource.values:
        raise ClassInvalid("source", "报名方式无效")
    if actor is not None and source == EnrolmentSource.WORKER:
        if actor.person_id != person.pk:
            raise LearningForbidden("person", "劳动者只能为本人报名")
    elif actor is not None:
        _require(actor, klass.provider, Party.PROVIDER)
    try:
        with transaction.atomic():
            return _enrol(actor, klass, person, source, full_time_student)
    except IntegrityError:  # the unique (class, person) settled a race of two enrolments
        raise ClassConflict("person", f"{person.name}已在本班花名册中") from None


def _enrol(
    actor: User | None, klass: TrainingClass, person: Person, source: str, student: bool
) -> Enrolment:
    klass = TrainingClass.objects.select_related("provider").get(pk=klass.pk)
    _require_plan_editable(klass)
    if Enrolment.objects.filter(klass=klass, person=person).exists():
        raise ClassConflict("person", f"{person.name}已在本班花名册中")
    class_checks.check_person_free(person, klass)
    # The seat: one conditional UPDATE, so two parallel enrolments cannot take the last one.
    taken = TrainingClass.objects.filter(pk=klass.pk, enrolled__lt=F("capacity")).update(
        enrolled=F("enrolled") + 1
    )
    if not taken:
        raise ClassConflict("klass", f"培训班“{klass.name}”已满（{klass.capacity} 人）")
    enrolment = Enrolment.objects.create(
        klass=klass, person=person, source=source, full_time_student=bool(student)
    )
    _audit(
        actor,
        AuditAction.CLASS_ENROL,
        AuditObject.ENROLMENT,
        enrolment.pk,
        klass,
        person=person.pk,
        source=source,
    )
    class_checks.flag_trainee(enrolment)
    return enrolment


def _first_start(klass: TrainingClass) -> dt.datetime | None:
    first: dt.datetime | None = klass.sessions.aggregate(m=Min("starts_at"))["m"]
    return first


def _check_step(klass: TrainingClass, target: ClassStatus, now: dt.datetime) -> None:
    first = _first_start(klass)
    if target in (ClassStatus.APPROVED, ClassStatus.TRAINING) and first is None:
        raise ClassInvalid("status", f"培训班“{klass.name}”还没有安排课次")
    if target in (ClassStatus.APPROVED, ClassStatus.TRAINING) and not klass.teachers.exists():
        raise ClassInvalid("status", f"培训班“{klass.name}”还没有安排授课教师")
    if target == ClassStatus.FILED:
        if not klass.enrolments.exists():
            raise ClassInvalid("status", f"培训班“{klass.name}”花名册为空，不能备案")
        assert first is not None  # approved classes have sessions
        need = int(settings.CLASSES_ROSTER_WORKING_DAYS)
        have = working_days_between(
            timezone.localtime(now).date(), timezone.localtime(first).date()
        )
        if have < need:
            raise ClassInvalid(
                "status",
                f"花名册须在开班前至少 {need} 个工作日备案，距首个课次（"
                f"{timezone.localtime(first):%Y-%m-%d}）只有 {have} 个工作日",
            )
    if target == ClassStatus.COMPLETED:
        last = klass.sessions.order_by("-ends_at").values_list("ends_at", flat=True).first()
        if last is not None and last > now:
            raise ClassInvalid("status", "最后一个课次结束后才能结业")


@transaction.atomic
def class_transition(
    *,
    actor: User | None,
    klass: TrainingClass,
    to: str,
    reason: str = "",
    at: dt.datetime | None = None,
) -> TrainingClass:
    """Move `klass` one declared step (class_states.CLASS_STEPS), by a party the step names,
    with a reason where required; history and audit appended. Completion stores each trainee's
    attendance and result."""
    klass = _lock(klass)
    try:
        target = ClassStatus(to)
    except ValueError:
        raise ClassInvalid("status", "培训班状态无效", to) from None
    step = step_for(klass, target)
    if step is None:
        raise CLASS_STATES.refused(klass, klass.status, target, lost_race=False)
    if actor is not None:
        scope = scope_of(actor)
        parties = parties_of(
            scope, provider_id=klass.provider_id, provider_region=klass.provider.region_id
        )
        if not parties & step.parties:
            who = "人社局审核人员" if Party.BUREAU in step.parties else "培训机构"
            raise LearningForbidden("", f"培训班“{klass.name}”的“{step.label}”只能由{who}操作")
    reason = (reason or "").strip()
    if step.reason_required and not reason:
        raise ClassInvalid("reason", f"“{step.label}”须填写理由")
    now = at or timezone.now()
    _check_step(klass, target, now)
    source = klass.status
    fields: dict[str, Any] = {}
    if target == ClassStatus.FILED:
        fields["filed_at"] = now
    if target == ClassStatus.COMPLETED:
        fields["completed_at"] = now
    transition(obj_or_queryset=klass, to=target, actor=actor, reason=reason, **fields)
    ClassStatusChange.objects.create(
        klass=klass, from_status=source, to_status=target, actor=actor, reason=reason, at=now
    )
    if target == ClassStatus.COMPLETED:
        _complete(actor, klass, now)
    if target == ClassStatus.CANCELLED:
        from jineng.learning.services.enrol_self import release_class_vouchers

        release_class_vouchers(actor=actor, klass=klass)
    return klass


def _complete(actor: User | None, klass: TrainingClass, now: dt.datetime) -> None:
    sessions = list(klass.sessions.all())
    total = sum(s.minutes for s in sessions) or 1
    minutes_of = {s.pk: s.minutes for s in sessions}
    attended: dict[int, set[int]] = {}
    for enrolment_id, session_id in Attendance.objects.filter(
        session__klass=klass, kind=AttendanceKind.CHECK_IN
    ).values_list("enrolment_id", "session_id"):
        attended.setdefault(enrolment_id, set()).add(session_id)
    need = klass.attendance_threshold * 10
    for enrolment in klass.enrolments.filter(status=EnrolmentStatus.ENROLLED).select_related(
        "person", "klass"
    ):
        minutes = sum(minutes_of[s] for s in attended.get(enrolment.pk, ()))
        permille = minutes * 1000 // total
        passed = permille >= need
        enrolment.minutes_attended = minutes
        enrolment.attendance_permille = permille
        enrolment.result = TrainingResult.PASSED if passed else TrainingResult.FAILED
        enrolment.status = EnrolmentStatus.COMPLETED if passed else EnrolmentStatus.NOT_COMPLETED
        enrolment.completed_at = now
        enrolment.save(
            update_fields=[
                "minutes_attended",
                "attendance_permille",
                "result",
                "status",
                "completed_at",
            ]
        )
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type=AuditObject.ENROLMENT,
            object_id=enrolment.pk,
            after={
                "minutes_attended": minutes,
                "attendance_permille": permille,
                "result": enrolment.result,
            },
            reason="结业",
            region=klass.provider.region_id,
        )
        record = _on_enrolment_completed(enrolment, sessions)
        if enrolment.voucher_id is not None:
            from jineng.learning.services.enrol_self import settle_voucher

            settle_voucher(enrolment, record)


def class_reference(klass: TrainingClass, sessions: list[ClassSession]) -> str:
    """How a class is named on a training record: its name and the day it opened (a person
    cannot be in two classes whose sessions overlap, so this tells their classes apart)."""
    first = min((s.starts_at for s in sessions), default=None)
    opened = f"（{timezone.localtime(first):%Y年%m月%d日}开班）" if first else ""
    return f"{klass.name[:80]}{opened}"


def _on_enrolment_completed(
    enrolment: Enrolment, sessions: list[ClassSession]
) -> TrainingRecord | None:
    """The trainee's electronic training record and its `training` fact (issue 8 §6): hours are
    the 学时 attended (whole 学时 of LEARNING_HOUR_MINUTES), with the result 合格 or 不合格; an
    enrolment with less than one 学时 attended records nothing (there is no training to record).
    A voucher the trainee enrolled with is then redeemed by the record (or released)."""
    from jineng.learning.services.records import MAX_HOURS, training_record_issue

    hours = min((enrolment.minutes_attended or 0) // int(settings.LEARNING_HOUR_MINUTES), MAX_HOURS)
    if hours < 1 or enrolment.completed_at is None:
        return None
    klass = enrolment.klass
    return training_record_issue(
        actor=None,
        person=enrolment.person,
        occupation=klass.occupation,
        level=klass.level,
        hours=hours,
        institution=klass.provider,
        completed_on=timezone.localdate(enrolment.completed_at),
        result=str(enrolment.result),
        subsidised=klass.subsidised,
        source=TrainingSource.CLASS,
        class_ref=class_reference(klass, sessions),
    )


def class_minutes(klass: TrainingClass) -> int:
    sessions = klass.sessions.all()
    return sum(s.minutes for s in sessions)


def teacher_mark_counts(klass: TrainingClass) -> dict[int, int]:
    """Attendance marked by hand (without a phone), per marking account, for this class."""
    rows = (
        Attendance.objects.filter(session__klass=klass, marked_by__isnull=False)
        .values("marked_by")
        .annotate(n=Count("id"))
    )
    return {int(r["marked_by"]): int(r["n"]) for r in rows}
