"""Marking (issue 9 §5): short answers and practical scoring sheets marked anonymously (the
assessor sees the candidate code) and independently by two assessors, a third when they differ by
more than the session's margin (`marking_rules.settle`); the panel review scored by each member."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q, QuerySet

from jineng.assessment import access, marking_rules
from jineng.assessment.errors import AssessmentInvalid
from jineng.assessment.models import (
    ExamSession,
    ExamSetting,
    Mark,
    MarkingTask,
    PanelScore,
    PaperItem,
    Registration,
    RetainedPart,
    SessionStaff,
)
from jineng.assessment.models.sessions import AssessmentPart
from jineng.assessment.services.banks import sheet_of
from jineng.assessment.services.exam import candidate_code
from jineng.audit.services import audit_record
from jineng.audit.vocabulary import AuditAction, AuditObject
from jineng.core.errors import Conflict, Forbidden
from jineng.identity.access import Scope
from jineng.identity.models import User

DEFAULT_MARGIN = Decimal("10")


def _margin(session_id: int) -> Decimal:
    setting = ExamSetting.objects.filter(session_id=session_id).first()
    return setting.margin_percent if setting is not None else DEFAULT_MARGIN


@transaction.atomic
def practical_tasks_create(*, actor: User | None, session: ExamSession) -> int:
    """One practical scoring sheet to mark per registered candidate (the session's practical
    task); returns how many were created now."""
    if not access.can_run_sessions(actor, session.organisation_id):
        raise Forbidden("session", "无权为该考试批次安排阅卷")
    if AssessmentPart.PRACTICAL not in session.parts:
        raise Conflict("session", "该考试批次没有操作技能考核")
    setting = ExamSetting.objects.filter(session=session).select_related("practical_item").first()
    if setting is None or setting.practical_item is None:
        raise Conflict("session", "该考试批次尚未设置操作技能考核试题")
    item = setting.practical_item
    points = sum((c.points for c in sheet_of(item)), Decimal("0"))
    have = set(
        MarkingTask.objects.filter(
            registration__session=session, part=AssessmentPart.PRACTICAL, item=item
        ).values_list("registration_id", flat=True)
    )
    rows = [
        MarkingTask(
            registration=r,
            part=AssessmentPart.PRACTICAL,
            item=item,
            points=points,
            candidate_code=candidate_code(r),
        )
        for r in Registration.objects.filter(session=session)
        .exclude(pk__in=have)
        .exclude(retained__part=AssessmentPart.PRACTICAL)
    ]
    MarkingTask.objects.bulk_create(rows)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type=AuditObject.EXAM_SESSION,
        object_id=session.pk,
        after={"practical_tasks": len(rows)},
        region=session.organisation.region_id,
    )
    return len(rows)


def _decimal(value: Any, field: str) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise AssessmentInvalid(field, "分数应为数字") from None
    if not number.is_finite() or number != number.quantize(Decimal("0.01")):
        raise AssessmentInvalid(field, "分数最多保留两位小数")
    return number


def _sheet_score(task: MarkingTask, criteria: Sequence[Any]) -> tuple[Decimal, list[str]]:
    sheet = sheet_of(task.item)
    if len(criteria) != len(sheet):
        raise AssessmentInvalid("criteria", f"评分表共{len(sheet)}项，请逐项评分")
    total = Decimal("0")
    values: list[str] = []
    for n, (criterion, given) in enumerate(zip(sheet, criteria, strict=True), start=1):
        value = _decimal(given, "criteria")
        if not Decimal("0") <= value <= criterion.points:
            raise AssessmentInvalid(
                "criteria", f"第{n}项「{criterion.criterion}」应在0至{criterion.points}分之间"
            )
        total += value
        values.append(str(value))
    return total, values


@transaction.atomic
def mark_record(
    *,
    actor: User,
    task: MarkingTask,
    score: Any = None,
    criteria: Sequence[Any] | None = None,
) -> Mark:
    """One assessor's mark of one task: a score (short answer) or the sheet's criteria
    (practical; the score is their sum). Each assessor marks a task once; a third mark only when
    the first two differ by more than the margin; the settled score is stored on the task."""
    locked = (
        MarkingTask.objects.select_for_update(of=("self",))
        .select_related("item", "registration__session__organisation")
        .get(pk=task.pk)
    )
    session = locked.registration.session
    if not access.can_mark(actor, session.organisation_id):
        raise Forbidden("task", "无权评阅该考生的作答")
    if actor.person_id is not None and actor.person_id == locked.registration.person_id:
        raise Forbidden("task", "考生本人不能评阅自己的作答")
    if locked.final_score is not None:
        raise Conflict("task", f"考生{locked.candidate_code}的该题已评定，修改成绩须申请更正")
    marks = list(locked.marks.order_by("round"))
    if any(m.assessor_id == actor.pk for m in marks):
        raise Conflict("task", "您已评过该题，每题须由不同考评员独立评分")
    if locked.part == AssessmentPart.PRACTICAL:
        value, values = _sheet_score(locked, criteria or [])
    else:
        value, values = _decimal(score, "score"), []
        if not Decimal("0") <= value <= locked.points:
            raise AssessmentInvalid("score", f"得分应在0至{locked.points}分之间")
    margin = _margin(session.pk)
    mark = Mark.objects.create(
        task=locked, assessor=actor, round=len(marks) + 1, score=value, criteria=values
    )
    final = marking_rules.settle(
        [m.score for m in marks] + [value], points=locked.points, margin_percent=margin
    )
    if final is not None:
        MarkingTask.objects.filter(pk=locked.pk).update(final_score=final)
        if locked.entry_id is not None:
            PaperItem.objects.filter(pk=locked.entry_id).update(score=final)
    audit_record(
        actor=actor,
        action=AuditAction.MARK_RECORD,
        object_type=AuditObject.MARKING_TASK,
        object_id=locked.pk,
        after={
            "round": mark.round,
            "score": str(value),
            "settled": None if final is None else str(final),
        },
        region=session.organisation.region_id,
    )
    return mark


def marking_queue(
    *, user: User, scope: Scope | None = None, third: bool = False
) -> QuerySet[MarkingTask]:
    """Tasks awaiting a mark the user has not given: first and second marks, or (`third`) those
    whose two marks differ by more than the margin. Marks of others are never shown."""
    qs = (
        access.tasks_markable_by(user, scope=scope)
        .filter(final_score__isnull=True)
        .exclude(marks__assessor=user)
        .annotate(mark_count=Count("marks", distinct=True))
    )
    if third:
        return qs.filter(mark_count=2).order_by("candidate_code", "pk")
    return qs.filter(mark_count__lt=2).order_by("candidate_code", "pk")


def marking_counts(*, user: User, scope: Scope | None = None) -> dict[str, int]:
    base = access.tasks_markable_by(user, scope=scope)
    return {
        "open": marking_queue(user=user, scope=scope).count(),
        "third": marking_queue(user=user, scope=scope, third=True).count(),
        "settled": base.filter(~Q(final_score=None)).count(),
    }


def panel_criteria() -> list[tuple[str, Decimal]]:
    """The 综合评审 criteria (name, points; `ASSESSMENT_PANEL_CRITERIA`, sum 100)."""
    return [
        (str(name), Decimal(str(points))) for name, points in settings.ASSESSMENT_PANEL_CRITERIA
    ]


def _panel_total(criteria: Sequence[Any]) -> tuple[Decimal, list[str]]:
    sheet = panel_criteria()
    if len(criteria) != len(sheet):
        raise AssessmentInvalid("criteria", f"综合评审共{len(sheet)}项，请逐项评分")
    total = Decimal("0")
    values: list[str] = []
    for n, ((name, points), given) in enumerate(zip(sheet, criteria, strict=True), start=1):
        value = _decimal(given, "criteria")
        if not Decimal("0") <= value <= points:
            raise AssessmentInvalid("criteria", f"第{n}项「{name}」应在0至{points}分之间")
        total += value
        values.append(str(value))
    return total, values


@transaction.atomic
def panel_score_record(
    *,
    actor: User | None,
    registration: Registration,
    score: Any = None,
    criteria: Sequence[Any] | None = None,
    comment: str = "",
) -> PanelScore:
    """A panel member's score (0–100) of the candidate's 综合评审, once per member: per criterion
    (`panel_criteria`, the score is their sum) or as one figure, with a comment. Only members of
    the session's panel (`SessionStaff`, part panel) score; the part's score is their mean."""
    session = registration.session
    if AssessmentPart.PANEL not in session.parts:
        raise Conflict("registration", "该考试批次没有综合评审")
    if (
        actor is None
        or actor.person_id is None
        or not SessionStaff.objects.filter(
            session=session, part=AssessmentPart.PANEL, person_id=actor.person_id
        ).exists()
    ):
        raise Forbidden("registration", "您不是该考试批次综合评审组成员")
    if actor.person_id == registration.person_id:
        raise Forbidden("registration", "考生本人不能参与自己的综合评审")
    if RetainedPart.objects.filter(registration=registration, part=AssessmentPart.PANEL).exists():
        raise Conflict("registration", "该考生的综合评审成绩已保留，无须再评")
    if criteria is not None:
        value, values = _panel_total(criteria)
    else:
        value, values = _decimal(score, "score"), []
    if not Decimal("0") <= value <= Decimal("100"):
        raise AssessmentInvalid("score", "综合评审得分应在0至100分之间")
    note = (comment or "").strip()
    if len(note) > 500:
        raise AssessmentInvalid("comment", "「评审意见」最多500个字")
    if PanelScore.objects.filter(registration=registration, member=actor).exists():
        raise Conflict("registration", "您已为该考生评分")
    row = PanelScore.objects.create(
        registration=registration, member=actor, score=value, criteria=values, comment=note
    )
    audit_record(
        actor=actor,
        action=AuditAction.MARK_RECORD,
        object_type=AuditObject.EXAM_REGISTRATION,
        object_id=registration.pk,
        after={"panel_score": str(value), "criteria": values},
        region=session.organisation.region_id,
    )
    return row
