"""The exam, marking and results operations of /api/v1/assessment (the same services as the
pages): the candidate's registrations, start, the attempt with its items, answers saved as given
(PUT, idempotent per item by the client sequence number), evidence, submission and results; the
assessor's anonymous queue and marks. Out-of-scope rows answer 404."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from jineng.api.assessment.exam_schemas import (
    AnswerIn,
    AnswerOut,
    AttemptOut,
    EventIn,
    MarkIn,
    MarkOut,
    RecordedOut,
    RegistrationOut,
    ResultOut,
    TaskOut,
)
from jineng.api.schemas import ErrorOut
from jineng.assessment import selectors_web, services
from jineng.assessment.access import access_own_registration, access_task_by_id
from jineng.assessment.models import Attempt, MarkingTask, Registration
from jineng.assessment.sitting import sitting_of
from jineng.core.errors import Conflict
from jineng.identity.models import User

router = Router(tags=["assessment"])

ERRORS: dict[int, Any] = {401: ErrorOut, 404: ErrorOut}
WRITE_ERRORS: dict[int, Any] = {**ERRORS, 403: ErrorOut, 409: ErrorOut}


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _registration(request: HttpRequest, registration_id: int) -> Registration:
    return access_own_registration(_user(request), registration_id)


def _attempt(registration: Registration) -> Attempt:
    attempt = (
        Attempt.objects.filter(registration=registration)
        .select_related("registration__session__organisation", "paper")
        .first()
    )
    if attempt is None:
        raise Conflict("attempt", "请先完成身份核验（人脸核验或由监考员确认）后再开始答题")
    return attempt


def _attempt_out(attempt: Attempt | None) -> dict[str, Any]:
    if attempt is None:
        return {"status": "none", "status_label": "待核验身份", "remaining_seconds": 0, "items": []}
    attempt = services.attempt_current(attempt=attempt)
    sitting = sitting_of(attempt=attempt)
    return {
        "status": sitting.status,
        "status_label": sitting.status_label,
        "remaining_seconds": sitting.remaining_seconds,
        "deadline": sitting.deadline,
        "items": [{**i.__dict__, "blanks": len(i.blank_values)} for i in sitting.items],
    }


@router.get("/registrations", response={200: list[RegistrationOut], **ERRORS}, summary="我的报名")
def registrations(request: HttpRequest) -> Any:
    return [
        {
            "id": r.registration.pk,
            "occupation_name": r.session.occupation.name,
            "level_label": r.session.get_level_display(),
            "starts_at": r.session.starts_at,
            "venue": r.session.venue,
            "session_status_label": r.session.get_status_display(),
            "attempt_label": r.attempt_label,
        }
        for r in selectors_web.my_registrations(user=_user(request))
    ]


@router.post(
    "/registrations/{registration_id}/attempt",
    response={200: AttemptOut, **WRITE_ERRORS},
    summary="开始（或继续）理论考试",
)
def attempt_start(request: HttpRequest, registration_id: int) -> Any:
    """Refused (409) before the identity check or the scheduled start; again from any device
    returns the same attempt with its time still running."""
    registration = _registration(request, registration_id)
    return _attempt_out(services.attempt_start(actor=_user(request), registration=registration))


@router.get(
    "/registrations/{registration_id}/attempt",
    response={200: AttemptOut, **ERRORS},
    summary="理论考试作答情况",
)
def attempt_state(request: HttpRequest, registration_id: int) -> Any:
    """Status, the server's remaining seconds and, while started, the items with the saved
    answers; an attempt whose time is up is submitted first."""
    registration = _registration(request, registration_id)
    return _attempt_out(Attempt.objects.filter(registration=registration).first())


@router.post(
    "/registrations/{registration_id}/attempt/answers/{entry_id}",
    response={200: AnswerOut, **WRITE_ERRORS},
    summary="保存一题作答",
)
def answer_put(request: HttpRequest, registration_id: int, entry_id: int, body: AnswerIn) -> Any:
    """Idempotent per item: a save with a higher `seq` replaces the stored answer, a lower or
    equal one is acknowledged unchanged (`applied` false, `stored_seq` the stored one)."""
    attempt = _attempt(_registration(request, registration_id))
    ack = services.answer_save(
        actor=_user(request), attempt=attempt, entry_id=entry_id, response=body.response,
        seq=body.seq,
    )  # fmt: skip
    return {**ack.__dict__, "remaining_seconds": services.remaining_seconds(attempt)}


@router.post(
    "/registrations/{registration_id}/attempt/events",
    response={200: RecordedOut, **WRITE_ERRORS},
    summary="记录考场异常",
)
def attempt_event(request: HttpRequest, registration_id: int, body: EventIn) -> Any:
    attempt = _attempt(_registration(request, registration_id))
    services.evidence_record(actor=_user(request), attempt=attempt, kind=body.kind)
    return {"detail": "已记录"}


@router.post(
    "/registrations/{registration_id}/attempt/submit",
    response={200: AttemptOut, **WRITE_ERRORS},
    summary="交卷",
)
def attempt_submit(request: HttpRequest, registration_id: int) -> Any:
    attempt = _attempt(_registration(request, registration_id))
    return _attempt_out(services.attempt_submit(actor=_user(request), attempt=attempt))


@router.get("/results", response={200: list[ResultOut], **ERRORS}, summary="我的成绩")
def results(request: HttpRequest) -> Any:
    """Published (公示) and final results only."""
    return [
        {
            "registration_id": r.registration.pk,
            "occupation_name": r.session.occupation.name,
            "level_label": r.session.get_level_display(),
            "publication_label": r.publication.get_status_display(),
            "objection_until": r.publication.objection_until,
            "passed": r.passed,
            "parts": [
                {
                    "part_label": p.part_label,
                    "score": str(p.score),
                    "pass_mark": str(p.pass_mark),
                    "passed": p.passed,
                }
                for p in r.parts
            ],
        }
        for r in selectors_web.my_results(user=_user(request))
    ]


def _task(task: MarkingTask) -> dict[str, Any]:
    return {
        "id": task.pk,
        "candidate_code": task.candidate_code,
        "part_label": task.get_part_display(),
        "kind_label": task.item.get_kind_display(),
        "stem": task.item.stem,
        "points": str(task.points),
        "marks": getattr(task, "mark_count", 0),
    }


@router.get("/marking/queue", response={200: list[TaskOut], **ERRORS}, summary="待评作答")
def marking_queue(request: HttpRequest, third: bool = False) -> Any:
    """Anonymous (the candidate code, never the name); `third`: those awaiting a third mark."""
    return [_task(t) for t in services.marking_queue(user=_user(request), third=third)[:100]]


@router.post(
    "/marking/tasks/{task_id}/marks",
    response={200: MarkOut, **WRITE_ERRORS},
    summary="评分",
)
def mark(request: HttpRequest, task_id: int, body: MarkIn) -> Any:
    task = access_task_by_id(_user(request), task_id)
    row = services.mark_record(
        actor=_user(request), task=task, score=body.score, criteria=body.criteria
    )
    task.refresh_from_db()
    return {
        "round": row.round,
        "score": str(row.score),
        "settled": None if task.final_score is None else str(task.final_score),
    }
