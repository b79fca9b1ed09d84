"""The panel review scored per criterion by its members only; retakes with 单科成绩保留."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import override_settings
from django.utils import timezone

from jineng.assessment import services
from jineng.assessment.access_examroom import access_panel_session
from jineng.assessment.models import (
    PanelScore,
    PartResult,
    PublicationStatus,
    Registration,
    ResultPublication,
    RetainedPart,
)
from jineng.assessment.tests.exam_support import ExamWorld, make_exam
from jineng.assessment.tests.room_support import staff_member, with_panel
from jineng.core.errors import Conflict, Forbidden, NotFound, Unprocessable
from jineng.reference.models import SkillLevel

pytestmark = pytest.mark.django_db


@pytest.fixture
def exam() -> ExamWorld:
    return make_exam(candidates=2)


def test_members_score_per_criterion_and_outsiders_are_refused(exam: ExamWorld) -> None:
    session = with_panel(exam)
    member = staff_member(exam, "panel", "评委甲", chair=True)
    registration, second = (Registration.objects.get(pk=r.pk) for _, r in exam.candidates)
    row = services.panel_score_record(
        actor=member, registration=registration, criteria=[25, 28, "15.5", 18], comment="答辩清楚"
    )
    assert row.score == Decimal("86.50") and row.comment == "答辩清楚"
    assert access_panel_session(member, session.pk) == session
    with pytest.raises(NotFound):
        access_panel_session(exam.assessors[1], session.pk)
    before = PanelScore.objects.count()
    with pytest.raises(Forbidden, match="不是该考试批次综合评审组成员"):
        services.panel_score_record(actor=exam.assessors[1], registration=registration, score=80)
    with pytest.raises(Exception, match="第2项「技术能力与技术革新」应在0至30分之间"):
        services.panel_score_record(actor=member, registration=second, criteria=[10, 31, 10, 10])
    with pytest.raises(Conflict, match="已为该考生评分"):
        services.panel_score_record(actor=member, registration=registration, score=70)
    assert PanelScore.objects.count() == before


def _final(exam: ExamWorld, registration: Registration, theory: int, practical: int) -> None:
    for part, score in (("theory", theory), ("practical", practical)):
        PartResult.objects.create(
            registration=registration, part=part, score=score, pass_mark=60, passed=score >= 60
        )
    ResultPublication.objects.get_or_create(
        session=exam.session, defaults={"status": PublicationStatus.FINAL}
    )


def _later(exam: ExamWorld, days: int) -> services.ExamSession:  # type: ignore[name-defined]
    return services.session_plan(
        actor=exam.admin,
        organisation=exam.world.organisation,
        occupation=exam.session.occupation,
        level=SkillLevel.ADVANCED,
        parts=["theory", "practical"],
        starts_at=exam.session.starts_at + dt.timedelta(days=days),
        venue="补考考点",
        capacity=10,
    )


def test_a_retake_sits_only_the_failed_part_and_keeps_the_passed_one(exam: ExamWorld) -> None:
    user, first = exam.candidates[0]
    _final(exam, first, theory=82, practical=40)
    later = _later(exam, 120)
    registration = services.registration_create(
        actor=exam.admin, session=later, person=first.person, retake=True
    )
    kept = RetainedPart.objects.get(registration=registration)
    assert kept.part == "theory" and kept.result.score == 82
    with pytest.raises(Conflict, match="理论知识考试成绩已保留"):
        services.attempt_admit(
            actor=exam.assessors[0], registration=registration, method="invigilator"
        )
    # the practical part, marked: the result combines the kept theory and the new practical
    services.exam_configure(
        actor=exam.admin, session=later, blueprint=exam.blueprint, theory_minutes=60,
        practical_item=exam.practical,
    )  # fmt: skip
    services.practical_tasks_create(actor=exam.admin, session=later)
    task = registration.tasks.get()
    for assessor in exam.assessors[:2]:
        services.mark_record(actor=assessor, task=task, criteria=["50", "30"])
    services.results_compile(actor=exam.admin, session=later)
    results = {r.part: r for r in PartResult.objects.filter(registration=registration)}
    assert results["theory"].score == 82 and results["theory"].retained_from_id is not None
    assert results["practical"].score == 80 and results["practical"].passed


def test_an_expired_part_must_be_sat_again(exam: ExamWorld) -> None:
    _, first = exam.candidates[0]
    _final(exam, first, theory=82, practical=40)
    with override_settings(ASSESSMENT_PART_RETENTION_DAYS=365):
        later = _later(exam, 400)
        check = services.retake_check(person=first.person, session=later)
        assert check.retained == {} and "已过期" in check.expired[0]
        registration = services.registration_create(
            actor=exam.admin, session=later, person=first.person, retake=True
        )
    assert not RetainedPart.objects.filter(registration=registration).exists()


def test_no_failed_final_result_no_retake(exam: ExamWorld) -> None:
    _, first = exam.candidates[0]
    later = _later(exam, 30)
    count = Registration.objects.count()
    with pytest.raises(Unprocessable, match="不能按补考报名"):
        services.registration_create(
            actor=exam.admin, session=later, person=first.person, retake=True
        )
    assert Registration.objects.count() == count
    assert timezone.now()  # the session's clock is the server's
