"""What a heartbeat costs in queries, so the fast path cannot quietly regress (issue 8
"Measured": ≥ 1,500 heartbeats/s needs few round trips): on PostgreSQL a credited heartbeat is two
statements (read-and-move, then the fused compare-and-swap write), on SQLite the ORM path; the player's web
endpoint adds only the session and the signed-in user. The write's guard (learning_time_pg)
writes nothing when the progress it was given is not the current one."""

from __future__ import annotations

import datetime as dt
import json
from unittest import mock

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.utils import timezone

from jineng.api.learning.heartbeat import _PUBLISHED_LESSONS as heartbeat_cache
from jineng.identity.models import User
from jineng.identity.testing import otp_login
from jineng.learning.models import CreditedSegment, DailyLearning, Lesson, LessonProgress
from jineng.learning.services import learning_heartbeat, learning_stream_open
from jineng.learning.services import learning_time_pg as pg
from jineng.learning.tests.conftest import T0, person_of

pytestmark = pytest.mark.django_db

# PostgreSQL: two autocommitted statements; SQLite: the ORM path in a transaction (its savepoint
# and release inside the test's transaction included).
CREDITED = 2 if connection.vendor == "postgresql" else 9
UNCREDITED = 1 if connection.vendor == "postgresql" else 4


def at(seconds: float) -> dt.datetime:
    return T0 + dt.timedelta(seconds=seconds)


def test_a_credited_heartbeat_makes_few_queries(
    worker: User, lesson: Lesson, django_assert_max_num_queries: object
) -> None:
    person = person_of(worker)
    stream = learning_stream_open(actor=worker, person=person, lesson=lesson, device="p", at=T0)

    def beat(t: float, pos: float) -> object:
        return learning_heartbeat(
            person=person,
            lesson=lesson,
            stream=stream,
            position_seconds=pos,
            visible=True,
            at=at(t),
        )

    beat(0, 0)
    beat(10, 10)  # the first credit creates the progress and the day's rows
    with django_assert_max_num_queries(CREDITED):  # type: ignore[operator]
        result = beat(20, 20)
    assert result.credited_ms == 10_000  # type: ignore[attr-defined]
    with django_assert_max_num_queries(UNCREDITED):  # type: ignore[operator]
        result = beat(21, 5)  # backward: nothing credited
    assert result.credited_ms == 0  # type: ignore[attr-defined]
    # the lesson's total comes with every answer on PostgreSQL (no second read by the view)
    if connection.vendor == "postgresql":
        assert result.lesson_credited_ms == 20_000  # type: ignore[attr-defined]


def test_the_player_heartbeat_endpoint_makes_few_queries(
    worker: User, lesson: Lesson, django_assert_max_num_queries: object
) -> None:
    client = Client()
    otp_login(client, worker)
    sid = client.post(
        f"/learning/lessons/{lesson.pk}/stream/", '{"device": "p"}', content_type="application/json"
    ).json()["stream"]
    url = f"/learning/lessons/{lesson.pk}/heartbeat/"
    t0 = timezone.now()

    def beat(seconds: float) -> dict[str, object]:
        with mock.patch(
            "jineng.api.learning.heartbeat.timezone.now",
            return_value=t0 + dt.timedelta(seconds=seconds),
        ):
            body = json.dumps({"stream": sid, "position": seconds, "visible": True})
            answer: dict[str, object] = client.post(
                url, body, content_type="application/json"
            ).json()
        return answer

    beat(0)
    with override_settings(LEARNING_LESSON_CACHE_SECONDS=60):
        beat(5)
        # session, user, OTP device, roles, person; the lesson cached; the heartbeat; the session
        # saved again (SESSION_SAVE_EVERY_REQUEST: a learner watching is not idle)
        with django_assert_max_num_queries(CREDITED + 8):  # type: ignore[operator]
            answer = beat(10)
    heartbeat_cache.clear()
    assert answer["outcome"] == "credited" and answer["lesson_credited_ms"] == 10_000


@pytest.fixture
def pg_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the fused statements are PostgreSQL's")


def test_the_write_refuses_a_standing_that_is_no_longer_current(
    pg_only: None, worker: User, lesson: Lesson
) -> None:
    person = person_of(worker)
    stream = learning_stream_open(actor=worker, person=person, lesson=lesson, device="p", at=T0)
    for t in (0, 10):
        learning_heartbeat(
            person=person, lesson=lesson, stream=stream, position_seconds=t, visible=True, at=at(t)
        )
    day = timezone.localtime(at(10)).date()
    stale = pg.Standing(
        progress_ms=None, segments=[], segments_text="", completed_at=None, day_ms=None
    )
    written = pg.credit(
        stream_id=stream.pk,
        person_id=person.pk,
        lesson_id=lesson.pk,
        standing=stale,  # as a heartbeat that waited for the stream lock would have read it
        parts=[(10_000, 20_000)],
        merged=[(10_000, 20_000)],
        total=10_000,
        gained=10_000,
        completed_at=None,
        at=at(20),
        day=day,
        checks=False,
        draw=None,
    )
    assert written is None
    assert LessonProgress.objects.get(person=person, lesson=lesson).segments == [[0, 10_000]]
    assert CreditedSegment.objects.filter(person=person).count() == 1
    assert DailyLearning.objects.get(person=person).credited_ms == 10_000
    fresh = pg.reread(person_id=person.pk, lesson_id=lesson.pk, day=day)
    assert (fresh.progress_ms, fresh.segments, fresh.day_ms) == (10_000, [[0, 10_000]], 10_000)
