"""GET /api/v1/claims and /api/v1/claims/{id}: scoped as the pages, amounts in fen with yuan
beside them, the clause and the history; another worker's claim is 404."""

from __future__ import annotations

import pytest
from django.test import Client

from jineng.api.services import api_token_issue
from jineng.claims.services import claim_review
from jineng.claims.tests.support import build_world, medal_claim, medal_fen
from jineng.identity.models import Role, User
from jineng.identity.testing import make_person, make_user

pytestmark = pytest.mark.django_db


def api(user: User) -> Client:
    _, raw = api_token_issue(user=user)
    return Client(headers={"Authorization": f"Bearer {raw}"})


def test_a_worker_reads_their_claim_with_the_clause_and_history() -> None:
    world = build_world()
    claim = medal_claim(world.gold)
    claim_review(actor=world.reviewer, claim=claim, reason="材料齐全")
    listed = api(world.worker).get("/api/v1/claims").json()
    assert [c["id"] for c in listed["items"]] == [claim.pk]
    assert listed["items"][0]["amount_fen"] == medal_fen("gold")
    assert listed["items"][0]["status_label"] == "初审通过"
    detail = api(world.worker).get(f"/api/v1/claims/{claim.pk}").json()
    assert "世界技能大赛" in detail["citation"]["quote"]
    assert [h["what"] for h in detail["history"]] == ["生成待遇申领", "初审通过"]
    assert detail["history"][1]["reason"] == "材料齐全"
    assert "6222020200112233445" not in str(detail)


def test_the_bureau_lists_its_region_and_another_worker_gets_404() -> None:
    world = build_world()
    claim = medal_claim(world.gold)
    medal_claim(world.silver)
    names = {c["beneficiary"] for c in api(world.reviewer).get("/api/v1/claims").json()["items"]}
    assert names == {"沈一鸣", "钱二妹"}
    elsewhere = make_user(Role.BUREAU_REVIEWER, region="441900")
    assert api(elsewhere).get("/api/v1/claims").json()["items"] == []
    other = make_user(Role.WORKER, person=make_person(residence_region="330502"))
    answer = api(other).get(f"/api/v1/claims/{claim.pk}")
    assert answer.status_code == 404 and "查看范围" in answer.json()["detail"]
