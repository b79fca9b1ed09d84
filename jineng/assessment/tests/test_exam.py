"""The online theory exam: identity first, synchronized start with the server's deadline,
answers as given (last write by sequence number wins), resume, submission by the candidate or
the clock, evidence events that fail nobody."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from jineng.assessment import services
from jineng.assessment.models import (
    Answer,
    Attempt,
    AttemptStatus,
    EvidenceEvent,
    IdentityMethod,
    ItemKind,
    MarkingTask,
    PaperItem,
    SubmittedBy,
)
from jineng.assessment.sitting import sitting_of
from jineng.assessment.tests.exam_support import ExamWorld, admit, make_exam
from jineng.audit.models import AuditEntry
from jineng.core.errors import Conflict, Forbidden
from jineng.identity.models import Role
from jineng.identity.testing import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def exam() -> ExamWorld:
    return make_exam()


def _started(exam: ExamWorld) -> Attempt:
    user, registration = exam.candidates[0]
    admit(exam, registration)
    return services.attempt_start(actor=user, registration=registration)


def _entries(attempt: Attempt) -> list[PaperItem]:
    return list(
        PaperItem.objects.filter(paper=attempt.paper)
        .select_related("item")
        .order_by("section__position", "position")
    )


def test_start_needs_the_identity_check_and_the_scheduled_time() -> None:
    later = timezone.now() + dt.timedelta(minutes=30)
    exam = make_exam(starts_at=later)
    user, registration = exam.candidates[0]
    with pytest.raises(Conflict, match="身份核验"):
        services.attempt_start(actor=user, registration=registration)
    admit(exam, registration)
    with pytest.raises(Conflict, match="统一开始"):
        services.attempt_start(actor=user, registration=registration)
    attempt = services.attempt_start(
        actor=user, registration=registration, at=later + dt.timedelta(seconds=5)
    )
    assert attempt.status == AttemptStatus.STARTED
    assert attempt.deadline == later + dt.timedelta(minutes=60)  # same for everyone
    assert AuditEntry.objects.filter(action="attempt_admit", object_id=str(attempt.pk)).exists()
    assert AuditEntry.objects.filter(action="attempt_move", object_id=str(attempt.pk)).exists()


def test_only_an_invigilator_of_the_organisation_confirms_identity(exam: ExamWorld) -> None:
    user, registration = exam.candidates[0]
    with pytest.raises(Forbidden):
        services.attempt_admit(
            actor=user, registration=registration, method=IdentityMethod.INVIGILATOR
        )
    outsider = make_user(Role.ASSESSOR)
    with pytest.raises(Forbidden):
        services.attempt_admit(
            actor=outsider, registration=registration, method=IdentityMethod.INVIGILATOR
        )
    assert not Attempt.objects.exists()


def test_one_attempt_per_registration_is_a_database_constraint(exam: ExamWorld) -> None:
    attempt = _started(exam)
    with pytest.raises(IntegrityError), transaction.atomic():
        Attempt.objects.create(
            registration=attempt.registration,
            identity_method=IdentityMethod.INVIGILATOR,
            admitted_at=timezone.now(),
        )


def test_resume_from_another_device_keeps_answers_and_the_deadline(exam: ExamWorld) -> None:
    attempt = _started(exam)
    user, registration = exam.candidates[0]
    first = _entries(attempt)[0]
    services.answer_save(actor=user, attempt=attempt, entry_id=first.pk, response=1, seq=1)
    again = services.attempt_start(actor=user, registration=registration)
    assert again.pk == attempt.pk and again.deadline == attempt.deadline
    shown = sitting_of(attempt=again)
    assert [i.response for i in shown.items][:1] == [1]
    assert 0 < shown.remaining_seconds <= 60 * 60


def test_last_write_by_sequence_number_wins(exam: ExamWorld) -> None:
    attempt = _started(exam)
    user, _ = exam.candidates[0]
    entry = _entries(attempt)[0]
    assert services.answer_save(
        actor=user, attempt=attempt, entry_id=entry.pk, response=2, seq=5
    ).applied
    late = services.answer_save(actor=user, attempt=attempt, entry_id=entry.pk, response=0, seq=3)
    assert not late.applied and late.stored_seq == 5
    stored = Answer.objects.get(attempt=attempt, entry=entry)
    assert (stored.response, stored.seq) == (2, 5)
    services.answer_save(actor=user, attempt=attempt, entry_id=entry.pk, response=3, seq=6)
    assert Answer.objects.get(attempt=attempt, entry=entry).response == 3
    assert Answer.objects.filter(attempt=attempt).count() == 1


def test_a_save_is_refused_for_a_foreign_item_a_bad_shape_or_another_person(
    exam: ExamWorld,
) -> None:
    attempt = _started(exam)
    user, _ = exam.candidates[0]
    entry = _entries(attempt)[0]
    with pytest.raises(Exception, match="不在您的试卷"):
        services.answer_save(actor=user, attempt=attempt, entry_id=999999, response=1, seq=1)
    with pytest.raises(Exception, match="作答格式不正确"):
        services.answer_save(actor=user, attempt=attempt, entry_id=entry.pk, response=9, seq=1)
    with pytest.raises(Forbidden):
        services.answer_save(
            actor=exam.admin, attempt=attempt, entry_id=entry.pk, response=1, seq=1
        )
    assert not Answer.objects.exists()


def test_submit_scores_objective_items_and_queues_the_short_answer(exam: ExamWorld) -> None:
    attempt = _started(exam)
    user, registration = exam.candidates[0]
    entries = _entries(attempt)
    singles = [e for e in entries if e.item.kind == ItemKind.SINGLE]
    short = next(e for e in entries if e.item.kind == ItemKind.SHORT_ANSWER)
    right = singles[0].option_order.index(singles[0].item.answer)
    services.answer_save(actor=user, attempt=attempt, entry_id=singles[0].pk, response=right, seq=1)
    services.answer_save(
        actor=user, attempt=attempt, entry_id=short.pk, response="检查防护罩和润滑", seq=2
    )
    done = services.attempt_submit(actor=user, attempt=attempt)
    assert done.status == AttemptStatus.SUBMITTED and done.submitted_by == SubmittedBy.CANDIDATE
    assert done.paper is not None and done.paper.objective_score == Decimal("30")
    task = MarkingTask.objects.get(registration=registration)
    assert task.entry_id == short.pk and task.points == Decimal("40")
    assert (
        task.candidate_code.startswith("K") and registration.person.name not in task.candidate_code
    )
    with pytest.raises(Conflict):
        services.answer_save(actor=user, attempt=attempt, entry_id=short.pk, response="改", seq=3)
    assert services.attempt_submit(actor=user, attempt=attempt).submitted_at == done.submitted_at


def test_the_clock_submits_through_the_sweep_and_on_the_next_read(exam: ExamWorld) -> None:
    attempt = _started(exam)
    user, _ = exam.candidates[0]
    entry = _entries(attempt)[0]
    services.answer_save(actor=user, attempt=attempt, entry_id=entry.pk, response=1, seq=1)
    assert attempt.deadline is not None
    late = attempt.deadline + dt.timedelta(seconds=30)
    with pytest.raises(Conflict, match="考试时间已到"):
        services.answer_save(
            actor=user, attempt=attempt, entry_id=entry.pk, response=2, seq=2, at=late
        )
    assert services.attempts_sweep(now=late) == 1
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.SUBMITTED
    assert attempt.submitted_by == SubmittedBy.TIMER
    assert Answer.objects.get(attempt=attempt).response == 1  # the acknowledged answer stays
    assert services.attempts_sweep(now=late) == 0


def test_a_read_after_the_deadline_submits(exam: ExamWorld) -> None:
    attempt = _started(exam)
    assert attempt.deadline is not None
    current = services.attempt_current(
        attempt=attempt, at=attempt.deadline + dt.timedelta(minutes=1)
    )
    assert current.status == AttemptStatus.SUBMITTED


def test_evidence_is_recorded_and_fails_nobody(exam: ExamWorld) -> None:
    attempt = _started(exam)
    user, registration = exam.candidates[0]
    attempt = Attempt.objects.select_related("registration__session__organisation").get(
        pk=attempt.pk
    )
    for kind in ("tab_hidden", "copy", "paste", "fullscreen_exit"):
        services.evidence_record(actor=user, attempt=attempt, kind=kind)
    assert EvidenceEvent.objects.filter(attempt=attempt).count() == 4
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.STARTED
    assert AuditEntry.objects.filter(action="attempt_evidence").count() == 4


def test_the_sweep_task_is_on_the_beat_schedule() -> None:
    from config.celery import app
    from jineng.assessment.tasks import BEAT_SCHEDULE, attempts_sweep_task

    assert (
        app.conf.beat_schedule["assessment.attempts_sweep"]
        == BEAT_SCHEDULE["assessment.attempts_sweep"]
    )
    assert attempts_sweep_task.delay().get() == 0


def test_the_live_face_check_admits_the_candidate_and_refuses_someone_else(
    exam: ExamWorld, settings: object
) -> None:
    from django.test import override_settings

    from jineng.faces.models import FaceCheck
    from jineng.faces.services import face_enrol, face_enrolment_approve
    from jineng.faces.testing import fake_face_image

    user, registration = exam.candidates[0]
    with override_settings(FACES_PROVIDER="jineng.faces.testing.FakeFaceProvider"):
        enrolment = face_enrol(
            actor=None, person=registration.person, image=fake_face_image("考生")
        )
        face_enrolment_approve(actor=make_user(Role.SYSADMIN), enrolment=enrolment)
        with pytest.raises(Exception, match="人脸核验未通过"):
            services.attempt_admit(
                actor=user,
                registration=registration,
                method=IdentityMethod.FACE,
                image=fake_face_image("别人"),
            )
        assert not Attempt.objects.exists()
        assert FaceCheck.objects.filter(matched=False).count() == 1  # the failure is on record
        attempt = services.attempt_admit(
            actor=user,
            registration=registration,
            method=IdentityMethod.FACE,
            image=fake_face_image("考生", offset=0.05),
        )
    assert attempt.identity_method == IdentityMethod.FACE
    assert attempt.face_check_id is not None
    check = FaceCheck.objects.get(pk=attempt.face_check_id)
    assert check.matched and check.person_id == registration.person_id
