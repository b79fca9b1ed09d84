"""The learning API: catalogue search, opening a stream, heartbeats through the same service as the
player's page, and the ledgers (the learner's own; an officer's, scope-checked)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from unittest import mock

import pytest
from django.test import Client
from django.utils import timezone

from jineng.api.services import api_token_issue
from jineng.identity.models import Role, User
from jineng.identity.testing import make_user
from jineng.learning.models import Course, Lesson
from jineng.learning.tests.conftest import person_of

pytestmark = pytest.mark.django_db
NOW = "jineng.api.learning.heartbeat.timezone.now"


def _api(user: User) -> Client:
    _, raw = api_token_issue(user=user)
    return Client(headers={"authorization": f"Bearer {raw}"})


def _post(client: Client, path: str, data: dict[str, Any]) -> Any:
    return client.post(path, data, content_type="application/json")


def test_course_search_in_chinese_with_labels(
    make_course: Callable[..., Course], worker: User
) -> None:
    make_course(title="数控车床操作工初级培训")
    make_course(title="养老护理员技能提升", occupation="4-10-01-05")
    make_course(title="车床草稿", publish=False)
    resp = _api(worker).get("/api/v1/learning/courses", {"q": "车床"})
    assert resp.status_code == 200
    body = resp.json()
    assert [c["title"] for c in body["items"]] == ["数控车床操作工初级培训"]
    item = body["items"][0]
    assert item["level_label"] == "初级工（五级）" and item["mode_label"] == "线上"
    assert "车床" in body["terms"] and body["pages"] == 1
    assert _api(worker).get("/api/v1/learning/courses", {"per_page": 500}).status_code == 422


def test_stream_and_heartbeats_credit_only_what_was_watched(lesson: Lesson, worker: User) -> None:
    client = _api(worker)
    resp = _post(client, "/api/v1/learning/streams", {"lesson": lesson.pk, "device": "平板"})
    assert resp.status_code == 201 and resp.json()["state_label"] == "学习中"
    sid = resp.json()["stream"]
    t0 = timezone.now()
    answers = []
    for seconds, pos in ((0, 0.0), (5, 5.0), (10, 9.9), (15, 40.0)):
        with mock.patch(NOW, return_value=t0 + dt.timedelta(seconds=seconds)):
            answers.append(
                _post(
                    client,
                    "/api/v1/learning/heartbeats",
                    {"stream": sid, "lesson": lesson.pk, "position_seconds": pos, "visible": True},
                ).json()
            )
    assert [a["outcome"] for a in answers] == ["started", "credited", "credited", "too_fast"]
    assert answers[-1]["lesson_credited_ms"] == 9900 and answers[-1]["credited_ms"] == 0
    ledger = client.get("/api/v1/learning/ledger").json()
    assert ledger["credited_ms"] == 9900
    assert [(s["start_ms"], s["end_ms"]) for s in ledger["lessons"][0]["segments"]] == [
        (0, 5000),
        (5000, 9900),
    ]


def test_heartbeat_validation_is_chinese(lesson: Lesson, worker: User) -> None:
    resp = _post(
        _api(worker),
        "/api/v1/learning/heartbeats",
        {"stream": 1, "lesson": lesson.pk, "position_seconds": -1, "visible": True},
    )
    assert resp.status_code == 422
    assert "播放位置" in resp.json()["detail"]


def test_only_a_learner_opens_streams(lesson: Lesson) -> None:
    officer = make_user(Role.BUREAU_REVIEWER)
    resp = _post(_api(officer), "/api/v1/learning/streams", {"lesson": lesson.pk, "device": "x"})
    assert resp.status_code == 403 and "劳动者" in resp.json()["detail"]


def test_officer_reads_a_ledger_in_scope_only(lesson: Lesson, worker: User) -> None:
    person = person_of(worker)
    dongguan = make_user(Role.BUREAU_REVIEWER, region="441900")
    huzhou = make_user(Role.BUREAU_REVIEWER, region="330500")
    ok = _api(dongguan).get(f"/api/v1/learning/people/{person.pk}/ledger")
    assert ok.status_code == 200 and ok.json()["person"] == person.pk
    assert _api(huzhou).get(f"/api/v1/learning/people/{person.pk}/ledger").status_code == 404


def test_openapi_titles_are_chinese() -> None:
    schema = Client().get("/api/v1/openapi.json").json()
    op = schema["paths"]["/api/v1/learning/heartbeats"]["post"]
    assert op["summary"] == "学习心跳：由服务器核实并认定学习时长"
    props = schema["components"]["schemas"]["HeartbeatOut"]["properties"]
    assert props["label"]["title"] == "结果"
