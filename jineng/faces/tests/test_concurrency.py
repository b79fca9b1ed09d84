"""Races on PostgreSQL: captures of one person at once leave one photo awaiting review; officers
deciding one photo at once, one decides; two purges at once empty each image once."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable

import pytest
from django.db import connection, connections
from django.utils import timezone

from jineng.audit.models import AuditEntry
from jineng.core.errors import Conflict
from jineng.faces.models import EnrolmentStatus, FaceEnrolment
from jineng.faces.services import (
    face_enrol,
    face_enrolment_approve,
    face_enrolment_reject,
    faces_purge,
)
from jineng.faces.testing import fake_face_image
from jineng.identity.models import Person, Role, User
from jineng.identity.testing import make_person, make_user

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent connections"),
    pytest.mark.django_db(transaction=True),
]


def race(jobs: list[Callable[[], object]]) -> tuple[list[object], list[BaseException]]:
    barrier = threading.Barrier(len(jobs))
    results: list[object] = []
    errors: list[BaseException] = []

    def run(job: Callable[[], object]) -> None:
        try:
            barrier.wait()
            results.append(job())
        except BaseException as exc:  # collected for the assertions
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, errors


def test_simultaneous_captures_leave_one_pending(person: Person) -> None:
    results, errors = race(
        [lambda: face_enrol(actor=None, person=person, image=fake_face_image())] * 6
    )
    assert len(results) == 1
    assert len(errors) == 5 and all(isinstance(e, Conflict) for e in errors)
    assert FaceEnrolment.objects.filter(status=EnrolmentStatus.PENDING).count() == 1
    assert AuditEntry.objects.filter(action="face_enrol").count() == 1


def test_officers_deciding_at_once_one_decides(person: Person, officer: User) -> None:
    enrolment = face_enrol(actor=None, person=person, image=fake_face_image())
    others = [make_user(Role.BUREAU_APPROVER, region="441900") for _ in range(3)]
    jobs: list[Callable[[], object]] = [
        lambda: face_enrolment_approve(actor=officer, enrolment=enrolment),
        *[
            (lambda who=who: face_enrolment_reject(actor=who, enrolment=enrolment, reason="否"))
            for who in others
        ],
    ]
    results, errors = race(jobs)
    assert len(results) == 1 and len(errors) == 3
    assert all(isinstance(e, Conflict) for e in errors)
    decisions = AuditEntry.objects.filter(action__in=["face_approve", "face_reject"])
    assert decisions.count() == 1
    enrolment.refresh_from_db()
    after = decisions.get().after
    assert after is not None and enrolment.status == after["status"] != "pending"


def test_two_purges_at_once_empty_each_image_once() -> None:
    for _ in range(30):
        face_enrol(actor=None, person=make_person(), image=fake_face_image())
    FaceEnrolment.objects.update(retain_until=timezone.now() - dt.timedelta(days=1))
    results, errors = race([faces_purge, faces_purge])
    assert errors == []
    assert sum(int(str(r)) for r in results) == 30
    assert AuditEntry.objects.filter(action="face_purge").count() == 30
