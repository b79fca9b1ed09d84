"""Property tests of learning_heartbeat: for any sequence of heartbeats, device switches and
pauses, what is credited is at most wall time × cap, at most the lesson's length, never the same
segment twice; skipping, 2× speed, a hidden page and a paused device earn nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.db import transaction
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from jineng.identity.models import User
from jineng.learning import segments as seg
from jineng.learning.models import Course, CreditedSegment, LearningStream, Lesson, LessonProgress
from jineng.learning.services import learning_heartbeat, learning_stream_open
from jineng.learning.tests.conftest import T0, person_of

pytestmark = pytest.mark.django_db

SETTINGS = hsettings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
LESSON_SECONDS = 240


@dataclass(frozen=True)
class Step:
    wait_ms: int  # wall time since the previous step
    move_ms: int  # how far the player's position moves (negative: seek back)
    visible: bool
    device: int  # which of two devices sends the heartbeat
    open_first: bool  # the learner (re)opens the lesson on that device first


steps = st.lists(
    st.builds(
        Step,
        wait_ms=st.integers(0, 40_000),
        move_ms=st.integers(-30_000, 90_000),
        visible=st.booleans(),
        device=st.integers(0, 1),
        open_first=st.booleans(),
    ),
    min_size=1,
    max_size=25,
)


@pytest.fixture
def lesson240(make_course: Callable[..., Course]) -> Lesson:
    return Lesson.objects.get(chapter__course=make_course(lessons=(LESSON_SECONDS,)))


def run(worker: User, lesson: Lesson, plan: list[Step]) -> tuple[int, int]:
    """Play `plan`; returns (credited ms, wall ms elapsed since the first step)."""
    person = person_of(worker)
    assert person is not None
    now = T0
    position = [0, 0]
    streams: dict[int, LearningStream] = {}
    for step in plan:
        now += dt.timedelta(milliseconds=step.wait_ms)
        if step.open_first or step.device not in streams:
            streams[step.device] = learning_stream_open(
                actor=worker, person=person, lesson=lesson, device=f"d{step.device}", at=now
            )
        position[step.device] = max(0, position[step.device] + step.move_ms)
        learning_heartbeat(
            person=person,
            lesson=lesson,
            stream=streams[step.device],
            position_seconds=position[step.device] / 1000,
            visible=step.visible,
            at=now,
        )
    progress = LessonProgress.objects.filter(person=person, lesson=lesson).first()
    return (progress.credited_ms if progress else 0), int((now - T0).total_seconds() * 1000)


def check_ledger(worker: User, lesson: Lesson, credited: int) -> None:
    rows = list(
        CreditedSegment.objects.filter(person=person_of(worker), lesson=lesson).values_list(
            "start_ms", "end_ms"
        )
    )
    # Never double: the ledger's segments are pairwise disjoint and add up to the total.
    assert seg.total(rows) == credited
    assert seg.total(seg.merge(rows)) == credited
    progress = LessonProgress.objects.filter(person=person_of(worker), lesson=lesson).first()
    if progress is not None:
        assert seg.merge(progress.segments) == seg.merge(rows)


@SETTINGS
@given(plan=steps)
def test_any_sequence_credits_at_most_wall_time_and_the_length_never_twice(
    worker: User, lesson240: Lesson, plan: list[Step]
) -> None:
    with transaction.atomic():
        credited, wall = run(worker, lesson240, plan)
        assert credited <= wall * settings.LEARNING_RATE_CAP
        assert credited <= LESSON_SECONDS * 1000
        check_ledger(worker, lesson240, credited)
        transaction.set_rollback(True)


@SETTINGS
@given(plan=steps, speed=st.floats(1.5, 8.0))
def test_faster_than_real_time_earns_nothing(
    worker: User, lesson240: Lesson, plan: list[Step], speed: float
) -> None:
    # Every step moves the position `speed` × the wall time (and at least 2 s more than the
    # tolerance), on one device, visible: 2× speed or skipping credits nothing.
    fast = [
        Step(
            wait_ms=max(s.wait_ms, 1_000),
            move_ms=int(max(s.wait_ms, 1_000) * speed) + 3_000,
            visible=True,
            device=0,
            open_first=False,
        )
        for s in plan
    ]
    with transaction.atomic():
        credited, _wall = run(worker, lesson240, fast)
        assert credited == 0
        transaction.set_rollback(True)


@SETTINGS
@given(plan=steps)
def test_a_hidden_page_earns_nothing(worker: User, lesson240: Lesson, plan: list[Step]) -> None:
    hidden = [
        Step(s.wait_ms, abs(s.move_ms), visible=False, device=s.device, open_first=s.open_first)
        for s in plan
    ]
    with transaction.atomic():
        credited, _wall = run(worker, lesson240, hidden)
        assert credited == 0
        transaction.set_rollback(True)


@SETTINGS
@given(plan=steps)
def test_the_paused_device_earns_nothing(worker: User, lesson240: Lesson, plan: list[Step]) -> None:
    # Device 0 opens first, then device 1 takes over for good; device 0 keeps sending perfect
    # real-time heartbeats. Only device 1's heartbeats may credit anything.
    with transaction.atomic():
        person = person_of(worker)
        assert person is not None
        first = learning_stream_open(
            actor=worker, person=person, lesson=lesson240, device="a", at=T0
        )
        learning_stream_open(actor=worker, person=person, lesson=lesson240, device="b", at=T0)
        now, position = T0, 0
        for s in plan:
            wait = max(s.wait_ms, 1_000)
            now += dt.timedelta(milliseconds=wait)
            position += wait
            learning_heartbeat(
                person=person,
                lesson=lesson240,
                stream=first,
                position_seconds=position / 1000,
                visible=True,
                at=now,
            )
        assert not LessonProgress.objects.filter(person=person).exists()
        assert not CreditedSegment.objects.filter(person=person).exists()
        transaction.set_rollback(True)


@SETTINGS
@given(plan=steps)
def test_playing_it_all_again_adds_nothing(
    worker: User, lesson240: Lesson, plan: list[Step]
) -> None:
    with transaction.atomic():
        first, _ = run(worker, lesson240, plan)
        # Replay the same plan on the same devices: every interval it could credit was credited
        # the first time, so the total does not move.
        again, _ = run(worker, lesson240, plan)
        assert again == first
        check_ledger(worker, lesson240, again)
        transaction.set_rollback(True)
