"""Learning time the server verifies: what each heartbeat credits, scenario by scenario."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings

from jineng.audit.models import AuditEntry
from jineng.identity.models import Role, User
from jineng.identity.testing import make_user
from jineng.learning.errors import HeartbeatInvalid, LearningForbidden
from jineng.learning.models import (
    Course,
    CreditedSegment,
    LearningStream,
    Lesson,
    LessonProgress,
    StreamState,
)
from jineng.learning.services import (
    learning_heartbeat,
    learning_stream_close,
    learning_stream_open,
)
from jineng.learning.services.learning_time import HeartbeatResult, Outcome
from jineng.learning.tests.conftest import T0, person_of

pytestmark = pytest.mark.django_db


def s(seconds: float) -> dt.datetime:
    return T0 + dt.timedelta(seconds=seconds)


def beat(
    worker: User,
    lesson: Lesson,
    stream: LearningStream,
    t: float,
    pos: float,
    visible: bool = True,
) -> HeartbeatResult:
    return learning_heartbeat(
        person=person_of(worker),
        lesson=lesson,
        stream=stream,
        position_seconds=pos,
        visible=visible,
        at=s(t),
    )


def credited(worker: User, lesson: Lesson) -> int:
    p = LessonProgress.objects.filter(person=person_of(worker), lesson=lesson).first()
    return p.credited_ms if p else 0


def test_watching_at_real_time_is_credited_with_its_segments(worker: User, lesson: Lesson) -> None:
    stream = learning_stream_open(
        actor=worker, person=person_of(worker), lesson=lesson, device="p", at=s(0)
    )
    assert beat(worker, lesson, stream, 0, 0).outcome == Outcome.STARTED
    r = beat(worker, lesson, stream, 10, 10)
    assert (r.outcome, r.credited_ms, r.lesson_credited_ms) == (Outcome.CREDITED, 10_000, 10_000)
    beat(worker, lesson, stream, 20, 20)
    assert credited(worker, lesson) == 20_000
    assert list(CreditedSegment.objects.values_list("start_ms", "end_ms")) == [
        (0, 10_000),
        (10_000, 20_000),
    ]
    assert LessonProgress.objects.get().segments == [[0, 20_000]]


def test_skip_ahead_credits_nothing_and_continues_from_the_new_position(
    worker: User, lesson: Lesson
) -> None:
    stream = learning_stream_open(
        actor=worker, person=person_of(worker), lesson=lesson, device="p", at=s(0)
    )
    beat(worker, lesson, stream, 0, 0)
    r = beat(worker, lesson, stream, 10, 300)
    assert (r.outcome, r.credited_ms) == (Outcome.TOO_FAST, 0)
    r = beat(worker, lesson, stream, 20, 310)
    assert r.credited_ms == 10_000
    assert LessonProgress.objects.get().segments == [[300_000, 310_000]]


def test_double_speed_earns_nothing(worker: User, lesson: Lesson) -> None:
    stream = learning_stream_open(
        actor=worker, person=person_of(worker), lesson=lesson, device="p", at=s(0)
    )
    for i in range(10):
        beat(worker, lesson, stream, i * 10, i * 20)
    assert credited(worker, lesson) == 0


def test_jitter_within_tolerance_is_credited_but_never_beyond_wall_time(
    worker: User, lesson: Lesson
) -> None:
    stream = learning_stream_open(
        actor=worker, person=person_of(worker), lesson=lesson, device="p", at=s(0)
    )
    beat(worker, lesson, stream, 0, 0)
    r = beat(worker, lesson, stream, 10, 10.5)  # the player ran 0.5 s ahead of the clock
    assert r.credited_ms == 10_000


def test_a_hidden_page_earns_nothing_on_either_side(worker: User, lesson: Lesson) -> None:
    stream = learning_stream_open(
        actor=worker, person=person_of(worker), lesson=lesson, device="p", at=s(0)
    )
    beat(worker, lesson, stream, 0, 0)
    assert beat(worker, lesson, stream, 10, 10, visible=False).outcome == Outcome.HIDDEN
    assert beat(worker, lesson, stream, 20, 20).outcome == Outcome.HIDDEN
    assert beat(worker, lesson, stream, 30, 30).credited_ms == 10_000
    assert LessonProgress.objects.get().segments == [[20_000, 30_000]]


def test_a_second_device_pauses_the_first(worker: User, lesson: Lesson) -> None:
    phone = learning_stream_open(
        actor=worker, person=person_of(worker), lesson=lesson, device="phone", at=s(0)
    )
    beat(worker, lesson, phone, 0, 0)
    pc = learning_stream_open(
        actor=worker, person=person_of(worker), lesson=lesson, device="pc", at=s(5)
    )
    phone.refresh_from_db()
    assert phone.state == StreamState.PAUSED
    r = beat(worker, lesson, phone, 10, 10)
    assert (r.outcome, r.credited_ms) == (Outcome.INACTIVE, 0)
    beat(worker, lesson, pc, 6, 100)
    assert beat(worker, lesson, pc, 16, 110).credited_ms == 10_000
    assert credited(worker, lesson) == 10_000


def test_rewatching_is_never_credited_twice(worker: User, lesson: Lesson) -> None:
    stream = learning_stream_open(
        actor=worker, person=person_of(worker), lesson=lesson, device="p", at=s(0)
    )
    beat(worker, lesson, stream, 0, 0)
    beat(worker, lesson, stream, 10, 10)
    assert beat(worker, lesson, stream, 11, 0).outcome == Outcome.BACKWARD
    r = beat(worker, lesson, stream, 21, 10)
    assert (r.outcome, r.credited_ms) == (Outcome.ALREADY_CREDITED, 0)
    r = beat(worker, lesson, stream, 31, 20)
    assert r.credited_ms == 10_000
    # Partly new: 15..25 after 0..20 credits only 20..25.
    beat(worker, lesson, stream, 32, 15)
    assert beat(worker, lesson, stream, 42, 25).credited_ms == 5_000
    assert credited(worker, lesson) == 25_000
    rows = list(CreditedSegment.objects.order_by("start_ms").values_list("start_ms", "end_ms"))
    assert all(a[1] <= b[0] for a, b in zip(rows, rows[1:], strict=False))


def test_a_long_silence_credits_nothing_for_that_interval(worker: User, lesson: Lesson) -> None:
    stream = learning_stream_open(
        actor=worker, person=person_of(worker), lesson=lesson, device="p", at=s(0)
    )
    beat(worker, lesson, stream, 0, 0)
    assert beat(worker, lesson, stream, 400, 400).outcome == Outcome.GAP
    assert credited(worker, lesson) == 0


def test_out_of_order_heartbeat_changes_nothing(worker: User, lesson: Lesson) -> None:
    stream = learning_stream_open(
        actor=worker, person=person_of(worker), lesson=lesson, device="p", at=s(0)
    )
    beat(worker, lesson, stream, 10, 10)
    assert beat(worker, lesson, stream, 5, 5).outcome == Outcome.STALE
    stream.refresh_from_db()
    assert stream.last_position_ms == 10_000


@override_settings(LEARNING_DAILY_CAP_HOURS=1, LEARNING_HOUR_MINUTES=1)
def test_daily_cap_stops_crediting_for_the_local_day(
    worker: User, make_course: Callable[..., Course]
) -> None:
    course = make_course(lessons=(600,))
    lesson = Lesson.objects.get(chapter__course=course)
    stream = learning_stream_open(
        actor=worker, person=person_of(worker), lesson=lesson, device="p", at=s(0)
    )
    beat(worker, lesson, stream, 0, 0)
    beat(worker, lesson, stream, 50, 50)
    r = beat(worker, lesson, stream, 100, 100)  # cap 60 s: only 10 of these 50 s
    assert r.credited_ms == 10_000
    assert beat(worker, lesson, stream, 110, 110).outcome == Outcome.DAILY_CAP
    assert credited(worker, lesson) == 60_000
    # T0 is 17:00 in Shanghai: seven hours later is the next local day, and the cap resets.
    tomorrow = 7 * 3600 + 1
    beat(worker, lesson, stream, tomorrow, 200)
    assert beat(worker, lesson, stream, tomorrow + 10, 210).credited_ms == 10_000


def test_lesson_completes_at_95_percent_with_one_audit_entry(
    worker: User, make_course: Callable[..., Course]
) -> None:
    lesson = Lesson.objects.get(chapter__course=make_course(lessons=(100,)))
    stream = learning_stream_open(
        actor=worker, person=person_of(worker), lesson=lesson, device="p", at=s(0)
    )
    beat(worker, lesson, stream, 0, 0)
    assert not beat(worker, lesson, stream, 90, 90).completed
    assert beat(worker, lesson, stream, 95, 95).completed
    assert not beat(worker, lesson, stream, 100, 100).completed
    progress = LessonProgress.objects.get()
    assert progress.completed_at == s(95)
    assert (
        AuditEntry.objects.filter(action="lesson_complete", object_id=str(progress.pk)).count() == 1
    )


def test_position_past_the_end_counts_only_to_the_end(
    worker: User, make_course: Callable[..., Course]
) -> None:
    lesson = Lesson.objects.get(chapter__course=make_course(lessons=(20,)))
    stream = learning_stream_open(
        actor=worker, person=person_of(worker), lesson=lesson, device="p", at=s(0)
    )
    beat(worker, lesson, stream, 0, 15)
    beat(worker, lesson, stream, 10, 25)
    assert credited(worker, lesson) == 5_000


def test_heartbeats_write_no_audit_entry_and_few_queries(worker: User, lesson: Lesson) -> None:
    stream = learning_stream_open(
        actor=worker, person=person_of(worker), lesson=lesson, device="p", at=s(0)
    )
    beat(worker, lesson, stream, 0, 0)
    beat(worker, lesson, stream, 10, 10)
    audits = AuditEntry.objects.count()
    with CaptureQueriesContext(connection) as uncredited:
        beat(worker, lesson, stream, 11, 5)  # backward: nothing credited
    with CaptureQueriesContext(connection) as crediting:
        beat(worker, lesson, stream, 21, 15)
    assert AuditEntry.objects.count() == audits
    statements = [q["sql"] for q in uncredited.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert len(statements) <= 2
    statements = [q["sql"] for q in crediting.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert len(statements) <= 7


def test_a_stream_of_another_person_is_refused(worker: User, lesson: Lesson) -> None:
    stream = learning_stream_open(
        actor=worker, person=person_of(worker), lesson=lesson, device="p", at=s(0)
    )
    other = make_user(Role.WORKER)
    with pytest.raises(HeartbeatInvalid):
        learning_heartbeat(
            person=person_of(other),
            lesson=lesson,
            stream=stream,
            position_seconds=1,
            visible=True,
            at=s(1),
        )
    with pytest.raises(LearningForbidden):
        learning_stream_open(actor=other, person=person_of(worker), lesson=lesson, device="x")


def test_negative_or_nan_position_is_refused(worker: User, lesson: Lesson) -> None:
    stream = learning_stream_open(
        actor=worker, person=person_of(worker), lesson=lesson, device="p", at=s(0)
    )
    for bad in (-1, float("nan")):
        with pytest.raises(HeartbeatInvalid) as err:
            beat(worker, lesson, stream, 1, bad)
        assert err.value.field == "position_seconds"


def test_an_unpublished_course_cannot_be_learned(
    worker: User, make_course: Callable[..., Course]
) -> None:
    lesson = Lesson.objects.get(chapter__course=make_course(publish=False))
    with pytest.raises(LearningForbidden, match="未发布"):
        learning_stream_open(actor=worker, person=person_of(worker), lesson=lesson, device="p")


def test_open_and_close_are_audited_and_a_resumed_stream_measures_afresh(
    worker: User, lesson: Lesson
) -> None:
    stream = learning_stream_open(
        actor=worker, person=person_of(worker), lesson=lesson, device="p", at=s(0)
    )
    beat(worker, lesson, stream, 0, 0)
    learning_stream_close(actor=worker, stream=stream, at=s(5))
    assert beat(worker, lesson, stream, 10, 10).outcome == Outcome.INACTIVE
    stream = learning_stream_open(
        actor=worker, person=person_of(worker), lesson=lesson, device="p", at=s(60)
    )
    assert beat(worker, lesson, stream, 70, 70).outcome == Outcome.STARTED
    actions = list(
        AuditEntry.objects.filter(object_type="learning.stream").values_list("action", flat=True)
    )
    assert actions == ["learning_stream_open", "learning_stream_close", "learning_stream_open"]


def test_double_speed_into_the_end_is_not_hidden_by_the_length(
    worker: User, make_course: Callable[..., Course]
) -> None:
    # Found by the property test: 230 s → "250 s" in 10 s was clamped to 240 s and credited.
    lesson = Lesson.objects.get(chapter__course=make_course(lessons=(240,)))
    stream = learning_stream_open(
        actor=worker, person=person_of(worker), lesson=lesson, device="p", at=s(0)
    )
    beat(worker, lesson, stream, 0, 230)
    assert beat(worker, lesson, stream, 10, 250).outcome == Outcome.TOO_FAST
    assert beat(worker, lesson, stream, 20, 260).outcome == Outcome.PAST_END
    assert credited(worker, lesson) == 0
