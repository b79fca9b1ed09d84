"""The worker's own enrolment through the pages and the API: the open classes of their city, the
class page with seats left, 报名 with the voucher, the refusal shown in Chinese, the clerk's
verification on the roster, 退出 before the start."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from jineng.api.services import api_token_issue
from jineng.audit.models import AuditEntry
from jineng.identity.models import Role, User
from jineng.identity.testing import make_user, otp_login
from jineng.learning.models import Enrolment, EnrolmentStatus, VoucherStatus
from jineng.learning.tests.class_helpers import young
from jineng.learning.tests.test_enrol_self import World, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    return build_world()


def _page(user: User) -> Client:
    client = Client()
    otp_login(client, user)
    return client


def _api(user: User) -> Client:
    _, raw = api_token_issue(user=user)
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def _post(client: Client, path: str, data: dict[str, Any] | None = None) -> Any:
    return client.post(path, json.dumps(data or {}), content_type="application/json")


def test_the_worker_enrols_with_the_voucher_and_the_clerk_verifies_it_on_the_roster(
    world: World,
) -> None:
    client = _page(world.worker)
    listing = client.get("/learning/classes/open/").content.decode()
    assert world.klass.name in listing and "余 2 个名额" in listing
    assert world.school.name in listing and "项目制培训（政府补贴）" in listing
    path = f"/learning/classes/open/{world.klass.pk}/"
    page = client.get(path).content.decode()
    assert "使用职业培训券" in page and "2026年第一批职业培训券" in page
    answer = client.post(path, {"action": "enrol", "voucher": world.voucher.pk})
    assert answer.status_code == 302
    enrolment = Enrolment.objects.get(klass=world.klass, person=world.worker.person)
    assert enrolment.voucher == world.voucher and enrolment.source == "worker"
    # Again: refused in Chinese, nothing written.
    again = client.post(path, {"action": "enrol"}).content.decode()
    assert "我的报名" in again
    clerk = _page(world.clerk)
    roster = clerk.get(f"/learning/classes/{world.klass.pk}/").content.decode()
    assert 'data-testid="roster-verify"' in roster
    done = clerk.post(
        f"/learning/classes/{world.klass.pk}/", {"action": "voucher", "enrolment": enrolment.pk}
    )
    assert done.status_code == 302
    world.voucher.refresh_from_db()
    assert world.voucher.status == VoucherStatus.VERIFIED
    # The worker withdraws before the start: the voucher is given back.
    out = client.post(path, {"action": "withdraw", "reason": "改期"})
    assert out.status_code == 302
    world.voucher.refresh_from_db()
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.WITHDRAWN
    assert world.voucher.status == VoucherStatus.CLAIMED


def test_a_full_class_says_so_in_chinese_and_writes_nothing(world: World) -> None:
    for name in ("甲", "乙"):
        other = make_user(Role.WORKER, person=young(f"学员{name}"))
        assert _page(other).post(f"/learning/classes/open/{world.klass.pk}/", {}).status_code == 302
    client = _page(world.worker)
    before = AuditEntry.objects.count()
    page = client.post(f"/learning/classes/open/{world.klass.pk}/", {})
    assert page.status_code == 200
    assert "已满（2 人）" in page.content.decode()
    assert AuditEntry.objects.count() == before
    assert not Enrolment.objects.filter(person=world.worker.person).exists()


def test_the_api_lists_enrols_verifies_and_withdraws(world: World) -> None:
    worker = _api(world.worker)
    rows = worker.get("/api/v1/learning/enrolments/open-classes").json()
    assert [r["id"] for r in rows] == [world.klass.pk] and rows[0]["seats_left"] == 2
    made = _post(
        worker,
        "/api/v1/learning/enrolments",
        {"class_id": world.klass.pk, "voucher_id": world.voucher.pk},
    )
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["voucher_status"] == "claimed" and body["source"] == "worker"
    refused = _post(worker, "/api/v1/learning/enrolments", {"class_id": world.klass.pk})
    assert refused.status_code == 409 and "已在本班花名册中" in refused.json()["detail"]
    # A fellow worker cannot see or withdraw someone else's enrolment.
    stranger = _api(make_user(Role.WORKER, person=young("旁人")))
    gone = _post(stranger, f"/api/v1/learning/enrolments/{body['id']}/withdraw")
    assert gone.status_code == 404
    verified = _post(_api(world.clerk), f"/api/v1/learning/enrolments/{body['id']}/verify-voucher")
    assert verified.status_code == 200 and verified.json()["voucher_status"] == "verified"
    out = _post(worker, f"/api/v1/learning/enrolments/{body['id']}/withdraw", {"reason": "改期"})
    assert out.status_code == 200 and out.json()["status"] == "withdrawn"
    assert out.json()["voucher_status"] == "claimed"
