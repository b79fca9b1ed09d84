"""Who reads a learner's ledger, and who reads which course."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.http import Http404

from jineng.identity.models import Role, User
from jineng.identity.testing import make_user
from jineng.learning.access import access_course_by_id, access_lesson_by_id
from jineng.learning.models import Course, Lesson
from jineng.learning.selectors import lesson_ledger, person_lesson_progress
from jineng.learning.services import learning_heartbeat, learning_stream_open
from jineng.learning.tests.conftest import T0, person_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def watched(worker: User, lesson: Lesson) -> Lesson:
    stream = learning_stream_open(
        actor=worker, person=person_of(worker), lesson=lesson, device="p", at=T0
    )
    for t in (0, 10, 20):
        learning_heartbeat(
            person=person_of(worker),
            lesson=lesson,
            stream=stream,
            position_seconds=t,
            visible=True,
            at=T0 + dt.timedelta(seconds=t),
        )
    return lesson


def test_the_learner_reads_their_own_ledger(worker: User, watched: Lesson) -> None:
    ledger = lesson_ledger(user=worker, person=person_of(worker), lesson=watched)
    assert ledger.credited_ms == 20_000
    assert ledger.merged == [(0, 20_000)]
    assert [(s.start_ms, s.end_ms) for s in ledger.segments] == [(0, 10_000), (10_000, 20_000)]
    assert ledger.ratio == pytest.approx(20 / 600)
    assert [p.lesson_id for p in person_lesson_progress(user=worker, person=person_of(worker))] == [
        watched.pk
    ]


def test_an_officer_in_scope_reads_it_and_one_elsewhere_gets_404(
    worker: User, reviewer: User, watched: Lesson
) -> None:
    assert (
        lesson_ledger(user=reviewer, person=person_of(worker), lesson=watched).credited_ms == 20_000
    )
    elsewhere = make_user(Role.BUREAU_REVIEWER, region="330500")
    with pytest.raises(Http404):
        lesson_ledger(user=elsewhere, person=person_of(worker), lesson=watched)
    with pytest.raises(Http404):
        person_lesson_progress(user=elsewhere, person=person_of(worker))


def test_another_worker_gets_404(worker: User, watched: Lesson) -> None:
    other = make_user(Role.WORKER)
    with pytest.raises(Http404):
        lesson_ledger(user=other, person=person_of(worker), lesson=watched)


def test_a_draft_course_is_404_to_workers_and_visible_to_its_staff(
    worker: User, staff: User, reviewer: User, make_course: Callable[..., Course]
) -> None:
    draft = make_course(publish=False)
    with pytest.raises(Http404):
        access_course_by_id(worker, draft.pk)
    with pytest.raises(Http404):
        access_course_by_id(worker, "not-a-number")
    assert access_course_by_id(staff, draft.pk) == draft
    assert access_course_by_id(reviewer, draft.pk) == draft
    lesson = draft.chapters.get().lessons.get()
    with pytest.raises(Http404):
        access_lesson_by_id(worker, lesson.pk)
    assert access_lesson_by_id(staff, lesson.pk) == lesson
