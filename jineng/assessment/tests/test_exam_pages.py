"""The exam, marking and results pages through the test client: the candidate's pages and JSON
endpoints, the ticket PDF and its QR check, the anonymous marking pages, corrections, review,
publication and objections."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from jineng.assessment import services
from jineng.assessment.models import (
    Answer,
    Attempt,
    AttemptStatus,
    EvidenceEvent,
    ItemKind,
    MarkingTask,
    PartResult,
    ScoreCorrection,
)
from jineng.assessment.tests.exam_support import ExamWorld, admit, make_exam
from jineng.assessment.tickets import ticket_check_path
from jineng.identity.testing import otp_login

pytestmark = pytest.mark.django_db


def _client(user: object) -> Client:
    client = Client()
    otp_login(client, user)  # type: ignore[arg-type]
    return client


def _post(client: Client, url: str, body: dict[str, object]) -> dict[str, object]:
    response = client.post(url, json.dumps(body), content_type="application/json")
    data: dict[str, object] = response.json()
    data["_status"] = response.status_code
    return data


@pytest.fixture
def exam() -> ExamWorld:
    return make_exam(candidates=1)


def test_candidate_sits_the_exam_through_the_pages(exam: ExamWorld) -> None:
    user, registration = exam.candidates[0]
    client = _client(user)
    base = f"/assessment/registrations/{registration.pk}/exam/"
    mine = client.get("/assessment/mine/").content.decode()
    assert base in mine and "下载准考证" in mine
    page = client.get(base).content.decode()
    assert 'data-testid="identify"' in page
    assert _post(client, base + "start/", {})["_status"] == 409  # identity first
    admit(exam, registration)
    assert 'data-testid="waiting"' in client.get(base).content.decode()
    state = _post(client, base + "start/", {})
    assert state["status"] == "started" and int(state["remaining_seconds"]) > 0  # type: ignore[call-overload]
    page = client.get(base).content.decode()
    assert page.count('data-testid="question"') == 3
    attempt = Attempt.objects.get()
    assert attempt.paper is not None
    entry = attempt.paper.entries.filter(item__kind=ItemKind.SINGLE).first()
    assert entry is not None
    ack = _post(client, base + "answer/", {"entry": entry.pk, "response": 2, "seq": 7})
    assert ack["applied"] is True and ack["stored_seq"] == 7
    assert (
        _post(client, base + "answer/", {"entry": entry.pk, "response": 1, "seq": 3})["stored_seq"]
        == 7
    )
    assert 'value="2" checked' in client.get(base).content.decode()  # resumed as saved
    assert _post(client, base + "event/", {"kind": "tab_hidden"})["recorded"] is True
    assert EvidenceEvent.objects.count() == 1
    done = _post(client, base + "submit/", {})
    assert done["status"] == "submitted"
    assert Answer.objects.get().response == 2
    assert 'data-testid="submitted"' in client.get(base).content.decode()


def test_another_persons_exam_is_404(exam: ExamWorld) -> None:
    _, registration = exam.candidates[0]
    other = make_exam(candidates=1)
    stranger, _ = other.candidates[0]
    client = _client(stranger)
    base = f"/assessment/registrations/{registration.pk}/exam/"
    assert client.get(base).status_code == 404
    assert client.post(base + "start/").status_code == 404
    assert client.get(f"/assessment/registrations/{registration.pk}/ticket.pdf").status_code == 404


def test_ticket_pdf_and_its_qr_check(exam: ExamWorld) -> None:
    user, registration = exam.candidates[0]
    pdf = _client(user).get(f"/assessment/registrations/{registration.pk}/ticket.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    staff = _client(exam.assessors[0])
    assert staff.get(f"/assessment/registrations/{registration.pk}/ticket.pdf").status_code == 200
    ok = staff.get(ticket_check_path(registration)).content.decode()
    assert 'data-testid="ticket-valid"' in ok and registration.person.name in ok
    forged = staff.get(ticket_check_path(registration) + "x")
    assert forged.status_code == 404 and "二维码无效" in forged.content.decode()
    staff.post(f"/assessment/sessions/{exam.session.pk}/admit/", {"registration": registration.pk})
    assert Attempt.objects.get().identity_by == exam.assessors[0]


def _submitted(exam: ExamWorld) -> None:
    user, registration = exam.candidates[0]
    admit(exam, registration)
    attempt = services.attempt_start(actor=user, registration=registration)
    assert attempt.paper is not None
    short = attempt.paper.entries.get(item__kind=ItemKind.SHORT_ANSWER)
    services.answer_save(
        actor=user, attempt=attempt, entry_id=short.pk, response="检查防护罩和润滑", seq=1
    )
    services.attempt_submit(actor=user, attempt=attempt)
    assert Attempt.objects.get().status == AttemptStatus.SUBMITTED


def test_marking_pages_are_anonymous_and_a_third_resolves(exam: ExamWorld) -> None:
    _submitted(exam)
    admin = _client(exam.admin)
    admin.post(f"/assessment/sessions/{exam.session.pk}/results/", {"action": "practical"})
    practical = MarkingTask.objects.get(part="practical")
    name = exam.candidates[0][1].person.name
    a, b, c = (_client(u) for u in exam.assessors)
    queue = a.get("/assessment/marking/").content.decode()
    assert practical.candidate_code in queue and name not in queue
    page = a.get(f"/assessment/marking/{practical.pk}/").content.decode()
    assert "外圆尺寸" in page and name not in page
    a.post(f"/assessment/marking/{practical.pk}/", {"c0": "58", "c1": "38"})
    b.post(f"/assessment/marking/{practical.pk}/", {"c0": "30", "c1": "30"})
    third = c.get("/assessment/marking/").content.decode()
    assert 'data-testid="third-task"' in third
    c.post(f"/assessment/marking/{practical.pk}/", {"c0": "55", "c1": "35"})
    practical.refresh_from_db()
    assert str(practical.final_score) == "93.00"  # 90 with the nearer 96
    theory = MarkingTask.objects.get(part="theory")
    page = a.get(f"/assessment/marking/{theory.pk}/").content.decode()
    assert "检查防护罩和润滑" in page and name not in page
    a.post(f"/assessment/marking/{theory.pk}/", {"score": "30"})
    b.post(f"/assessment/marking/{theory.pk}/", {"score": "32"})
    theory.refresh_from_db()
    assert theory.final_score is not None


def test_results_review_publication_objection_and_correction(exam: ExamWorld) -> None:
    _submitted(exam)
    services.practical_tasks_create(actor=exam.admin, session=exam.session)
    for task in MarkingTask.objects.all():
        for assessor in exam.assessors[:2]:
            if task.part == "practical":
                services.mark_record(actor=assessor, task=task, criteria=["50", "30"])
            else:
                services.mark_record(actor=assessor, task=task, score="36")
    admin = _client(exam.admin)
    url = f"/assessment/sessions/{exam.session.pk}/results/"
    admin.post(url, {"action": "compile"})
    result = PartResult.objects.get(part="practical")
    marker = _client(exam.assessors[0])
    marker.post(
        f"/assessment/results/{result.pk}/correct/", {"new_score": "70", "reason": "登记错误"}
    )
    correction = ScoreCorrection.objects.get()
    assert (
        marker.post(
            f"/assessment/corrections/{correction.pk}/review/", {"decision": "approve"}
        ).status_code
        == 403
    )  # an assessor does not review
    admin.post(f"/assessment/corrections/{correction.pk}/review/", {"decision": "approve"})
    result.refresh_from_db()
    assert str(result.score) == "70.00"
    admin.post(url, {"action": "review"})
    admin.post(url, {"action": "publish"})
    page = admin.get(f"/assessment/sessions/{exam.session.pk}/").content.decode()
    assert "公示中" in page
    user, registration = exam.candidates[0]
    candidate = _client(user)
    results = candidate.get("/assessment/results/").content.decode()
    assert "操作技能考核：70.00分" in results
    candidate.post(f"/assessment/registrations/{registration.pk}/objection/", {"text": "请复核"})
    objection = registration.objections.get()
    admin.post(f"/assessment/objections/{objection.pk}/answer/", {"answer": "经复核无误"})
    objection.refresh_from_db()
    assert objection.answer == "经复核无误"
    assert "经复核无误" in candidate.get("/assessment/results/").content.decode()
