"""Heartbeats under a stream token on the lean endpoint (jineng/api/learning/lean.py): credited by
the same service as the bearer-token API, refused with a Chinese reason when the token is missing,
forged, expired or names a stream that is not its person's; no session, CSRF or account lookup."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any
from unittest import mock

import pytest
from django.core import signing
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jineng.api.services import api_token_issue
from jineng.identity.models import Role, User
from jineng.identity.testing import make_user
from jineng.learning.models import CreditedSegment, LearningStream, Lesson, LessonProgress
from jineng.learning.stream_tokens import lifetime, stream_grant, stream_token
from jineng.learning.tests.conftest import person_of

pytestmark = pytest.mark.django_db
NOW = "jineng.api.learning.heartbeat.timezone.now"
LEAN = "/api/v1/learning/stream-heartbeats"


def _api(user: User) -> Client:
    _, raw = api_token_issue(user=user)
    return Client(headers={"authorization": f"Bearer {raw}"})


def _open(user: User, lesson: Lesson, device: str = "手机") -> dict[str, Any]:
    resp = _api(user).post(
        "/api/v1/learning/streams",
        {"lesson": lesson.pk, "device": device},
        content_type="application/json",
    )
    assert resp.status_code == 201
    body: dict[str, Any] = resp.json()
    return body


def _beat(token: str, position: float, *, at: dt.datetime | None = None, **extra: Any) -> Any:
    body = {"token": token, "position_seconds": position, "visible": True}
    with mock.patch(NOW, return_value=at or timezone.now()):
        return Client(enforce_csrf_checks=True, **extra).post(
            LEAN, body, content_type="application/json"
        )


def test_token_heartbeats_credit_only_what_was_watched(lesson: Lesson, worker: User) -> None:
    opened = _open(worker, lesson)
    token = opened["token"]
    grant = stream_grant(token)
    assert (grant.person_id, grant.lesson_id, grant.stream_id) == (
        person_of(worker).pk,
        lesson.pk,
        opened["stream"],
    )
    t0 = timezone.now()
    answers = [
        _beat(token, pos, at=t0 + dt.timedelta(seconds=s))
        for s, pos in ((0, 0.0), (5, 5.0), (10, 9.9), (15, 40.0), (20, 5.0))
    ]
    assert [a.status_code for a in answers] == [200] * 5
    outcomes = [a.json()["outcome"] for a in answers]
    assert outcomes == ["started", "credited", "credited", "too_fast", "backward"]
    assert answers[2].json()["lesson_credited_ms"] == 9900
    assert answers[3].json()["label"] == "快进或倍速播放，未计时"
    progress = LessonProgress.objects.get(person=person_of(worker), lesson=lesson)
    assert progress.credited_ms == 9900
    segments = CreditedSegment.objects.filter(person=person_of(worker), lesson=lesson)
    assert sorted((s.start_ms, s.end_ms) for s in segments) == [(0, 5000), (5000, 9900)]


def test_forged_expired_and_missing_tokens_are_refused_in_chinese(
    lesson: Lesson, worker: User
) -> None:
    token = _open(worker, lesson)["token"]
    value, _, signature = token.rpartition(":")
    forged = f"{value}:{'A' if signature[0] != 'A' else 'B'}{signature[1:]}"
    grant = stream_grant(token)
    other_salt = signing.Signer(salt="jineng.assessment.ticket").sign_object(
        [grant.person_id, grant.lesson_id, grant.stream_id, int(time.time())], compress=False
    )
    expired = stream_token(
        person_id=person_of(worker).pk,
        lesson_id=lesson.pk,
        stream_id=grant.stream_id,
        now=time.time() - lifetime() - 5,
    )
    cases = [
        (forged, "学习凭证无效，请重新开始学习"),
        (other_salt, "学习凭证无效，请重新开始学习"),
        (expired, "学习凭证已过期，请重新开始学习"),
        ("", "缺少学习凭证，请重新开始学习"),
    ]
    for bad, reason in cases:
        resp = _beat(bad, 1.0)
        assert resp.status_code == 401, bad
        assert resp.json()["detail"] == reason and resp.json()["field"] == "token"
    assert not CreditedSegment.objects.exists()


def test_a_token_for_another_persons_stream_is_refused(lesson: Lesson, worker: User) -> None:
    """Signed, but naming a stream of someone else (or another lesson): the service refuses it."""
    other = make_user(Role.WORKER)
    theirs = _open(other, lesson)["stream"]
    mine = person_of(worker).pk
    t0 = timezone.now()
    for bad in (
        stream_token(person_id=mine, lesson_id=lesson.pk, stream_id=theirs),
        stream_token(person_id=person_of(other).pk, lesson_id=lesson.pk + 1000, stream_id=theirs),
    ):
        answers = [_beat(bad, p, at=t0 + dt.timedelta(seconds=p)) for p in (0.0, 5.0)]
        assert all(a.status_code in (400, 403) for a in answers)
        assert answers[0].json()["detail"] in (
            "学习记录与学员或课时不符",
            "课时所属课程未发布，不能学习",
        )
    assert not CreditedSegment.objects.exists()
    assert LearningStream.objects.get(pk=theirs).last_at is None  # nothing moved on their stream


def test_no_csrf_no_session_lookup_and_security_headers_kept(lesson: Lesson, worker: User) -> None:
    token = _open(worker, lesson)["token"]
    client = Client(enforce_csrf_checks=True)
    client.force_login(worker)  # a session cookie is sent along but never read
    with CaptureQueriesContext(connection) as queries:
        resp = client.post(
            LEAN,
            {"token": token, "position_seconds": 0.0, "visible": True},
            content_type="application/json",
        )
    assert resp.status_code == 200 and resp.json()["outcome"] == "started"
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    assert "django_session" not in sql and "identity_user" not in sql
    assert "apitoken" not in sql.lower()
    assert resp["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in resp["Content-Security-Policy"]
    assert resp["X-Content-Type-Options"] == "nosniff"
    assert "Set-Cookie" not in resp and not resp.cookies


def test_refused_requests_name_the_problem(lesson: Lesson) -> None:
    client = Client()
    assert client.get(LEAN).status_code == 405
    form = client.post(LEAN, {"token": "x", "position_seconds": "1", "visible": "true"})
    assert form.status_code == 415 and "JSON" in form.json()["detail"]
    bad = client.post(LEAN, b"[1,", content_type="application/json")
    assert bad.status_code == 400 and bad.json()["detail"] == "请求内容不是有效的 JSON"


def test_an_old_token_is_renewed_and_a_paused_stream_earns_nothing(
    lesson: Lesson, worker: User
) -> None:
    opened = _open(worker, lesson)
    old = stream_token(
        person_id=person_of(worker).pk,
        lesson_id=lesson.pk,
        stream_id=opened["stream"],
        now=time.time() - lifetime() * 0.75,
    )
    fresh = _beat(opened["token"], 0.0).json()
    assert "token" not in fresh
    renewed = _beat(old, 0.0).json()
    assert stream_grant(renewed["token"]).stream_id == opened["stream"]
    _open(worker, lesson, device="平板")  # a second device pauses the first stream
    t0 = timezone.now()
    paused = [_beat(old, p, at=t0 + dt.timedelta(seconds=p)).json() for p in (0.0, 5.0)]
    assert [a["outcome"] for a in paused] == ["inactive", "inactive"]
    assert all("token" not in a for a in paused)
    assert not CreditedSegment.objects.exists()


def test_the_player_page_opens_with_a_token(lesson: Lesson, worker: User) -> None:
    client = Client()
    client.force_login(worker)
    page = client.get(f"/learning/lessons/{lesson.pk}/")
    assert page.context["stream_heartbeat_url"] == LEAN  # the player's data-stream-heartbeat-url
    resp = client.post(
        f"/learning/lessons/{lesson.pk}/stream/",
        {"device": "手机"},
        content_type="application/json",
    )
    grant = stream_grant(resp.json()["token"])
    assert grant.stream_id == resp.json()["stream"] and grant.person_id == person_of(worker).pk
