"""Exam-room records and the panel review over the API: the same services as the pages, a refused
request writes nothing, out of scope answers 404."""

from __future__ import annotations

import pytest
from django.test import Client

from jineng.api.services import api_token_issue
from jineng.assessment.models import PanelScore, Registration, RoomRecord
from jineng.assessment.tests.exam_support import ExamWorld, make_exam
from jineng.assessment.tests.room_support import staff_member, with_panel
from jineng.audit.models import AuditEntry
from jineng.identity.models import Role, User
from jineng.identity.testing import make_organisation, make_user

pytestmark = pytest.mark.django_db
J = "application/json"


def _client(user: User) -> Client:
    _, raw = api_token_issue(user=user)
    return Client(headers={"authorization": f"Bearer {raw}"})


@pytest.fixture
def exam() -> ExamWorld:
    return make_exam(candidates=2)


def test_a_room_is_recorded_and_signed_over_the_api(exam: ExamWorld) -> None:
    a = staff_member(exam, "theory", "监考甲")
    b = staff_member(exam, "theory", "监考乙")
    api = _client(a)
    base = f"/api/v1/assessment/sessions/{exam.session.pk}/rooms/1"
    seal = api.post(
        base + "/seals", {"seal_numbers": "C-01", "witness_person_id": b.person_id}, content_type=J
    )
    assert seal.status_code == 200, seal.content
    drawn = api.post(base + "/draw", {"stations": 5, "seed": "abc"}, content_type=J).json()
    assert drawn["seed"] == "abc" and len(drawn["seats"]) == 2
    assert api.post(base + "/sign").json()["unsigned"] == ["监考乙"]
    closed = _client(b).post(base + "/sign").json()
    assert closed["closed"] is True
    entries = AuditEntry.objects.count()
    refused = api.post(
        base + "/incidents", {"description": "x", "action_taken": "y"}, content_type=J
    )
    assert refused.status_code == 409 and "补充说明" in refused.json()["detail"]
    assert AuditEntry.objects.count() == entries
    added = api.post(base + "/addenda", {"text": "补记"}, content_type=J)
    assert added.json()["addenda"] == ["补记"]


def test_a_stranger_gets_404_and_nothing_is_written(exam: ExamWorld) -> None:
    stranger = _client(make_user(Role.ORG_ADMIN, organisation=make_organisation()))
    base = f"/api/v1/assessment/sessions/{exam.session.pk}/rooms/1"
    assert stranger.get(base).status_code == 404
    assert stranger.post(base + "/draw", {"stations": 5}, content_type=J).status_code == 404
    assert not RoomRecord.objects.exists()


def test_panel_scores_over_the_api_members_only(exam: ExamWorld) -> None:
    with_panel(exam)
    member = staff_member(exam, "panel", "评委")
    first = Registration.objects.filter(session=exam.session).order_by("pk").first()
    assert first is not None
    url = f"/api/v1/assessment/panel/sessions/{exam.session.pk}"
    body = {"registration_id": first.pk, "criteria": ["20", "20", "10", "10"], "comment": "尚可"}
    done = _client(member).post(url + "/scores", body, content_type=J)
    assert done.status_code == 200, done.content
    assert done.json()["candidates"][0]["my_score"] == "60.00"
    other = _client(exam.assessors[1])
    assert other.get(url).status_code == 404
    assert other.post(url + "/scores", body, content_type=J).status_code == 404
    assert PanelScore.objects.count() == 1
