"""Real-name checks during online learning (issue 8 §2; models in models/checks.py).

- **Issued** by the heartbeat path (`maybe_issue_check`, called after a credit): once the stream
  has credited a randomly drawn amount since the last check — on average one check per
  LEARNING_DAILY_CAP_HOURS 学时 ÷ LEARNING_CHECKS_PER_DAY, drawn with `secrets` so a plug-in cannot
  predict it — and the person has had fewer than LEARNING_CHECKS_PER_DAY today. The heartbeat
  answers that a check waits; until it is answered nothing is credited.
- **Answered** (`learning_check_answer`) with a live capture compared with the enrolled face
  (`jineng.faces.services.face_check`). Passed: learning goes on. Failed, or not answered within
  LEARNING_CHECK_ANSWER_SECONDS (`check_missed`, found by the next heartbeat or answer): the time
  credited since the last passed check is voided — each segment gets an appended `SegmentVoid`,
  the progress and the day's total are recomputed, a completion below the threshold is undone —
  and LEARNING_CHECK_MAX_FAILURES failed or missed checks in one course fail the learner there
  (`CourseFailure`: no stream of that course opens again).
Every outcome is audited.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from jineng.audit.services import audit_record
from jineng.audit.vocabulary import AuditAction, AuditObject
from jineng.faces.services import face_check
from jineng.identity.models import Person
from jineng.learning import segments as seg
from jineng.learning.errors import HeartbeatInvalid, LearningForbidden
from jineng.learning.models import (
    CheckStatus,
    CourseFailure,
    CreditedSegment,
    DailyLearning,
    LearningCheck,
    LearningStream,
    LessonProgress,
    SegmentVoid,
)

if TYPE_CHECKING:
    from jineng.identity.models import User


def checks_per_day() -> int:
    return max(0, int(settings.LEARNING_CHECKS_PER_DAY))


def draw_next_check_after_ms() -> int | None:
    """Credit (ms) after which the next check is issued: (1 ± jitter) × the mean, unpredictable."""
    per_day = checks_per_day()
    if per_day == 0:
        return None
    mean = int(settings.LEARNING_DAILY_CAP_HOURS) * int(settings.LEARNING_HOUR_MINUTES) * 60_000
    mean //= per_day
    jitter = float(settings.LEARNING_CHECK_JITTER)
    low, high = int(mean * (1 - jitter)), int(mean * (1 + jitter))
    return low + secrets.randbelow(max(1, high - low + 1))


def maybe_issue_check(*, stream_id: int, gained_ms: int, at: datetime) -> LearningCheck | None:
    """After `gained_ms` was credited on the stream (inside the heartbeat's transaction): count it
    and issue a check when the drawn amount is reached and today's checks allow one."""
    if checks_per_day() == 0:
        return None
    LearningStream.objects.filter(pk=stream_id).update(
        credit_since_check_ms=F("credit_since_check_ms") + gained_ms
    )
    stream = LearningStream.objects.select_related("person").get(pk=stream_id)
    if stream.next_check_after_ms is None:
        stream.next_check_after_ms = draw_next_check_after_ms()
        stream.save(update_fields=["next_check_after_ms"])
    if stream.pending_check_id is not None:
        return None
    return issue_check_if_due(
        stream_id=stream_id,
        person_id=stream.person_id,
        lesson_id=stream.lesson_id,
        region=stream.person.residence_region_id or "",
        credit_since_ms=stream.credit_since_check_ms,
        next_after_ms=stream.next_check_after_ms,
        at=at,
    )


def issue_check_if_due(
    *,
    stream_id: int,
    person_id: int,
    lesson_id: int,
    region: str,
    credit_since_ms: int,
    next_after_ms: int | None,
    at: datetime,
) -> LearningCheck | None:
    """Issue a check on the stream (which has no pending one) when its credit since the last
    check reached the drawn amount and today's checks allow one; None otherwise. Called by both
    heartbeat paths with the stream's counters as just updated."""
    if next_after_ms is None or credit_since_ms < next_after_ms:
        return None
    day_start = timezone.localtime(at).replace(hour=0, minute=0, second=0, microsecond=0)
    today = LearningCheck.objects.filter(person_id=person_id, issued_at__gte=day_start)
    if today.count() >= checks_per_day():
        return None
    check = LearningCheck.objects.create(
        person_id=person_id,
        lesson_id=lesson_id,
        stream_id=stream_id,
        issued_at=at,
        due_by=at + timedelta(seconds=int(settings.LEARNING_CHECK_ANSWER_SECONDS)),
    )
    LearningStream.objects.filter(pk=stream_id).update(
        pending_check=check, credit_since_check_ms=0, next_check_after_ms=draw_next_check_after_ms()
    )
    audit_record(
        actor=None,
        actor_label="在线学习计时",
        action=AuditAction.LEARNING_CHECK_ISSUE,
        object_type=AuditObject.LEARNING_CHECK,
        object_id=check.pk,
        after={"person": person_id, "lesson": lesson_id, "due_by": check.due_by},
        region=region,
    )
    return check


def _since_last_passed(person_id: int, before: datetime) -> datetime | None:
    last: datetime | None = (
        LearningCheck.objects.filter(
            person_id=person_id, status=CheckStatus.PASSED, answered_at__lt=before
        )
        .order_by("-answered_at")
        .values_list("answered_at", flat=True)
        .first()
    )
    return last


def _void_since_last_passed(check: LearningCheck, *, at: datetime) -> int:
    """Void every credited, not yet voided segment of the person since the last passed check.
    Returns the voided milliseconds; recomputes progress and the days' totals."""
    since = _since_last_passed(check.person_id, check.issued_at)
    segments = CreditedSegment.objects.filter(person_id=check.person_id, void__isnull=True)
    if since is not None:
        segments = segments.filter(at__gt=since)
    rows = list(segments.values_list("pk", "lesson_id", "start_ms", "end_ms", "day"))
    if not rows:
        return 0
    SegmentVoid.objects.bulk_create(
        [SegmentVoid(segment_id=pk, check_ref=check, at=at) for pk, *_ in rows]
    )
    by_day: dict[date, int] = defaultdict(int)
    for _, _, a, b, day in rows:
        by_day[day] += b - a
    for day, ms in by_day.items():
        DailyLearning.objects.filter(person_id=check.person_id, day=day).update(
            credited_ms=F("credited_ms") - ms
        )
    from jineng.learning.services.learning_time import complete_threshold_ms

    for lesson_id in {lesson for _, lesson, *_ in rows}:
        progress = (
            LessonProgress.objects.select_for_update()
            .select_related("lesson")
            .get(person_id=check.person_id, lesson_id=lesson_id)
        )
        kept = CreditedSegment.objects.filter(
            person_id=check.person_id, lesson_id=lesson_id, void__isnull=True
        ).values_list("start_ms", "end_ms")
        merged = seg.merge([(a, b) for a, b in kept])
        progress.segments = [list(p) for p in merged]
        progress.credited_ms = seg.total(merged)
        if progress.completed_at and progress.credited_ms < complete_threshold_ms(progress.lesson):
            progress.completed_at = None
        progress.save(update_fields=["segments", "credited_ms", "completed_at"])
    return sum(by_day.values())


def _settle(check: LearningCheck, *, status: str, at: datetime, reason: str) -> LearningCheck:
    """Close a pending check as failed or missed: void, maybe fail the course, audit."""
    voided = _void_since_last_passed(check, at=at)
    LearningCheck.objects.filter(pk=check.pk).update(
        status=status, answered_at=at, voided_ms=voided, reason=reason
    )
    LearningStream.objects.filter(pending_check=check).update(
        pending_check=None, last_at=None, last_position_ms=None
    )
    check.refresh_from_db()
    course_id = check.lesson.chapter.course_id
    failures = LearningCheck.objects.filter(
        person_id=check.person_id,
        lesson__chapter__course_id=course_id,
        status__in=[CheckStatus.FAILED, CheckStatus.MISSED],
    ).count()
    failed_course = False
    if failures >= int(settings.LEARNING_CHECK_MAX_FAILURES):
        _, failed_course = CourseFailure.objects.get_or_create(
            person_id=check.person_id,
            course_id=course_id,
            defaults={"at": at, "reason": f"人脸抽查未通过或超时 {failures} 次"},
        )
    audit_record(
        actor=None,
        actor_label="在线学习计时",
        action=AuditAction.LEARNING_CHECK_SETTLE,
        object_type=AuditObject.LEARNING_CHECK,
        object_id=check.pk,
        before={"status": CheckStatus.PENDING},
        after={
            "status": status,
            "voided_ms": voided,
            "reason": reason,
            "course_failed": failed_course,
        },
        region=Person.objects.filter(pk=check.person_id)
        .values_list("residence_region_id", flat=True)
        .first()
        or "",
    )
    return check


def check_missed(check_id: int, *, at: datetime) -> LearningCheck | None:
    """The pending check `check_id`, settled as missed when its time is up (else None)."""
    check = (
        LearningCheck.objects.select_for_update()
        .select_related("lesson__chapter")
        .filter(pk=check_id, status=CheckStatus.PENDING)
        .first()
    )
    if check is None or at <= check.due_by:
        return None
    return _settle(check, status=CheckStatus.MISSED, at=at, reason="未在规定时间内完成人脸核验")


@transaction.atomic
def learning_check_answer(
    *,
    actor: User | None,
    person: Person,
    check: LearningCheck | int,
    image: bytes,
    at: datetime | None = None,
) -> LearningCheck:
    """Answer a pending check with a live capture. Passed: learning goes on. Failed (another
    face, no face) or too late: the time since the last passed check is voided."""
    if actor is not None and actor.person_id != person.pk:
        raise LearningForbidden("", "只能由学员本人完成人脸核验")
    at = at or timezone.now()
    check_id = check if isinstance(check, int) else check.pk
    row = (
        LearningCheck.objects.select_for_update()
        .select_related("lesson__chapter")
        .filter(pk=check_id, person_id=person.pk)
        .first()
    )
    if row is None:
        raise HeartbeatInvalid("check", "人脸抽查不存在")
    if row.status != CheckStatus.PENDING:
        raise HeartbeatInvalid("check", f"该次人脸抽查已{row.get_status_display()}，无需再次核验")
    if at > row.due_by:
        return _settle(row, status=CheckStatus.MISSED, at=at, reason="未在规定时间内完成人脸核验")
    result = face_check(
        person=person,
        image=image,
        purpose="learning_check",
        context=f"learning_check:{row.pk}",
        actor=actor,
    )
    LearningCheck.objects.filter(pk=row.pk).update(face_check=result)
    row.face_check = result
    if not result.matched:
        return _settle(
            row, status=CheckStatus.FAILED, at=at, reason=result.reason or "人脸比对未通过"
        )
    LearningCheck.objects.filter(pk=row.pk).update(status=CheckStatus.PASSED, answered_at=at)
    # Measuring starts again from the next heartbeat: the time at the camera is not learning.
    LearningStream.objects.filter(pending_check=row).update(
        pending_check=None, last_at=None, last_position_ms=None
    )
    audit_record(
        actor=actor,
        action=AuditAction.LEARNING_CHECK_SETTLE,
        object_type=AuditObject.LEARNING_CHECK,
        object_id=row.pk,
        before={"status": CheckStatus.PENDING},
        after={"status": CheckStatus.PASSED},
        region=person.residence_region_id or "",
    )
    row.refresh_from_db()
    return row


def check_is_persons(*, person: Person, check_id: int) -> bool:
    """Whether the check exists and is `person`'s (the endpoints answer 404 otherwise)."""
    return LearningCheck.objects.filter(pk=check_id, person=person).exists()


def course_failed(*, person: Person, course_id: int) -> bool:
    return CourseFailure.objects.filter(person=person, course_id=course_id).exists()
