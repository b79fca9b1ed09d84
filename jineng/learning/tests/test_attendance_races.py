"""Races settled by the database (PostgreSQL: real parallel connections): 8 parallel check-ins of
one trainee with one token record one check-in; parallel enrolments never overfill a class."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import connection, connections
from django.test import override_settings

from jineng.faces.testing import fake_face_image
from jineng.learning.errors import CheckInRefused, ClassConflict
from jineng.learning.models import Attendance, Course, Enrolment, TokenUse, TrainingClass
from jineng.learning.services.attendance import attendance_check_in, checkin_token
from jineng.learning.services.classes import class_enrol, class_transition
from jineng.learning.tests.class_helpers import (
    FAKE_FACES,
    assign,
    face_ready,
    first_session,
    make_class,
    make_teacher,
    young,
)
from jineng.organisations.models import Organisation

pytestmark = pytest.mark.django_db(transaction=True)
PARALLEL = 8
DAY = dt.date(2026, 6, 1)


def in_parallel(work: Callable[[int], Any], n: int = PARALLEL) -> list[Any]:
    barrier = threading.Barrier(n)
    results: list[Any] = [None] * n

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = work(i)
        except Exception as exc:  # noqa: BLE001 - the test inspects what each thread got
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


@pytest.fixture(autouse=True)
def pg() -> Iterator[None]:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (parallel connections)")
    with override_settings(**FAKE_FACES):
        yield


def test_eight_parallel_check_ins_with_one_token_record_one(
    make_course: Callable[..., Course], provider: Organisation
) -> None:
    klass = make_class(make_course(), days=[DAY], subsidised=False)
    assign(klass, make_teacher(provider))
    person = young()
    class_enrol(actor=None, klass=klass, person=person)
    class_transition(actor=None, klass=klass, to="training")
    face_ready(person, "并发学员")
    session = first_session(klass)
    at = session.starts_at + dt.timedelta(minutes=1)
    token = checkin_token(session, at=at)
    results = in_parallel(
        lambda i: attendance_check_in(
            actor=None,
            person=person,
            token=token,
            image=fake_face_image("并发学员"),
            at=at,
        )
    )
    won = [r for r in results if isinstance(r, Attendance)]
    lost = [r for r in results if isinstance(r, CheckInRefused)]
    assert len(won) == 1, results
    assert len(lost) == PARALLEL - 1 and {r.field for r in lost} == {"replayed"}
    assert Attendance.objects.filter(session=session).count() == 1
    assert TokenUse.objects.filter(session=session).count() == 1


def test_parallel_enrolments_never_overfill(make_course: Callable[..., Course]) -> None:
    klass = make_class(make_course(), days=[DAY], capacity=3)
    people = [young() for _ in range(PARALLEL)]
    results = in_parallel(lambda i: class_enrol(actor=None, klass=klass, person=people[i]))
    won = [r for r in results if isinstance(r, Enrolment)]
    full = [r for r in results if isinstance(r, ClassConflict)]
    assert len(won) == 3 and len(full) == PARALLEL - 3, results
    assert all("已满" in r.message for r in full)
    klass = TrainingClass.objects.get(pk=klass.pk)
    assert klass.enrolled == 3 == Enrolment.objects.filter(klass=klass).count()
