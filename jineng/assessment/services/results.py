"""Results (issue 9 §5): each part out of 100 against its pass mark, compiled once everything is
marked; changed afterwards only by a correction another person approves; reviewed by the
organisation, published (公示) for `ASSESSMENT_PUBLICATION_WORKING_DAYS` working days with
objections recorded and answered, then final. `final_passes` is what certificates issue from."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from jineng.assessment import access, marking_rules
from jineng.assessment.errors import AssessmentInvalid
from jineng.assessment.models import (
    Attempt,
    AttemptStatus,
    CorrectionStatus,
    ExamSession,
    MarkingTask,
    Objection,
    ObjectionStatus,
    PanelScore,
    PartResult,
    PassMark,
    PublicationStatus,
    Registration,
    ResultPublication,
    RetainedPart,
    ScoreCorrection,
)
from jineng.assessment.models.sessions import AssessmentPart
from jineng.assessment.services.sessions import staffing_rule
from jineng.audit.services import audit_record
from jineng.audit.vocabulary import AuditAction, AuditObject
from jineng.core.errors import Conflict, Forbidden, Unprocessable
from jineng.core.states import transition
from jineng.identity.models import Person, User
from jineng.reference.models import Occupation

HUNDRED = Decimal("100")


def pass_mark_for(*, occupation: Occupation, part: str) -> Decimal:
    row = PassMark.objects.filter(occupation=occupation, part=part).first()
    if row is not None:
        return row.pass_mark
    return Decimal(str(settings.ASSESSMENT_PART_PASS_MARK))


def _theory_score(registration: Registration) -> Decimal:
    """Objective and marked items of the paper, out of 100; absent (no attempt) scores 0."""
    attempt = Attempt.objects.filter(registration=registration).select_related("paper").first()
    if attempt is None or attempt.paper is None:
        return Decimal("0.00")
    totals = attempt.paper.entries.aggregate(possible=Sum("points"), earned=Sum("score"))
    return marking_rules.part_score(
        totals["earned"] or Decimal("0"), totals["possible"] or Decimal("0")
    )


def _practical_score(registration: Registration) -> Decimal:
    totals = MarkingTask.objects.filter(
        registration=registration, part=AssessmentPart.PRACTICAL
    ).aggregate(possible=Sum("points"), earned=Sum("final_score"))
    return marking_rules.part_score(
        totals["earned"] or Decimal("0"), totals["possible"] or Decimal("0")
    )


def _pending(session: ExamSession) -> list[str]:
    problems: list[str] = []
    regs = Registration.objects.filter(session=session)
    if AssessmentPart.THEORY in session.parts:
        running = Attempt.objects.filter(registration__in=regs).exclude(
            status=AttemptStatus.SUBMITTED
        )
        if running.exists():
            problems.append(f"还有{running.count()}名考生的理论考试未交卷")
    open_tasks = MarkingTask.objects.filter(registration__in=regs, final_score__isnull=True)
    if open_tasks.exists():
        problems.append(f"还有{open_tasks.count()}份作答未评定")
    if (
        AssessmentPart.PRACTICAL in session.parts
        and not MarkingTask.objects.filter(
            registration__in=regs, part=AssessmentPart.PRACTICAL
        ).exists()
    ):
        problems.append("操作技能考核尚未安排阅卷")
    if AssessmentPart.PANEL in session.parts:
        need = max(1, staffing_rule(occupation=session.occupation, part="panel").minimum)
        sitting = regs.exclude(retained__part=AssessmentPart.PANEL)
        short = [r.pk for r in sitting if PanelScore.objects.filter(registration=r).count() < need]
        if short:
            problems.append(f"还有{len(short)}名考生的综合评审评分不足{need}人")
    return problems


@transaction.atomic
def results_compile(*, actor: User | None, session: ExamSession) -> ResultPublication:
    """Each registration's part results once every part is marked (`Unprocessable` naming what
    is still open); the session's results then await the organisation's review."""
    if not access.can_run_sessions(actor, session.organisation_id):
        raise Forbidden("session", "无权汇总该考试批次的成绩")
    session = ExamSession.objects.select_for_update().get(pk=session.pk)
    if ResultPublication.objects.filter(session=session).exists():
        raise Conflict("session", "该考试批次的成绩已汇总")
    problems = _pending(session)
    if problems:
        raise Unprocessable("session", "成绩还不能汇总：" + "；".join(problems))
    rows: list[PartResult] = []
    kept: dict[tuple[int, str], PartResult] = {
        (r.registration_id, r.part): r.result
        for r in RetainedPart.objects.filter(registration__session=session).select_related("result")
    }
    for registration in Registration.objects.filter(session=session):
        for part in session.parts:
            earlier = kept.get((registration.pk, part))
            if earlier is not None:  # 单科成绩保留: the earlier pass stands
                rows.append(
                    PartResult(
                        registration=registration,
                        part=part,
                        score=earlier.score,
                        pass_mark=earlier.pass_mark,
                        passed=earlier.passed,
                        retained_from=earlier,
                    )
                )
                continue
            if part == AssessmentPart.THEORY:
                score = _theory_score(registration)
            elif part == AssessmentPart.PRACTICAL:
                score = _practical_score(registration)
            else:
                score = marking_rules.panel_score(
                    list(
                        PanelScore.objects.filter(registration=registration).values_list(
                            "score", flat=True
                        )
                    )
                )
            line = pass_mark_for(occupation=session.occupation, part=part)
            rows.append(
                PartResult(
                    registration=registration,
                    part=part,
                    score=score,
                    pass_mark=line,
                    passed=score >= line,
                )
            )
    PartResult.objects.bulk_create(rows)
    publication = ResultPublication.objects.create(session=session)
    audit_record(
        actor=actor,
        action=AuditAction.RESULTS_COMPILE,
        object_type=AuditObject.RESULT_PUBLICATION,
        object_id=publication.pk,
        after={"session": session.pk, "results": len(rows)},
        region=session.organisation.region_id,
    )
    return publication


def _publication(session: ExamSession) -> ResultPublication:
    found = ResultPublication.objects.filter(session=session).first()
    if found is None:
        raise Conflict("session", "该考试批次的成绩尚未汇总")
    return found


def results_review(*, actor: User | None, session: ExamSession) -> ResultPublication:
    if not access.can_run_sessions(actor, session.organisation_id):
        raise Forbidden("session", "无权审核该考试批次的成绩")
    publication = _publication(session)
    transition(
        obj_or_queryset=publication,
        to=PublicationStatus.REVIEWED,
        actor=actor,
        reason="机构审核成绩",
        reviewed_by=actor,
    )
    publication.refresh_from_db()
    return publication


def results_publish(
    *, actor: User | None, session: ExamSession, at: dt.datetime | None = None
) -> ResultPublication:
    """Publish (公示) until the date `ASSESSMENT_PUBLICATION_WORKING_DAYS` working days on."""
    if not access.can_run_sessions(actor, session.organisation_id):
        raise Forbidden("session", "无权公示该考试批次的成绩")
    if ScoreCorrection.objects.filter(
        result__registration__session=session, status=CorrectionStatus.PENDING
    ).exists():
        raise Conflict("session", "还有待复核的成绩更正，处理后再公示")
    now = at or timezone.now()
    until = marking_rules.working_days_after(
        timezone.localdate(now), int(settings.ASSESSMENT_PUBLICATION_WORKING_DAYS)
    )
    publication = _publication(session)
    transition(
        obj_or_queryset=publication,
        to=PublicationStatus.PUBLISHED,
        actor=actor,
        reason=f"公示至{until:%Y年%m月%d日}",
        published_at=now,
        objection_until=until,
    )
    publication.refresh_from_db()
    return publication


@transaction.atomic
def objection_raise(
    *,
    actor: User,
    publication: ResultPublication,
    text: str,
    registration: Registration | None = None,
    today: dt.date | None = None,
) -> Objection:
    """An objection during publication, by a candidate of the session (about their own result
    or the session's) or the organisation's staff on someone's behalf."""
    session = publication.session
    day = today or timezone.localdate()
    if publication.status != PublicationStatus.PUBLISHED or (
        publication.objection_until is not None and day > publication.objection_until
    ):
        raise Conflict("publication", "成绩不在公示期内，不能提出异议")
    candidate = (
        Registration.objects.filter(session=session, person_id=actor.person_id).first()
        if actor.person_id is not None
        else None
    )
    if candidate is None and not access.can_run_sessions(actor, session.organisation_id):
        raise Forbidden("publication", "只有本批次考生或评价机构可以登记异议")
    if registration is not None and registration.session_id != session.pk:
        raise AssessmentInvalid("registration", "该考生不在本考试批次")
    body = text.strip()
    if not body or len(body) > 500:
        raise AssessmentInvalid("text", "异议内容不能为空，且不超过500字")
    objection = Objection.objects.create(
        publication=publication,
        registration=registration or candidate,
        raised_by=actor,
        text=body,
    )
    audit_record(
        actor=actor,
        action=AuditAction.RESULTS_OBJECTION_RAISE,
        object_type=AuditObject.RESULT_OBJECTION,
        object_id=objection.pk,
        after={"publication": publication.pk},
        region=session.organisation.region_id,
    )
    return objection


def objection_answer(*, actor: User | None, objection: Objection, answer: str) -> Objection:
    session = objection.publication.session
    if not access.can_run_sessions(actor, session.organisation_id):
        raise Forbidden("objection", "无权答复该异议")
    body = answer.strip()
    if not body or len(body) > 500:
        raise AssessmentInvalid("answer", "答复不能为空，且不超过500字")
    transition(
        obj_or_queryset=objection,
        to=ObjectionStatus.ANSWERED,
        actor=actor,
        reason=body[:200],
        answer=body,
        answered_by=actor,
        answered_at=timezone.now(),
    )
    objection.refresh_from_db()
    return objection


def results_finalise(
    *, actor: User | None, session: ExamSession, today: dt.date | None = None
) -> ResultPublication:
    """Final once the publication period is over and every objection is answered."""
    if not access.can_run_sessions(actor, session.organisation_id):
        raise Forbidden("session", "无权确认该考试批次的成绩")
    publication = _publication(session)
    day = today or timezone.localdate()
    if publication.objection_until is not None and day <= publication.objection_until:
        raise Conflict(
            "session", f"公示期至{publication.objection_until:%Y年%m月%d日}，期满后才能确认成绩"
        )
    if publication.objections.filter(status=ObjectionStatus.OPEN).exists():
        raise Conflict("session", "还有未答复的异议，答复后才能确认成绩")
    transition(
        obj_or_queryset=publication,
        to=PublicationStatus.FINAL,
        actor=actor,
        reason="公示期满，成绩确认",
        finalised_at=timezone.now(),
    )
    publication.refresh_from_db()
    return publication


def _result_name(result: PartResult) -> str:
    return f"{result.registration.person.name}的{AssessmentPart(result.part).label}成绩"


@transaction.atomic
def correction_request(
    *, actor: User, result: PartResult, new_score: Any, reason: str
) -> ScoreCorrection:
    """Ask for a marked result to change, with the reason; it changes only when someone else
    approves (`correction_review`). Not once the results are final."""
    session = result.registration.session
    if not (
        access.can_mark(actor, session.organisation_id)
        or access.can_run_sessions(actor, session.organisation_id)
    ):
        raise Forbidden("result", "无权申请更正该成绩")
    publication = ResultPublication.objects.filter(session=session).first()
    if publication is not None and publication.status == PublicationStatus.FINAL:
        raise Conflict("result", "成绩已确认，不能再更正")
    try:
        value = Decimal(str(new_score)).quantize(Decimal("0.01"))
    except ArithmeticError:
        raise AssessmentInvalid("new_score", "更正后成绩应为数字") from None
    if not Decimal("0") <= value <= HUNDRED:
        raise AssessmentInvalid("new_score", "更正后成绩应在0至100分之间")
    if value == result.score:
        raise AssessmentInvalid("new_score", "更正后成绩与原成绩相同")
    if not reason.strip():
        raise AssessmentInvalid("reason", "请写明更正原因")
    if result.corrections.filter(status=CorrectionStatus.PENDING).exists():
        raise Conflict("result", f"{_result_name(result)}已有待复核的更正申请")
    correction = ScoreCorrection.objects.create(
        result=result,
        old_score=result.score,
        new_score=value,
        reason=reason.strip()[:300],
        requested_by=actor,
    )
    audit_record(
        actor=actor,
        action=AuditAction.SCORE_CORRECTION_REQUEST,
        object_type=AuditObject.SCORE_CORRECTION,
        object_id=correction.pk,
        before={"score": str(result.score)},
        after={"score": str(value)},
        reason=correction.reason,
        region=session.organisation.region_id,
    )
    return correction


@transaction.atomic
def correction_review(
    *, actor: User, correction: ScoreCorrection, approve: bool, note: str = ""
) -> ScoreCorrection:
    """Approve or reject by someone other than the requester (four eyes); approval applies the
    new score and recomputes the pass."""
    result = correction.result
    session = result.registration.session
    if not access.can_run_sessions(actor, session.organisation_id):
        raise Forbidden("correction", "无权复核成绩更正")
    if correction.requested_by_id == actor.pk:
        raise Forbidden("correction", "成绩更正须由申请人以外的人员复核")
    if approve:
        PartResult.objects.filter(pk=result.pk, score=correction.old_score).update(
            score=correction.new_score, passed=correction.new_score >= result.pass_mark
        )
        result.refresh_from_db()
        if result.score != correction.new_score:
            raise Conflict("correction", "该成绩已被其他更正修改，请重新申请")
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type=AuditObject.PART_RESULT,
            object_id=result.pk,
            before={"score": str(correction.old_score)},
            after={"score": str(correction.new_score), "passed": result.passed},
            reason=correction.reason,
            region=session.organisation.region_id,
        )
    transition(
        obj_or_queryset=correction,
        to=CorrectionStatus.APPROVED if approve else CorrectionStatus.REJECTED,
        actor=actor,
        reason=note.strip()[:200] or ("批准" if approve else "驳回"),
        reviewed_by=actor,
        reviewed_at=timezone.now(),
        review_note=note.strip()[:300],
    )
    correction.refresh_from_db()
    return correction


@dataclass(frozen=True)
class FinalPass:
    """A candidate who passed every part of a session whose results are final."""

    registration: Registration
    person: Person
    occupation: Occupation
    level: str
    scores: dict[str, Decimal]


def final_passes(*, session: ExamSession) -> list[FinalPass]:
    """The final passes of a session (empty until its results are final): what certificates are
    issued for."""
    publication = ResultPublication.objects.filter(session=session).first()
    if publication is None or publication.status != PublicationStatus.FINAL:
        return []
    out: list[FinalPass] = []
    regs = Registration.objects.filter(session=session).select_related("person")
    results: dict[int, list[PartResult]] = {}
    for row in PartResult.objects.filter(registration__session=session):
        results.setdefault(row.registration_id, []).append(row)
    for registration in regs:
        rows = results.get(registration.pk, [])
        if rows and len(rows) == len(session.parts) and all(r.passed for r in rows):
            out.append(
                FinalPass(
                    registration=registration,
                    person=registration.person,
                    occupation=session.occupation,
                    level=session.level,
                    scores={r.part: r.score for r in rows},
                )
            )
    return out
