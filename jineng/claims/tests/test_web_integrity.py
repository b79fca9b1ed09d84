"""The integrity pages and API: flag queues by kind with the evidence in Chinese, a decision with
a reason (a denied one changes nothing), the overdue list, and the register import page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from jineng.api.services import api_token_issue
from jineng.audit.models import AuditEntry
from jineng.claims.models import Claim, ClaimFlag, FlagKind, FlagStatus, RegisterEntry
from jineng.claims.services import integrity_check
from jineng.claims.tests.support import bare_claim, build_world
from jineng.identity.models import Role, User
from jineng.identity.testing import make_user, otp_login, resident_id

pytestmark = pytest.mark.django_db
CERT: dict[str, Any] = {
    "trigger_kind": "certificate",
    "trigger_code": "4-01-02-01",
    "trigger_level": "4",
}


def api(user: User) -> Client:
    _, raw = api_token_issue(user=user)
    return Client(headers={"Authorization": f"Bearer {raw}"})


def client_for(user: User) -> Client:
    client = Client()
    otp_login(client, user)
    return client


def test_the_flag_queue_shows_evidence_and_a_decision_clears_the_flag() -> None:
    world = build_world()
    first = bare_claim(world.gold, **CERT)
    bare_claim(world.gold, **CERT)
    integrity_check(actor=None)
    client = client_for(world.reviewer)
    text = client.get("/claims/flags/", {"kind": FlagKind.DUPLICATE}).content.decode()
    assert "疑似重复申领" in text and "沈一鸣" in text and "同一日期（2023-06-30）" in text
    assert "test.item" not in text and "4-01-02-01" not in text
    flag = ClaimFlag.objects.get(claim=first)
    answer = client.post(
        f"/claims/flags/{flag.pk}/", {"decision": "cleared", "reason": "同一证书录入两次"}
    )
    assert answer.status_code == 302
    flag.refresh_from_db()
    assert (flag.status, flag.reason, flag.decided_by) == (
        FlagStatus.CLEARED,
        "同一证书录入两次",
        world.reviewer,
    )


def test_the_api_decides_for_officers_and_a_denied_decision_changes_nothing() -> None:
    world = build_world()
    bare_claim(world.gold, **CERT)
    bare_claim(world.gold, **CERT)
    integrity_check(actor=None)
    flag = ClaimFlag.objects.order_by("pk").first()
    assert flag is not None
    listed = api(world.approver).get("/api/v1/claims/integrity/flags").json()
    assert {f["kind_label"] for f in listed["items"]} == {"疑似重复申领"}
    url = f"/api/v1/claims/integrity/flags/{flag.pk}/decision"
    body = {"upheld": True, "reason": "确认重复"}
    finance, worker = api(world.finance), api(world.worker)  # issuing a token is audited
    before = AuditEntry.objects.count()
    denied = finance.post(url, body, content_type="application/json")
    assert denied.status_code == 403 and "无权" in denied.json()["detail"]
    hidden = worker.post(url, body, content_type="application/json")
    assert hidden.status_code == 404
    assert AuditEntry.objects.count() == before
    assert ClaimFlag.objects.get(pk=flag.pk).status == FlagStatus.OPEN
    done = api(world.approver).post(url, body, content_type="application/json")
    assert done.status_code == 200 and done.json()["status_label"] == "确认问题"


def test_the_overdue_list_page_and_api() -> None:
    world = build_world()
    late = bare_claim(world.gold)
    Claim.objects.filter(pk=late.pk).update(created_at=dt.datetime(2024, 1, 2, tzinfo=dt.UTC))
    bare_claim(world.silver)  # created now: not late
    text = client_for(world.reviewer).get("/claims/overdue/").content.decode()
    assert "沈一鸣" in text and "钱二妹" not in text and "已受理" in text
    items = api(world.reviewer).get("/api/v1/claims/integrity/overdue").json()["items"]
    assert [i["id"] for i in items] == [late.pk]
    assert items[0]["working_days_over"] > 100


def test_the_register_page_imports_and_names_bad_rows() -> None:
    officer = make_user(Role.BUREAU_REVIEWER, region="330500")
    client = client_for(officer)
    good = f"身份证号码,起始日期\n{resident_id(serial=21)},2023-01-01\n".encode()
    answer = client.post(
        "/claims/registers/",
        {
            "kind": "deceased",
            "title": "死亡名单",
            "region": "330500",
            "file": SimpleUploadedFile("d.csv", good, content_type="text/csv"),
        },
    )
    assert answer.status_code == 302 and RegisterEntry.objects.count() == 1
    bad = "身份证号码,起始日期\n123,2023-01-01\n".encode()
    text = client.post(
        "/claims/registers/",
        {
            "kind": "deceased",
            "title": "",
            "region": "330500",
            "file": SimpleUploadedFile("d.csv", bad, content_type="text/csv"),
        },
    ).content.decode()
    assert "第 2 行" in text and "身份证号码格式或校验位不正确" in text
    assert RegisterEntry.objects.count() == 1
    listed = client.get("/claims/registers/").content.decode()
    assert "死亡名单" in listed and resident_id(serial=21) not in listed
