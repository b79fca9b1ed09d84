"""A session whose results are final, for the certificate tests: one insured candidate, sat,
marked, published (公示) two weeks ago and final; its organisation registered as an issuer."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from jineng.assessment import services
from jineng.assessment.models import Registration, SessionStatus
from jineng.assessment.tests.exam_support import ExamWorld, make_exam
from jineng.assessment.tests.test_marking import _mark_all, _sit
from jineng.certificates.services import ScopeEntry, issuer_register
from jineng.core.states import transition
from jineng.identity.models import Role, User
from jineng.identity.testing import make_person, make_user

NAME = "邓志明"


def final_session() -> tuple[ExamWorld, User]:
    """A session of one insured candidate, sat, marked, published 公示 two weeks ago, final."""
    exam = make_exam(candidates=0, open_session=False)
    person = make_person(name=NAME, insured=True, insured_since=dt.date(2015, 1, 1))
    worker = make_user(Role.WORKER, person=person)
    registration = Registration.objects.create(session=exam.session, person=person)
    exam.candidates.append((worker, registration))
    transition(obj_or_queryset=exam.session, to=SessionStatus.OPEN, actor=None, reason="测试开考")
    exam.session.refresh_from_db()
    _sit(exam)
    services.practical_tasks_create(actor=exam.admin, session=exam.session)
    _mark_all(exam)
    services.results_compile(actor=exam.admin, session=exam.session)
    services.results_review(actor=exam.admin, session=exam.session)
    services.results_publish(
        actor=exam.admin, session=exam.session, at=timezone.now() - dt.timedelta(days=14)
    )
    services.results_finalise(actor=exam.admin, session=exam.session)
    issuer_register(
        actor=None, organisation=exam.world.organisation, agency_code="1234",
        site_code="190001", scope=[ScopeEntry(exam.session.occupation_id, "3")],
    )  # fmt: skip
    return exam, worker
