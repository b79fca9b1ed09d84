"""The claims pages: the bureau's queue with filters and bulk actions (each claim checked by its
own service), a worker's own claims, and a claim's detail with the clause and the history."""

from __future__ import annotations

import pytest
from django.test import Client

from jineng.claims.models import ClaimStatus
from jineng.claims.services import claim_review, message_send
from jineng.claims.tests.support import build_world, medal_claim
from jineng.identity.models import Role, User
from jineng.identity.testing import make_person, make_user, otp_login

pytestmark = pytest.mark.django_db


def client_for(user: User) -> Client:
    client = Client()
    otp_login(client, user)
    return client


def test_the_queue_filters_and_a_bulk_action_checks_each_claim() -> None:
    world = build_world()
    gold = medal_claim(world.gold)
    silver = medal_claim(world.silver)
    claim_review(actor=world.reviewer2, claim=silver)  # already past 初审
    client = client_for(world.reviewer)
    page = client.get("/claims/", {"q": "沈一"})
    text = page.content.decode()
    assert page.status_code == 200 and "沈一鸣" in text and "钱二妹" not in text
    assert "¥1,000,000.00" in text
    answer = client.post(
        "/claims/", {"action": "review", "claim": [gold.pk, silver.pk], "back": ""}, follow=True
    )
    text = answer.content.decode()
    assert "已办理 1 件" in text
    assert "未办理：钱二妹" in text and "初审通过" in text
    gold.refresh_from_db()
    assert gold.status == ClaimStatus.REVIEWED and gold.reviewer == world.reviewer


def test_the_auditor_reads_the_queue_without_bulk_actions() -> None:
    world = build_world()
    medal_claim(world.gold)
    auditor = make_user(Role.AUDITOR, region="330500")
    text = client_for(auditor).get("/claims/").content.decode()
    assert "沈一鸣" in text and "办理所选申领" not in text


def test_a_worker_sees_their_claims_and_the_clause_and_history() -> None:
    world = build_world()
    claim = medal_claim(world.gold)
    claim_review(actor=world.reviewer, claim=claim, reason="材料齐全")
    client = client_for(world.worker)
    mine = client.get("/claims/mine/").content.decode()
    assert "世界技能大赛获奖选手奖励" in mine and "初审通过" in mine
    detail = client.get(f"/claims/{claim.pk}/").content.decode()
    assert "金、银、铜牌" in detail  # the clause
    assert "初审通过：材料齐全" in detail  # the history, in words
    assert "6222020200112233445" not in detail and "3445" in detail  # the account masked


def test_another_worker_cannot_open_the_claim() -> None:
    world = build_world()
    claim = medal_claim(world.gold)
    other = make_user(Role.WORKER, person=make_person(residence_region="330502"))
    assert client_for(other).get(f"/claims/{claim.pk}/").status_code == 404
    assert "沈一鸣" not in client_for(other).get("/claims/mine/").content.decode()


def test_the_worker_confirms_an_account_on_the_page_and_reads_the_inbox() -> None:
    world = build_world()
    claim = medal_claim(world.gold)
    client = client_for(world.worker)
    bad = client.post(f"/claims/{claim.pk}/", {"account": "12ab"})
    assert bad.status_code == 200 and "收款账号应为" in bad.content.decode()
    client.post(f"/claims/{claim.pk}/", {"account": "6222 0202 0011 2233 445"})
    claim.refresh_from_db()
    assert claim.payee_account == "6222020200112233445"
    message_send(to=world.gold, title="您有新的待遇申领（免申即享）", body="请核对", claim=claim)
    inbox = client.get("/claims/inbox/").content.decode()
    assert "您有新的待遇申领" in inbox and f"/claims/{claim.pk}/" in inbox
    # a reviewer sees the claim but is not its beneficiary: no account form
    assert (
        'data-testid="claim-account"'
        not in client_for(world.reviewer).get(f"/claims/{claim.pk}/").content.decode()
    )
