"""Test data for exam-room records and the panel review: staff with their own person and account."""

from __future__ import annotations

import datetime as dt

from jineng.assessment import services
from jineng.assessment.models import AssessorQualification, ExamSession
from jineng.assessment.tests.exam_support import ExamWorld
from jineng.identity.models import Role, User
from jineng.identity.testing import make_person, make_user


def staff_member(exam: ExamWorld, part: str, name: str, *, chair: bool = False) -> User:
    person = make_person(name=name)
    user = make_user(Role.ASSESSOR, organisation=exam.world.organisation, person=person)
    if part != "theory":
        AssessorQualification.objects.create(
            person=person,
            occupation=exam.session.occupation,
            valid_from=dt.date(2020, 1, 1),
            valid_to=dt.date(2099, 1, 1),
        )
    services.staff_assign(
        actor=exam.admin, session=exam.session, part=part, person=person, chair=chair
    )
    return user


def with_panel(exam: ExamWorld) -> ExamSession:
    """The exam's session with a panel review part (test data: set straight on the row)."""
    ExamSession.objects.filter(pk=exam.session.pk).update(parts=["theory", "practical", "panel"])
    exam.session.refresh_from_db()
    return exam.session
