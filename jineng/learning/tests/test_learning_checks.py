"""Real-name checks while learning: issued after a drawn amount of credit, nothing credited while
one waits, a live capture of the enrolled face passes, another face or no answer in time voids
the time since the last passed check, and too many failures fail the course."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from django.test import override_settings

from jineng.audit.models import AuditEntry
from jineng.faces.services import face_enrol, face_enrolment_approve
from jineng.faces.testing import fake_face_image
from jineng.identity.models import Role, User
from jineng.identity.testing import make_user
from jineng.learning.errors import HeartbeatInvalid, LearningForbidden
from jineng.learning.models import (
    CheckStatus,
    CourseFailure,
    DailyLearning,
    LearningCheck,
    LearningStream,
    Lesson,
    LessonProgress,
)
from jineng.learning.services import (
    learning_check_answer,
    learning_heartbeat,
    learning_stream_open,
)
from jineng.learning.services.learning_time import HeartbeatResult, Outcome
from jineng.learning.tests.conftest import T0, person_of

pytestmark = pytest.mark.django_db

# 7 学时 × 45 min ÷ 315 checks = one check per 60 s of credit, exactly (no jitter).
CHECKS = {
    "LEARNING_CHECKS_PER_DAY": 315,
    "LEARNING_CHECK_JITTER": 0.0,
    "LEARNING_CHECK_ANSWER_SECONDS": 60,
    "LEARNING_CHECK_MAX_FAILURES": 2,
    "FACES_PROVIDER": "jineng.faces.testing.FakeFaceProvider",
}


@pytest.fixture(autouse=True)
def checks_on() -> Iterator[None]:
    with override_settings(**CHECKS):
        yield


@pytest.fixture
def enrolled(worker: User) -> User:
    enrolment = face_enrol(actor=None, person=person_of(worker), image=fake_face_image("学员"))
    face_enrolment_approve(actor=make_user(Role.SYSADMIN), enrolment=enrolment)
    return worker


def at(seconds: float) -> dt.datetime:
    return T0 + dt.timedelta(seconds=seconds)


def watch(
    worker: User, lesson: Lesson, stream: LearningStream, start: float, until: float, t0: float
) -> list[HeartbeatResult]:
    """Heartbeats every 5 s of real-time playback from position `start` to `until`, wall time
    starting at `t0`."""
    out = []
    pos = start
    while pos <= until:
        out.append(
            learning_heartbeat(
                person=person_of(worker),
                lesson=lesson,
                stream=stream,
                position_seconds=pos,
                visible=True,
                at=at(t0 + pos - start),
            )
        )
        pos += 5
    return out


def credited(worker: User, lesson: Lesson) -> int:
    p = LessonProgress.objects.get(person=person_of(worker), lesson=lesson)
    return p.credited_ms


def open_stream(worker: User, lesson: Lesson, t: float = 0) -> LearningStream:
    return learning_stream_open(
        actor=worker, person=person_of(worker), lesson=lesson, device="phone", at=at(t)
    )


def test_a_check_is_issued_after_the_drawn_credit_and_blocks_crediting(
    enrolled: User, lesson: Lesson
) -> None:
    stream = open_stream(enrolled, lesson)
    results = watch(enrolled, lesson, stream, 0, 60, 0)
    assert results[-1].check_id is not None  # 60 s credited: a check waits
    check = LearningCheck.objects.get(pk=results[-1].check_id)
    assert check.status == CheckStatus.PENDING
    assert check.due_by == check.issued_at + dt.timedelta(seconds=60)
    # While it waits, playing on earns nothing.
    later = watch(enrolled, lesson, stream, 65, 80, 65)
    assert {r.outcome for r in later} == {Outcome.CHECK_PENDING}
    assert credited(enrolled, lesson) == 60_000
    assert AuditEntry.objects.filter(action="learning_check_issue").count() == 1


def test_the_enrolled_face_passes_and_learning_goes_on(enrolled: User, lesson: Lesson) -> None:
    stream = open_stream(enrolled, lesson)
    check_id = watch(enrolled, lesson, stream, 0, 60, 0)[-1].check_id
    assert check_id is not None
    check = learning_check_answer(
        actor=enrolled,
        person=person_of(enrolled),
        check=check_id,
        image=fake_face_image("学员", offset=0.05),
        at=at(70),
    )
    assert check.status == CheckStatus.PASSED and check.face_check is not None
    results = watch(enrolled, lesson, stream, 60, 90, 75)
    assert results[0].outcome == Outcome.STARTED  # measuring starts again after the check
    assert credited(enrolled, lesson) == 60_000 + 30_000
    with pytest.raises(HeartbeatInvalid):  # answered once
        learning_check_answer(
            actor=enrolled, person=person_of(enrolled), check=check_id, image=b"", at=at(80)
        )


def test_another_face_voids_the_time_since_the_last_passed_check(
    enrolled: User, lesson: Lesson
) -> None:
    stream = open_stream(enrolled, lesson)
    first = watch(enrolled, lesson, stream, 0, 60, 0)[-1].check_id
    assert first is not None
    learning_check_answer(
        actor=enrolled,
        person=person_of(enrolled),
        check=first,
        image=fake_face_image("学员"),
        at=at(62),
    )
    second = watch(enrolled, lesson, stream, 60, 120, 70)[-1].check_id  # 60 s more
    assert second is not None and credited(enrolled, lesson) == 120_000
    check = learning_check_answer(
        actor=enrolled,
        person=person_of(enrolled),
        check=second,
        image=fake_face_image("别人"),  # someone else in front of the camera
        at=at(135),
    )
    assert check.status == CheckStatus.FAILED
    assert check.voided_ms == 60_000  # only what came after the passed check
    assert credited(enrolled, lesson) == 60_000
    day = DailyLearning.objects.get(person=person_of(enrolled))
    assert day.credited_ms == 60_000
    # The ledger keeps every segment; the voided ones are marked, not deleted.
    progress = LessonProgress.objects.get(person=person_of(enrolled), lesson=lesson)
    assert progress.segments == [[0, 60_000]]


def test_a_check_not_answered_in_time_is_missed_and_voids(enrolled: User, lesson: Lesson) -> None:
    stream = open_stream(enrolled, lesson)
    check_id = watch(enrolled, lesson, stream, 0, 60, 0)[-1].check_id
    assert check_id is not None
    late = learning_heartbeat(
        person=person_of(enrolled),
        lesson=lesson,
        stream=stream,
        position_seconds=65,
        visible=True,
        at=at(60 + 61),
    )
    assert late.outcome == Outcome.CHECK_MISSED
    assert LearningCheck.objects.get(pk=check_id).status == CheckStatus.MISSED
    assert credited(enrolled, lesson) == 0  # nothing passed before it: all of it is void


def test_too_many_failures_fail_the_course(enrolled: User, lesson: Lesson) -> None:
    stream = open_stream(enrolled, lesson)
    t = 0.0
    for _ in range(2):  # LEARNING_CHECK_MAX_FAILURES
        results = watch(enrolled, lesson, stream, 0, 60, t)
        check_id = results[-1].check_id
        assert check_id is not None
        learning_check_answer(
            actor=enrolled,
            person=person_of(enrolled),
            check=check_id,
            image=fake_face_image("别人"),
            at=at(t + 70),
        )
        t += 200
    assert CourseFailure.objects.filter(person=person_of(enrolled)).count() == 1
    with pytest.raises(LearningForbidden) as refused:
        open_stream(enrolled, lesson, t=t + 10)
    assert "不合格" in refused.value.message


def test_no_checks_when_turned_off(enrolled: User, lesson: Lesson) -> None:
    with override_settings(LEARNING_CHECKS_PER_DAY=0):
        stream = open_stream(enrolled, lesson)
        results = watch(enrolled, lesson, stream, 0, 300, 0)
    assert all(r.check_id is None for r in results)
    assert credited(enrolled, lesson) == 300_000
