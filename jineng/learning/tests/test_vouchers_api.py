"""The voucher and training-record API (/api/v1/learning): the same services as the pages,
refusals as Chinese JSON with their status, and a refused request changes nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from jineng.api.services import api_token_issue
from jineng.audit.models import AuditEntry
from jineng.identity.models import Role, User
from jineng.identity.testing import make_organisation, make_person, make_user
from jineng.learning.models import TrainingVoucher, VoucherBatch
from jineng.learning.tests.conftest import person_of
from jineng.learning.tests.training_helpers import (
    OCCUPATION,
    batch_for,
    class_record,
    designated_school,
    make_unemployed,
)

pytestmark = pytest.mark.django_db


def _api(user: User) -> Client:
    _, raw = api_token_issue(user=user)
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def _post(client: Client, path: str, data: dict[str, Any] | None = None) -> Any:
    return client.post(path, json.dumps(data or {}), content_type="application/json")


def test_claim_then_verify_by_code_then_the_record_lists_the_voucher() -> None:
    school = designated_school(name="东莞市车工培训学校")
    worker = make_user(Role.WORKER)
    make_unemployed(person_of(worker), make_organisation(kind="enterprise"))
    batch_for()
    mine = _api(worker).get("/api/v1/learning/vouchers").json()["vouchers"]
    assert [v["status_label"] for v in mine] == ["已发放"] and mine[0]["value_fen"] == 80_000
    claimed = _post(_api(worker), f"/api/v1/learning/vouchers/{mine[0]['id']}/claim")
    assert claimed.status_code == 200 and claimed.json()["status"] == "claimed"
    again = _post(_api(worker), f"/api/v1/learning/vouchers/{mine[0]['id']}/claim")
    assert again.status_code == 409 and "已领取" in again.json()["detail"]
    staff = _api(make_user(Role.ORG_ADMIN, organisation=school))
    body = {"code": mine[0]["code"], "institution": school.pk, "occupation": "4-01-02-01"}
    wrong = _post(staff, "/api/v1/learning/vouchers/verify", body)
    assert wrong.status_code == 409 and wrong.json()["field"] == "occupation"
    body["occupation"] = OCCUPATION
    ok = _post(staff, "/api/v1/learning/vouchers/verify", body)
    assert ok.status_code == 200 and ok.json()["status_label"] == "已核验报名"
    voucher = TrainingVoucher.objects.get(pk=mine[0]["id"])
    from jineng.learning.services import voucher_redeem

    voucher_redeem(
        actor=None, voucher=voucher, training_record=class_record(person_of(worker), school)
    )
    records = _api(worker).get("/api/v1/learning/training-records").json()
    assert records["total_hours"] == 40
    assert records["records"][0]["voucher"] is True
    assert records["records"][0]["institution_name"] == "东莞市车工培训学校"


def test_batches_list_the_rate_and_a_refused_issue_writes_nothing() -> None:
    make_unemployed(make_person(), make_organisation(kind="enterprise"))
    officer = _api(make_user(Role.BUREAU_REVIEWER, region="441900"))
    made = _post(
        officer,
        "/api/v1/learning/voucher-batches",
        {"region": "441900", "name": "接口批次", "value_fen": 50_000, "occupations": [OCCUPATION]},
    )
    assert made.status_code == 201 and made.json()["issued"] == 1
    assert made.json()["redemption_rate"] == "0.0%"
    listed = officer.get("/api/v1/learning/voucher-batches").json()["batches"]
    assert [b["name"] for b in listed] == ["接口批次"]
    far = _api(make_user(Role.BUREAU_REVIEWER, region="330500"))
    entries = AuditEntry.objects.count()
    refused = _post(
        far,
        "/api/v1/learning/voucher-batches",
        {"region": "441900", "name": "越权批次", "value_fen": 50_000},
    )
    assert refused.status_code == 403 and "管辖区域" in refused.json()["detail"]
    assert VoucherBatch.objects.count() == 1 and AuditEntry.objects.count() == entries
    assert far.get("/api/v1/learning/voucher-batches").json()["batches"] == []
