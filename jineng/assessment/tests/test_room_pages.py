"""The exam-room record and panel review pages through the test client: happy paths, a refusal
that writes nothing, and 404 for people outside the session or the panel."""

from __future__ import annotations

import pytest
from django.test import Client

from jineng.assessment.models import PanelScore, Registration, RoomIncident, RoomRecord, SealOpening
from jineng.assessment.tests.exam_support import ExamWorld, make_exam
from jineng.assessment.tests.room_support import staff_member, with_panel
from jineng.audit.models import AuditEntry
from jineng.identity.models import Role
from jineng.identity.testing import make_organisation, make_user, otp_login

pytestmark = pytest.mark.django_db


def _client(user: object) -> Client:
    client = Client()
    otp_login(client, user)  # type: ignore[arg-type]
    return client


@pytest.fixture
def exam() -> ExamWorld:
    return make_exam(candidates=2)


def test_the_invigilator_keeps_the_room_record_through_the_page(exam: ExamWorld) -> None:
    a = staff_member(exam, "theory", "监考甲")
    b = staff_member(exam, "theory", "监考乙")
    client = _client(a)
    url = f"/assessment/sessions/{exam.session.pk}/rooms/1/"
    page = client.get(url)
    assert page.status_code == 200 and "工位抽签" in page.content.decode()
    write = url + "write/"
    client.post(write, {"action": "seal", "seal_numbers": "B-778", "witness": b.person_id})
    client.post(write, {"action": "draw", "stations": "3", "seed": "种子1"})
    client.post(
        write,
        {"action": "incident", "registration": "", "description": "停电", "action_taken": "延时"},
    )
    client.post(write, {"action": "sign"})
    body = client.get(url).content.decode()
    assert "B-778" in body and "种子1" in body and "停电" in body
    assert body.count('data-testid="seat"') == 2
    assert RoomRecord.objects.get().closed_at is None
    _client(b).post(write, {"action": "sign"})
    assert RoomRecord.objects.get().closed_at is not None
    entries = AuditEntry.objects.count()
    response = client.post(write, {"action": "incident", "description": "x", "action_taken": "y"})
    assert response.status_code == 302
    assert RoomIncident.objects.count() == 1 and AuditEntry.objects.count() == entries
    assert "不能再修改" in client.get(url).content.decode()


def test_a_refused_seal_writes_nothing(exam: ExamWorld) -> None:
    a = staff_member(exam, "theory", "监考甲")
    client = _client(a)
    url = f"/assessment/sessions/{exam.session.pk}/rooms/1/"
    entries = AuditEntry.objects.count()
    response = client.post(url + "write/", {"action": "seal", "seal_numbers": "", "witness": "0"})
    assert response.status_code == 302
    assert "见证人" in client.get(url).content.decode()
    assert not SealOpening.objects.exists() and not RoomRecord.objects.exists()
    assert AuditEntry.objects.count() == entries


def test_outsiders_get_404_for_rooms_and_panels(exam: ExamWorld) -> None:
    with_panel(exam)
    outsider = make_user(Role.ASSESSOR, organisation=make_organisation())
    client = _client(outsider)
    assert client.get(f"/assessment/sessions/{exam.session.pk}/rooms/1/").status_code == 404
    assert client.post(f"/assessment/sessions/{exam.session.pk}/rooms/1/write/").status_code == 404
    # an assessor of the organisation who is not on the panel
    assessor = _client(exam.assessors[1])
    assert assessor.get(f"/assessment/panel/{exam.session.pk}/").status_code == 404
    response = assessor.post(f"/assessment/panel/{exam.session.pk}/score/", {"registration": 1})
    assert response.status_code == 404


def test_a_member_scores_and_the_chair_sees_completeness(exam: ExamWorld) -> None:
    with_panel(exam)
    chair = staff_member(exam, "panel", "组长", chair=True)
    member = staff_member(exam, "panel", "委员")
    url = f"/assessment/panel/{exam.session.pk}/"
    assert _client(member).get(url).status_code == 200
    first = Registration.objects.filter(session=exam.session).order_by("pk").first()
    assert first is not None
    client = _client(chair)
    assert client.get("/assessment/panel/").status_code == 200
    client.post(
        url + "score/",
        {"registration": first.pk, "c0": "28", "c1": "27", "c2": "18", "c3": "17", "comment": "好"},
    )
    assert PanelScore.objects.get().score == 90
    body = client.get(url).content.decode()
    assert "还缺3份评分" in body and "90" in body
    assert 'data-testid="completeness"' not in _client(member).get(url).content.decode()
    # a refusal (a line above its points) writes nothing
    client.post(
        url + "score/", {"registration": first.pk + 1, "c0": "31", "c1": "1", "c2": "1", "c3": "1"}
    )
    assert PanelScore.objects.count() == 1
