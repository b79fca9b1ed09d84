"""A claim's steps, objections, account and 免申即享 runs through /api/v1/claims: the same services
as the pages — four eyes, roles and the state machine decide; a refusal is 403/409 with its Chinese
reason and changes nothing; another region's claim or run is 404."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from jineng.api.services import api_token_issue
from jineng.audit.models import AuditEntry
from jineng.audit.vocabulary import AuditObject
from jineng.claims.models import Claim, ClaimRun, ClaimStatus, RunStatus
from jineng.claims.tests.support import bare_claim, build_world, medal_claim
from jineng.identity.models import Role, User
from jineng.identity.services import role_grant
from jineng.identity.testing import make_user

pytestmark = pytest.mark.django_db


def api(user: User) -> Client:
    _, raw = api_token_issue(user=user)
    return Client(headers={"Authorization": f"Bearer {raw}"})


def post(user: User, path: str, body: dict[str, Any]) -> Any:
    return api(user).post(path, body, content_type="application/json")


def _claim_audits() -> int:
    return AuditEntry.objects.filter(object_type=AuditObject.CLAIM).count()


def test_reviewer_then_approver_then_publicity_with_an_objection_answered() -> None:
    world = build_world()
    claim = medal_claim(world.gold)
    base = f"/api/v1/claims/{claim.pk}"
    answer = post(world.reviewer, f"{base}/steps", {"action": "review", "reason": "材料齐全"})
    assert answer.status_code == 200 and answer.json()["status_label"] == "初审通过"
    answer = post(world.approver, f"{base}/steps", {"action": "approve", "reason": "符合规定"})
    assert answer.status_code == 200 and answer.json()["status"] == ClaimStatus.PUBLICITY
    objection = post(world.reviewer, f"{base}/objections", {"text": "反映已在外地领取"})
    assert objection.status_code == 201 and objection.json()["upheld"] is None
    Claim.objects.filter(pk=claim.pk).update(publicity_ends=dt.date(2000, 1, 1))
    refused = post(world.approver, f"{base}/steps", {"action": "close"})
    assert refused.status_code == 409 and "异议" in refused.json()["detail"]
    oid = objection.json()["id"]
    answered = post(
        world.approver,
        f"/api/v1/claims/objections/{oid}/answer",
        {"answer": "经核实不属实", "upheld": False},
    )
    assert answered.status_code == 200 and answered.json()["upheld"] is False
    listed = api(world.worker).get(f"{base}/objections").json()
    assert [o["answer"] for o in listed] == ["经核实不属实"]
    closed = post(world.approver, f"{base}/steps", {"action": "close"})
    assert closed.status_code == 200 and closed.json()["status"] == ClaimStatus.PAYABLE


def test_four_eyes_and_roles_refuse_with_a_reason_and_change_nothing() -> None:
    world = build_world()
    both = make_user(Role.BUREAU_REVIEWER, region="330500")
    role_grant(actor=None, user=both, role=Role.BUREAU_APPROVER, region="330500")
    claim = medal_claim(world.gold)
    base = f"/api/v1/claims/{claim.pk}/steps"
    assert post(both, base, {"action": "review"}).status_code == 200
    before = _claim_audits()
    refused = post(both, base, {"action": "approve", "reason": "本人复审"})
    assert refused.status_code == 403 and "同一人" in refused.json()["detail"]
    assert post(world.finance, base, {"action": "review"}).status_code == 403
    unknown = post(world.reviewer, base, {"action": "pay"})
    assert unknown.status_code in (400, 422)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.REVIEWED and _claim_audits() == before


def test_the_discretionary_amount_is_decided_in_fen_within_the_range() -> None:
    world = build_world()
    claim = bare_claim(world.gold, discretionary=True)
    base = f"/api/v1/claims/{claim.pk}/steps"
    assert post(world.reviewer, base, {"action": "review"}).status_code == 200
    too_much = post(
        world.approver, base, {"action": "approve", "decided_fen": claim.max_fen + 1, "reason": "x"}
    )
    claim.refresh_from_db()
    assert too_much.status_code in (400, 409) and claim.status == ClaimStatus.REVIEWED
    ok = post(
        world.approver,
        base,
        {"action": "approve", "decided_fen": claim.min_fen, "reason": "依规核定"},
    )
    assert ok.status_code == 200 and ok.json()["amount_fen"] == claim.min_fen


def test_the_worker_confirms_an_account_masked_in_the_answer() -> None:
    world = build_world()
    claim = medal_claim(world.gold)
    answer = post(
        world.worker, f"/api/v1/claims/{claim.pk}/account", {"account": "6217000010112233"}
    )
    assert answer.status_code == 200 and "6217000010112233" not in answer.content.decode()
    assert answer.json()["payee_account"].endswith("2233")
    bad = post(world.worker, f"/api/v1/claims/{claim.pk}/account", {"account": "12ab"})
    assert bad.status_code == 400 and "12 至 30 位数字" in bad.json()["detail"]


def test_a_run_started_through_the_api_shows_its_towns_and_claims(
    django_capture_on_commit_callbacks: Any,
) -> None:
    world = build_world()
    elsewhere = post(
        world.reviewer, "/api/v1/claims/runs", {"region": "441900", "on": "2023-06-30"}
    )
    assert elsewhere.status_code == 403 and not ClaimRun.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        started = post(
            world.reviewer, "/api/v1/claims/runs", {"region": "330500", "on": "2023-06-30"}
        )
    assert started.status_code == 201
    run = ClaimRun.objects.get(parent=None)
    detail = api(world.approver).get(f"/api/v1/claims/runs/{run.pk}").json()
    assert detail["status"] == RunStatus.DONE and detail["progress"] == 100
    assert len(detail["towns"]) == run.children.count() > 0
    made = set(Claim.objects.filter(run__parent=run).values_list("pk", flat=True))
    assert made and set(detail["claim_ids"]) == made
    listed = api(world.approver).get("/api/v1/claims/runs").json()["items"]
    assert [r["id"] for r in listed] == [run.pk]  # the towns' runs are not listed as runs
    outsider = make_user(Role.BUREAU_APPROVER, region="441900")
    assert api(outsider).get(f"/api/v1/claims/runs/{run.pk}").status_code == 404
    again = post(world.approver, f"/api/v1/claims/runs/{run.pk}/restart", {})
    assert again.status_code == 409


def test_recovery_of_a_paid_claim_is_the_approvers_with_a_reason() -> None:
    world = build_world()
    claim = medal_claim(world.gold)
    Claim.objects.filter(pk=claim.pk).update(status=ClaimStatus.PAID)
    base = f"/api/v1/claims/{claim.pk}/steps"
    assert post(world.reviewer, base, {"action": "recover", "reason": "查实"}).status_code == 403
    assert post(world.approver, base, {"action": "recover"}).status_code == 400
    done = post(world.approver, base, {"action": "recover", "reason": "冒名领取已查实"})
    assert done.status_code == 200 and done.json()["status"] == ClaimStatus.RECOVERED
