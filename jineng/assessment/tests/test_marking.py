"""Marking and results: anonymous double marking with a third mark past the margin, the
practical scoring sheet, results out of 100 against the pass mark, corrections by four eyes,
review, publication for working days, objections, final passes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from jineng.assessment import services
from jineng.assessment.models import (
    AssessmentPart,
    ItemKind,
    MarkingTask,
    PartResult,
    PassMark,
    PublicationStatus,
)
from jineng.assessment.tests.exam_support import ExamWorld, admit, make_exam
from jineng.audit.models import AuditEntry
from jineng.core.errors import Conflict, Forbidden, Unprocessable

pytestmark = pytest.mark.django_db


def _sit(exam: ExamWorld, *, right: bool = True) -> None:
    for user, registration in exam.candidates:
        admit(exam, registration)
        attempt = services.attempt_start(actor=user, registration=registration)
        assert attempt.paper is not None
        for n, entry in enumerate(attempt.paper.entries.select_related("item"), start=1):
            if entry.item.kind == ItemKind.SINGLE:
                key = entry.option_order.index(entry.item.answer)
                response: object = key if right else (key + 1) % 4
            else:
                response = "检查防护罩、润滑"
            services.answer_save(
                actor=user, attempt=attempt, entry_id=entry.pk, response=response, seq=n
            )
        services.attempt_submit(actor=user, attempt=attempt)


@pytest.fixture
def exam() -> ExamWorld:
    exam = make_exam(candidates=2)
    _sit(exam)
    services.practical_tasks_create(actor=exam.admin, session=exam.session)
    return exam


def test_the_queue_shows_codes_not_names_and_hides_what_one_marked(exam: ExamWorld) -> None:
    a = exam.assessors[0]
    queue = list(services.marking_queue(user=a))
    assert len(queue) == 4  # 2 short answers + 2 practical sheets
    names = {r.person.name for _, r in exam.candidates}
    assert all(t.candidate_code not in names for t in queue)
    services.mark_record(actor=a, task=queue[0], score="30") if queue[0].part == "theory" else (
        services.mark_record(actor=a, task=queue[0], criteria=["50", "30"])
    )
    assert queue[0].pk not in {t.pk for t in services.marking_queue(user=a)}
    assert queue[0].pk in {t.pk for t in services.marking_queue(user=exam.assessors[1])}


def test_close_marks_settle_on_their_mean(exam: ExamWorld) -> None:
    task = MarkingTask.objects.filter(part=AssessmentPart.THEORY).first()
    assert task is not None
    services.mark_record(actor=exam.assessors[0], task=task, score="30")
    services.mark_record(actor=exam.assessors[1], task=task, score="33")  # within 10 % of 40
    task.refresh_from_db()
    assert task.final_score == Decimal("31.50")
    assert task.entry is not None and task.entry.score == Decimal("31.50")
    with pytest.raises(Conflict, match="已评定"):
        services.mark_record(actor=exam.assessors[2], task=task, score="10")


def test_a_third_assessor_resolves_a_difference_on_a_practical_sheet(exam: ExamWorld) -> None:
    task = MarkingTask.objects.filter(part=AssessmentPart.PRACTICAL).first()
    assert task is not None
    services.mark_record(actor=exam.assessors[0], task=task, criteria=["55", "35"])  # 90
    with pytest.raises(Conflict, match="不同考评员"):
        services.mark_record(actor=exam.assessors[0], task=task, criteria=["10", "10"])
    services.mark_record(actor=exam.assessors[1], task=task, criteria=["40", "30"])  # 70
    task.refresh_from_db()
    assert task.final_score is None
    third = list(services.marking_queue(user=exam.assessors[2], third=True))
    assert [t.pk for t in third] == [task.pk]
    services.mark_record(actor=exam.assessors[2], task=task, criteria=["50", "35"])  # 85
    task.refresh_from_db()
    assert task.final_score == Decimal("87.50")  # 85 with the nearer 90
    assert AuditEntry.objects.filter(action="mark_record", object_id=str(task.pk)).count() == 3


def test_a_sheet_line_above_its_points_is_refused(exam: ExamWorld) -> None:
    task = MarkingTask.objects.filter(part=AssessmentPart.PRACTICAL).first()
    assert task is not None
    with pytest.raises(Exception, match="外圆尺寸"):
        services.mark_record(actor=exam.assessors[0], task=task, criteria=["61", "0"])
    assert not task.marks.exists()


def _mark_all(exam: ExamWorld, theory: str = "36", sheet: tuple[str, str] = ("50", "30")) -> None:
    for task in MarkingTask.objects.all():
        for assessor in exam.assessors[:2]:
            if task.part == AssessmentPart.THEORY:
                services.mark_record(actor=assessor, task=task, score=theory)
            else:
                services.mark_record(actor=assessor, task=task, criteria=list(sheet))


def test_results_need_everything_marked_then_score_out_of_100(exam: ExamWorld) -> None:
    with pytest.raises(Unprocessable, match="未评定"):
        services.results_compile(actor=exam.admin, session=exam.session)
    _mark_all(exam)
    services.results_compile(actor=exam.admin, session=exam.session)
    theory = PartResult.objects.filter(part=AssessmentPart.THEORY)
    assert {r.score for r in theory} == {Decimal("96.00")}  # 30 + 30 + 36 of 100
    practical = PartResult.objects.filter(part=AssessmentPart.PRACTICAL)
    assert {(r.score, r.passed) for r in practical} == {(Decimal("80.00"), True)}


def test_the_occupation_pass_mark_applies(exam: ExamWorld) -> None:
    PassMark.objects.create(
        occupation=exam.session.occupation, part=AssessmentPart.PRACTICAL, pass_mark=85
    )
    _mark_all(exam)
    services.results_compile(actor=exam.admin, session=exam.session)
    assert not PartResult.objects.get(
        part=AssessmentPart.PRACTICAL, registration=exam.candidates[0][1]
    ).passed


def test_corrections_need_a_second_person(exam: ExamWorld) -> None:
    _mark_all(exam)
    services.results_compile(actor=exam.admin, session=exam.session)
    result = PartResult.objects.get(
        part=AssessmentPart.PRACTICAL, registration=exam.candidates[0][1]
    )
    asked = services.correction_request(
        actor=exam.assessors[0], result=result, new_score="50", reason="评分表第1项登记错误"
    )
    with pytest.raises(Forbidden):
        services.correction_review(actor=exam.assessors[0], correction=asked, approve=True)
    result.refresh_from_db()
    assert result.score == Decimal("80.00")
    services.correction_review(actor=exam.admin, correction=asked, approve=True, note="核实无误")
    result.refresh_from_db()
    assert (result.score, result.passed) == (Decimal("50.00"), False)
    entry = AuditEntry.objects.filter(object_type="part_result", object_id=str(result.pk)).get()
    assert entry.before == {"score": "80.00"} and entry.reason == "评分表第1项登记错误"


def test_review_publish_objections_then_final(exam: ExamWorld) -> None:
    _mark_all(exam)
    services.results_compile(actor=exam.admin, session=exam.session)
    with pytest.raises(Conflict):
        services.results_publish(actor=exam.admin, session=exam.session)
    services.results_review(actor=exam.admin, session=exam.session)
    monday = timezone.make_aware(dt.datetime(2026, 12, 7, 10, 0))
    publication = services.results_publish(actor=exam.admin, session=exam.session, at=monday)
    assert publication.objection_until == dt.date(2026, 12, 14)  # 5 working days
    assert services.final_passes(session=exam.session) == []
    user, registration = exam.candidates[0]
    objection = services.objection_raise(
        actor=user,
        publication=publication,
        text="操作技能成绩偏低，请复核",
        today=dt.date(2026, 12, 8),
    )
    assert objection.registration_id == registration.pk
    with pytest.raises(Conflict, match="公示期"):
        services.results_finalise(
            actor=exam.admin, session=exam.session, today=dt.date(2026, 12, 14)
        )
    with pytest.raises(Conflict, match="未答复"):
        services.results_finalise(
            actor=exam.admin, session=exam.session, today=dt.date(2026, 12, 15)
        )
    services.objection_answer(actor=exam.admin, objection=objection, answer="经复核，评分无误")
    final = services.results_finalise(
        actor=exam.admin, session=exam.session, today=dt.date(2026, 12, 15)
    )
    assert final.status == PublicationStatus.FINAL
    passes = services.final_passes(session=exam.session)
    assert {p.registration.pk for p in passes} == {r.pk for _, r in exam.candidates}
    assert passes[0].scores == {"theory": Decimal("96.00"), "practical": Decimal("80.00")}
    with pytest.raises(Conflict, match="已确认"):
        services.correction_request(
            actor=exam.admin,
            result=PartResult.objects.first(),  # type: ignore[arg-type]
            new_score="10",
            reason="公示后",
        )
