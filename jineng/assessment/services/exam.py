"""The online theory exam (issue 9 §4).

- **Identity first.** `attempt_admit` creates the attempt (one per registration: a OneToOne) once
  the candidate passed the live face check (`jineng.faces.services.face_check`) or an invigilator
  confirmed them; either is audited.
- **Synchronized start, server's clock.** `attempt_start` is refused before the session's
  scheduled time; the deadline is the scheduled time plus the duration, the same for everyone and
  stored on the attempt; the client only displays what is left. Starting again (another device,
  after a dropped connection) returns the same attempt with its time still running.
- **Answers as given.** `answer_save` keeps one row per paper item; a save carries the client's
  sequence number and replaces the stored answer only when its number is higher (last write wins,
  a late duplicate changes nothing). Saves and the submission lock the attempt row, so a save the
  server acknowledged was committed before the paper was submitted and scored — it cannot be lost;
  a save after the deadline (plus a few seconds' grace) is refused, not acknowledged.
- **Automatic submission.** Every read of the attempt submits it once its time is up, and
  `attempts_sweep` (Celery beat, every minute) submits those nobody looks at.
- Evidence (tab switches, copy/paste, leaving full screen) is recorded for the invigilator and
  never fails anyone.

Answer saves are not audit entries: the answer row (value, client sequence number, time) is its
own record, and an exam of 5,000 candidates saving every 30 s would otherwise put 10,000 entries a
minute on the trail. Admission, start, submission and evidence are audited.
"""

from __future__ import annotations

import datetime as dt
import hmac
from dataclasses import dataclass
from hashlib import sha256
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from jineng.assessment import access
from jineng.assessment.errors import AssessmentInvalid
from jineng.assessment.models import (
    Answer,
    Attempt,
    AttemptStatus,
    EvidenceEvent,
    EvidenceKind,
    ExamSession,
    ExamSetting,
    IdentityMethod,
    ItemKind,
    MarkingTask,
    Paper,
    PaperItem,
    Registration,
    SessionStatus,
    SubmittedBy,
)
from jineng.assessment.models.sessions import AssessmentPart
from jineng.assessment.scoring import score_response
from jineng.assessment.services.papers import paper_draw, paper_score
from jineng.audit.services import audit_record
from jineng.audit.vocabulary import AuditAction, AuditObject
from jineng.core.errors import Conflict, Forbidden, Unprocessable
from jineng.core.states import TransitionRefused, transition
from jineng.identity.models import User

MAX_SHORT_ANSWER = 5000
MAX_EVENTS = 500
SUBJECTIVE_KINDS = frozenset({ItemKind.SHORT_ANSWER, ItemKind.PRACTICAL})


def _now(at: dt.datetime | None) -> dt.datetime:
    return at if at is not None else timezone.now()


def _grace() -> dt.timedelta:
    return dt.timedelta(seconds=int(settings.ASSESSMENT_ANSWER_GRACE_SECONDS))


def _region(registration: Registration) -> str:
    return str(registration.session.organisation.region_id)


def _local(moment: dt.datetime) -> str:
    return f"{timezone.localtime(moment):%Y年%m月%d日 %H:%M}"


def candidate_code(registration: Registration) -> str:
    """The code assessors see instead of the name (密号): keyed, so it cannot be worked back."""
    key = str(settings.SECRET_KEY).encode()
    digest = hmac.new(key, f"candidate:{registration.pk}".encode(), sha256).hexdigest()
    return "K" + str(int(digest[:12], 16) % 10**8).zfill(8)


def exam_setting(*, session: ExamSession) -> ExamSetting:
    setting = ExamSetting.objects.filter(session=session).select_related("blueprint").first()
    if setting is None or setting.blueprint_id is None:
        raise Conflict("session", "该考试批次尚未设置理论试卷")
    return setting


@transaction.atomic
def exam_configure(
    *,
    actor: User | None,
    session: ExamSession,
    blueprint: Any = None,
    theory_minutes: int = 90,
    practical_item: Any = None,
    margin_percent: Any = None,
) -> ExamSetting:
    """Set the session's theory paper and duration, its practical task and marking margin."""
    if not access.can_run_sessions(actor, session.organisation_id):
        raise Forbidden("session", "无权设置该考试批次")
    if not 1 <= theory_minutes <= 600:
        raise AssessmentInvalid("theory_minutes", "理论考试时长应为1至600分钟")
    if practical_item is not None and practical_item.kind != ItemKind.PRACTICAL:
        raise AssessmentInvalid("practical_item", "操作技能考核试题须为实操题")
    fields: dict[str, Any] = {
        "blueprint": blueprint,
        "theory_minutes": theory_minutes,
        "practical_item": practical_item,
    }
    if margin_percent is not None:
        fields["margin_percent"] = margin_percent
    setting, _ = ExamSetting.objects.update_or_create(session=session, defaults=fields)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type=AuditObject.EXAM_SESSION,
        object_id=session.pk,
        after={
            "blueprint": getattr(blueprint, "pk", None),
            "theory_minutes": theory_minutes,
            "practical_item": getattr(practical_item, "pk", None),
            "margin_percent": str(setting.margin_percent),
        },
        region=session.organisation.region_id,
    )
    return setting


def _paper_for(registration: Registration, setting: ExamSetting) -> Paper:
    assert setting.blueprint_id is not None
    found = Paper.objects.filter(
        blueprint_id=setting.blueprint_id, candidate_id=registration.person_id
    ).first()
    if found is not None:
        if Attempt.objects.filter(paper=found).exclude(registration=registration).exists():
            raise Conflict(
                "blueprint",
                f"{registration.person.name}已用该组卷规则的试卷参加过考试，"
                "请为本考试批次设置新的组卷规则",
            )
        return found
    assert setting.blueprint is not None
    return paper_draw(
        actor=None,
        blueprint=setting.blueprint,
        candidate=registration.person,
        seed=f"registration-{registration.pk}",
    )


def exam_papers_prepare(*, actor: User | None, session: ExamSession) -> int:
    """Draw every registered candidate's paper before the start (so a synchronized start does
    not queue on the blueprint's draw lock); returns how many were drawn now."""
    if not access.can_run_sessions(actor, session.organisation_id):
        raise Forbidden("session", "无权为该考试批次抽取试卷")
    setting = exam_setting(session=session)
    assert setting.blueprint_id is not None
    have = set(
        Paper.objects.filter(blueprint_id=setting.blueprint_id).values_list(
            "candidate_id", flat=True
        )
    )
    drawn = 0
    for registration in Registration.objects.filter(session=session).select_related("person"):
        if registration.person_id not in have:
            _paper_for(registration, setting)
            drawn += 1
    return drawn


def _locked_registration(registration: Registration) -> Registration:
    return (
        Registration.objects.select_for_update(of=("self",))
        .select_related("session__organisation", "person")
        .get(pk=registration.pk)
    )


def attempt_admit(
    *,
    actor: User | None,
    registration: Registration,
    method: str,
    image: bytes | None = None,
    at: dt.datetime | None = None,
) -> Attempt:
    """Record the identity check and create the attempt (returns the existing one if already
    admitted). `face`: the candidate's live capture against their approved enrolment (the check
    is recorded by the faces app even when it fails); `invigilator`: an invigilator of the
    organisation confirms. A retake candidate whose theory result is retained does not sit it."""
    if registration.retained.filter(part="theory").exists():
        raise Conflict("registration", "该考生的理论知识考试成绩已保留，本次无须参加")
    face_check_id: int | None = None
    if method == IdentityMethod.FACE:
        if actor is not None and actor.person_id != registration.person_id:
            raise Forbidden("registration", "人脸核验只能由考生本人完成")
        if not image:
            raise AssessmentInvalid("image", "请拍摄现场照片")
        from jineng.faces.models import CheckPurpose
        from jineng.faces.services import face_check

        check = face_check(
            person=registration.person,
            image=image,
            purpose=CheckPurpose.ATTENDANCE,
            context=f"理论考试入场：报名{registration.pk}",
            actor=actor,
        )
        if not check.matched:
            raise Unprocessable("image", f"人脸核验未通过：{check.reason}，请重拍或请监考员确认")
        face_check_id = check.pk
    elif method == IdentityMethod.INVIGILATOR:
        if not access.can_invigilate(actor, registration.session.organisation_id):
            raise Forbidden("registration", "只有本机构的监考员可以确认考生身份")
    else:
        raise AssessmentInvalid("method", "身份核验方式应为人脸核验或监考员确认")
    return _admit(actor, registration, method, face_check_id, _now(at))


@transaction.atomic
def _admit(
    actor: User | None,
    registration: Registration,
    method: str,
    face_check_id: int | None,
    now: dt.datetime,
) -> Attempt:
    registration = _locked_registration(registration)
    session = registration.session
    existing = Attempt.objects.filter(registration=registration).first()
    if existing is not None:
        return existing
    if session.status != SessionStatus.OPEN:
        raise Conflict("session", f"该考试批次当前为「{session.get_status_display()}」，不能入场")
    attempt = Attempt.objects.create(
        registration=registration,
        identity_method=method,
        identity_by=actor if method == IdentityMethod.INVIGILATOR else None,
        face_check_id=face_check_id,
        admitted_at=now,
    )
    audit_record(
        actor=actor,
        action=AuditAction.ATTEMPT_ADMIT,
        object_type=AuditObject.EXAM_ATTEMPT,
        object_id=attempt.pk,
        after={"registration": registration.pk, "method": method, "face_check": face_check_id},
        region=_region(registration),
    )
    return attempt


def _own(actor: User | None, registration: Registration) -> None:
    if actor is not None and actor.person_id != registration.person_id:
        raise Forbidden("registration", "只有考生本人可以作答")


@transaction.atomic
def attempt_start(
    *, actor: User | None, registration: Registration, at: dt.datetime | None = None
) -> Attempt:
    """Start (or resume) the candidate's attempt: refused before the scheduled time; the
    deadline is the scheduled time plus the duration. Idempotent: a second start from any
    device returns the same attempt; one whose time is up is submitted."""
    _own(actor, registration)
    registration = _locked_registration(registration)
    session = registration.session
    now = _now(at)
    attempt = Attempt.objects.filter(registration=registration).first()
    if attempt is None:
        raise Conflict("attempt", "请先完成身份核验（人脸核验或由监考员确认）后再开始答题")
    if attempt.status != AttemptStatus.ADMITTED:
        return _submit_if_due(attempt, now)
    setting = exam_setting(session=session)
    if now < session.starts_at:
        raise Conflict("session", f"考试将于{_local(session.starts_at)}统一开始，请稍候")
    deadline = session.starts_at + dt.timedelta(minutes=setting.theory_minutes)
    if now >= deadline:
        raise Conflict("session", "考试时间已结束，不能再开始答题")
    paper = _paper_for(registration, setting)
    transition(
        obj_or_queryset=attempt,
        to=AttemptStatus.STARTED,
        actor=actor,
        reason="开始答题",
        started_at=now,
        deadline=deadline,
        paper=paper,
    )
    attempt.refresh_from_db()
    return attempt


def _submit_if_due(attempt: Attempt, now: dt.datetime) -> Attempt:
    if (
        attempt.status == AttemptStatus.STARTED
        and attempt.deadline is not None
        and now > attempt.deadline + _grace()
    ):
        return attempt_submit(actor=None, attempt=attempt, by=SubmittedBy.TIMER, at=now)
    return attempt


def attempt_current(*, attempt: Attempt, at: dt.datetime | None = None) -> Attempt:
    """The attempt as it stands now: submitted first if its time is up (the per-request check)."""
    return _submit_if_due(attempt, _now(at))


def remaining_seconds(attempt: Attempt, at: dt.datetime | None = None) -> int:
    if attempt.status != AttemptStatus.STARTED or attempt.deadline is None:
        return 0
    return max(0, int((attempt.deadline - _now(at)).total_seconds()))


@dataclass(frozen=True)
class AnswerAck:
    """The server's acknowledgement: `stored_seq` is the sequence number now stored (the save's
    own when it was applied; a higher one when a later save had already arrived)."""

    entry_id: int
    seq: int
    stored_seq: int
    applied: bool
    saved_at: dt.datetime


def _validate(entry: PaperItem, response: Any) -> None:
    kind = entry.item.kind
    if response is None:
        return
    if kind == ItemKind.SHORT_ANSWER:
        if not isinstance(response, str) or len(response) > MAX_SHORT_ANSWER:
            raise AssessmentInvalid("response", f"简答题的作答应为不超过{MAX_SHORT_ANSWER}字的文字")
        return
    try:
        score_response(
            kind=kind,
            key=entry.item.answer,
            option_order=tuple(entry.option_order),
            response=response,
            points=entry.points,
        )
    except ValueError as err:
        raise AssessmentInvalid(
            "response", f"第{entry.position + 1}题的作答格式不正确：{err}"
        ) from None


@transaction.atomic
def answer_save(
    *,
    actor: User | None,
    attempt: Attempt,
    entry_id: int,
    response: Any,
    seq: int,
    at: dt.datetime | None = None,
) -> AnswerAck:
    """Save one answer as given (see the module docstring: last write by `seq` wins)."""
    now = _now(at)
    locked = (
        Attempt.objects.select_for_update(of=("self",))
        .select_related("registration")
        .get(pk=attempt.pk)
    )
    _own(actor, locked.registration)
    if isinstance(seq, bool) or not isinstance(seq, int) or seq < 1:
        raise AssessmentInvalid("seq", "序号应为正整数")
    if locked.status != AttemptStatus.STARTED or locked.deadline is None:
        raise Conflict("attempt", f"本次考试{locked.get_status_display()}，不能再保存作答")
    if now > locked.deadline + _grace():
        raise Conflict("attempt", "考试时间已到，试卷将自动提交，本次作答未保存")
    assert locked.paper_id is not None
    entry = (
        PaperItem.objects.filter(paper_id=locked.paper_id, pk=entry_id)
        .select_related("item")
        .first()
    )
    if entry is None:
        raise AssessmentInvalid("entry", "该题不在您的试卷中")
    _validate(entry, response)
    stored = Answer.objects.filter(attempt=locked, entry=entry).first()
    if stored is not None and stored.seq >= seq:
        return AnswerAck(entry.pk, seq, stored.seq, False, stored.saved_at)
    if stored is None:
        Answer.objects.create(attempt=locked, entry=entry, response=response, seq=seq, saved_at=now)
    else:
        Answer.objects.filter(pk=stored.pk).update(response=response, seq=seq, saved_at=now)
    return AnswerAck(entry.pk, seq, seq, True, now)


@transaction.atomic
def attempt_submit(
    *,
    actor: User | None,
    attempt: Attempt,
    by: str = SubmittedBy.CANDIDATE,
    at: dt.datetime | None = None,
) -> Attempt:
    """Submit: score the objective items from the stored answers and queue the short answers
    for double marking. Submitting a submitted attempt returns it unchanged."""
    now = _now(at)
    locked = (
        Attempt.objects.select_for_update(of=("self",))
        .select_related("registration__session__organisation", "paper")
        .get(pk=attempt.pk)
    )
    if by == SubmittedBy.CANDIDATE:
        _own(actor, locked.registration)
    if locked.status == AttemptStatus.SUBMITTED:
        return locked
    if locked.status != AttemptStatus.STARTED or locked.paper is None:
        raise Conflict("attempt", "尚未开始答题，不能交卷")
    transition(
        obj_or_queryset=locked,
        to=AttemptStatus.SUBMITTED,
        actor=actor,
        reason=str(SubmittedBy(by).label),
        submitted_at=now,
        submitted_by=by,
    )
    answers = dict(Answer.objects.filter(attempt=locked).values_list("entry_id", "response"))
    paper_score(actor=None, paper=locked.paper, answers=answers)
    registration = locked.registration
    code = candidate_code(registration)
    MarkingTask.objects.bulk_create(
        MarkingTask(
            registration=registration,
            part=AssessmentPart.THEORY,
            item=entry.item,
            entry=entry,
            points=entry.points,
            candidate_code=code,
        )
        for entry in locked.paper.entries.select_related("item").filter(
            item__kind__in=SUBJECTIVE_KINDS
        )
    )
    locked.refresh_from_db()
    return locked


def attempts_sweep(*, now: dt.datetime | None = None) -> int:
    """Submit every started attempt whose time (and grace) is up; returns how many."""
    moment = _now(now)
    due = list(
        Attempt.objects.filter(
            status=AttemptStatus.STARTED, deadline__lt=moment - _grace()
        ).values_list("pk", flat=True)
    )
    done = 0
    for pk in due:
        try:
            attempt_submit(actor=None, attempt=Attempt(pk=pk), by=SubmittedBy.TIMER, at=moment)
            done += 1
        except TransitionRefused:
            continue  # submitted meanwhile by the candidate or a request's check
    return done


@transaction.atomic
def evidence_record(
    *, actor: User | None, attempt: Attempt, kind: str, at: dt.datetime | None = None
) -> EvidenceEvent:
    """Record a tab switch, copy, paste or leaving full screen for the invigilator."""
    if kind not in EvidenceKind.values:
        raise AssessmentInvalid("kind", "异常类型不正确")
    registration = attempt.registration
    _own(actor, registration)
    if attempt.status == AttemptStatus.SUBMITTED:
        raise Conflict("attempt", "本次考试已交卷")
    if EvidenceEvent.objects.filter(attempt=attempt).count() >= MAX_EVENTS:
        raise Conflict("attempt", "异常记录已达上限")
    event = EvidenceEvent.objects.create(attempt=attempt, kind=kind, at=_now(at))
    audit_record(
        actor=actor,
        action=AuditAction.ATTEMPT_EVIDENCE,
        object_type=AuditObject.EXAM_ATTEMPT,
        object_id=attempt.pk,
        after={"kind": kind},
        region=_region(registration),
    )
    return event
