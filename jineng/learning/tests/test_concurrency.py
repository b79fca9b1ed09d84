"""Races settled by the database (PostgreSQL; SQLite serialises writers anyway): parallel opens
leave one active stream, parallel copies of one heartbeat credit it once."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections

from jineng.identity.models import User
from jineng.learning.models import Course, LearningStream, Lesson, LessonProgress, StreamState
from jineng.learning.services import learning_heartbeat, learning_stream_open
from jineng.learning.tests.conftest import T0, person_of

pytestmark = pytest.mark.django_db(transaction=True)
PARALLEL = 8


def in_parallel(work: Callable[[int], Any]) -> list[Any]:
    barrier = threading.Barrier(PARALLEL)
    results: list[Any] = [None] * PARALLEL

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = work(i)
        except Exception as exc:  # noqa: BLE001 - the test inspects what each thread got
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(PARALLEL)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


@pytest.fixture
def pg() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (row locks between connections)")


def test_parallel_opens_on_many_devices_leave_exactly_one_active(
    pg: None, worker: User, make_course: Callable[..., Course]
) -> None:
    lesson = Lesson.objects.get(chapter__course=make_course())
    person = person_of(worker)
    results = in_parallel(
        lambda i: learning_stream_open(
            actor=worker, person=person, lesson=lesson, device=f"d{i}", at=T0
        )
    )
    assert all(isinstance(r, LearningStream) for r in results), results
    assert LearningStream.objects.filter(person=person).count() == PARALLEL
    assert LearningStream.objects.filter(person=person, state=StreamState.ACTIVE).count() == 1


def test_the_same_heartbeat_sent_in_parallel_is_credited_once(
    pg: None, worker: User, make_course: Callable[..., Course]
) -> None:
    lesson = Lesson.objects.get(chapter__course=make_course())
    person = person_of(worker)
    stream = learning_stream_open(actor=worker, person=person, lesson=lesson, device="p", at=T0)
    learning_heartbeat(
        person=person, lesson=lesson, stream=stream, position_seconds=0, visible=True, at=T0
    )
    later = T0 + dt.timedelta(seconds=10)
    results = in_parallel(
        lambda i: learning_heartbeat(
            person=person,
            lesson=lesson,
            stream=stream,
            position_seconds=10,
            visible=True,
            at=later,
        )
    )
    assert sum(r.credited_ms for r in results) == 10_000, results
    assert LessonProgress.objects.get(person=person, lesson=lesson).credited_ms == 10_000


def test_racing_heartbeats_of_one_stream_keep_progress_equal_to_its_segments(
    pg: None, worker: User, make_course: Callable[..., Course]
) -> None:
    # Each thread sends a later heartbeat; whichever order the stream lock grants them in, the
    # progress row is the merge of the appended segments (a heartbeat that waited behind the
    # first credit of the lesson must not overwrite it: the write's guard, learning_time_pg).
    from jineng.learning import segments as seg
    from jineng.learning.models import CreditedSegment, DailyLearning

    lesson = Lesson.objects.get(chapter__course=make_course())
    person = person_of(worker)
    stream = learning_stream_open(actor=worker, person=person, lesson=lesson, device="p", at=T0)
    learning_heartbeat(
        person=person, lesson=lesson, stream=stream, position_seconds=0, visible=True, at=T0
    )
    results = in_parallel(
        lambda i: learning_heartbeat(
            person=person,
            lesson=lesson,
            stream=stream,
            position_seconds=5 * (i + 1),
            visible=True,
            at=T0 + dt.timedelta(seconds=5 * (i + 1)),
        )
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    rows = list(CreditedSegment.objects.filter(person=person).values_list("start_ms", "end_ms"))
    merged = seg.merge(rows)
    assert seg.total(rows) == seg.total(merged)  # nothing credited twice
    progress = LessonProgress.objects.get(person=person, lesson=lesson)
    assert progress.segments == [list(p) for p in merged]
    assert progress.credited_ms == seg.total(merged) == sum(r.credited_ms for r in results)
    assert DailyLearning.objects.get(person=person).credited_ms == progress.credited_ms
