"""A claim's steps on its page, 公示 objections, 免申即享 run pages and the worker's next step:
every POST goes through the claim's service, a refusal is a Chinese message and changes nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from jineng.audit.models import AuditEntry
from jineng.audit.vocabulary import AuditObject
from jineng.claims.models import Claim, ClaimObjection, ClaimRun, ClaimStatus, RunStatus
from jineng.claims.services import claim_approve, claim_objection_raise, claim_review
from jineng.claims.tests.support import ON, bare_claim, build_world, medal_claim
from jineng.core.errors import DomainError
from jineng.identity.models import Role, User
from jineng.identity.testing import make_user, otp_login
from jineng.web.claims.applications import fen_from_yuan
from jineng.web.claims.steps import next_step
from jineng.web.tests.sitecrawl import visible_text
from jineng.web.tests.test_site_chinese import _problems as machinery_in

pytestmark = pytest.mark.django_db


def client_for(user: User) -> Client:
    # the page header shows the display name (test accounts' usernames are role codes)
    User.objects.filter(pk=user.pk, display_name="").update(display_name="经办人")
    client = Client()
    otp_login(client, user)
    return client


def _claim_audits() -> int:
    return AuditEntry.objects.filter(object_type=AuditObject.CLAIM).count()


def test_the_reviewer_sees_the_first_steps_and_finance_sees_none() -> None:
    world = build_world()
    claim = medal_claim(world.gold)
    page = client_for(world.reviewer).get(f"/claims/{claim.pk}/").content.decode()
    assert 'value="review"' in page and 'value="return"' in page and 'value="approve"' not in page
    page = client_for(world.finance).get(f"/claims/{claim.pk}/").content.decode()
    assert 'data-testid="claim-steps"' not in page


def test_a_refused_step_is_a_message_and_changes_nothing() -> None:
    world = build_world()
    claim = medal_claim(world.gold)
    before = _claim_audits()
    answer = client_for(world.approver).post(
        f"/claims/{claim.pk}/step/", {"action": "approve"}, follow=True
    )
    claim.refresh_from_db()
    assert "未办理" in answer.content.decode()
    assert claim.status == ClaimStatus.ACCEPTED and _claim_audits() == before
    answer = client_for(world.reviewer).post(
        f"/claims/{claim.pk}/step/", {"action": "return", "reason": "  "}, follow=True
    )
    assert "退回补正须填写理由" in answer.content.decode()
    answer = client_for(world.reviewer).post(
        f"/claims/{claim.pk}/step/", {"action": "unknown"}, follow=True
    )
    assert "请选择要办理的操作" in answer.content.decode()
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.ACCEPTED and _claim_audits() == before


def test_a_malformed_discretionary_amount_names_the_field() -> None:
    world = build_world()
    claim = bare_claim(world.gold, discretionary=True)
    claim_review(actor=world.reviewer, claim=claim)
    answer = client_for(world.approver).post(
        f"/claims/{claim.pk}/step/",
        {"action": "approve", "amount": "四千", "reason": "酌定"},
        follow=True,
    )
    assert "核定金额应为数字，单位为元" in answer.content.decode()
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.REVIEWED and claim.decided_fen is None


def test_objections_are_recorded_by_the_bureau_and_answered_by_the_approver() -> None:
    world = build_world()
    claim = medal_claim(world.gold)
    claim_review(actor=world.reviewer, claim=claim)
    claim_approve(actor=world.approver, claim=claim, today=ON)
    worker = client_for(world.worker)
    answer = worker.post(f"/claims/{claim.pk}/objection/", {"text": "不服"}, follow=True)
    assert "未记录" in answer.content.decode() and not claim.objections.exists()
    client_for(world.reviewer).post(f"/claims/{claim.pk}/objection/", {"text": "户籍存疑"})
    objection = ClaimObjection.objects.get(claim=claim)
    assert objection.text == "户籍存疑" and objection.raised_by == world.reviewer
    answer = client_for(world.reviewer).post(
        f"/claims/objections/{objection.pk}/answer/",
        {"answer": "不成立", "upheld": "no"},
        follow=True,
    )
    assert "您无权对该申领答复异议" in answer.content.decode()
    approver = client_for(world.approver)
    answer = approver.post(
        f"/claims/objections/{objection.pk}/answer/", {"answer": "不成立"}, follow=True
    )
    assert "请选择异议是否成立" in answer.content.decode()
    objection.refresh_from_db()
    assert objection.answered_at is None
    page = approver.get(f"/claims/{claim.pk}/").content.decode()
    assert 'data-testid="objection-answer-submit"' in page and 'value="close"' in page
    assert machinery_in(visible_text(page), {"330500", "330502"}) == []  # not in the crawl
    approver.post(
        f"/claims/objections/{objection.pk}/answer/", {"answer": "已核实，不成立", "upheld": "no"}
    )
    objection.refresh_from_db()
    claim.refresh_from_db()
    assert objection.upheld is False and objection.answered_by == world.approver
    assert claim.status == ClaimStatus.PUBLICITY


def test_an_upheld_objection_refuses_the_claim_and_the_worker_reads_why() -> None:
    world = build_world()
    claim = medal_claim(world.gold)
    claim_review(actor=world.reviewer, claim=claim)
    claim_approve(actor=world.approver, claim=claim, today=ON)
    objection = claim_objection_raise(actor=world.reviewer, claim=claim, text="冒名参赛")
    client_for(world.approver).post(
        f"/claims/objections/{objection.pk}/answer/", {"answer": "经查属实", "upheld": "yes"}
    )
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.REFUSED
    mine = client_for(world.worker).get("/claims/mine/").content.decode()
    assert "不予支持：经查属实" in mine


def test_another_regions_objection_is_404() -> None:
    world = build_world()
    claim = medal_claim(world.gold)
    claim_review(actor=world.reviewer, claim=claim)
    claim_approve(actor=world.approver, claim=claim, today=ON)
    objection = claim_objection_raise(actor=world.reviewer, claim=claim, text="户籍存疑")
    stranger = make_user(Role.BUREAU_APPROVER, region="441900")
    client = client_for(stranger)
    assert client.post(f"/claims/objections/{objection.pk}/answer/", {}).status_code == 404
    assert client.post(f"/claims/{claim.pk}/objection/", {"text": "x"}).status_code == 404
    assert client.post(f"/claims/{claim.pk}/step/", {"action": "close"}).status_code == 404


def test_a_run_is_started_in_the_officers_region_only(
    django_capture_on_commit_callbacks: Any,
) -> None:
    world = build_world()
    client = client_for(world.reviewer)
    page = client.get("/claims/runs/").content.decode()
    assert 'data-testid="run-start"' in page and "330500" in page
    answer = client.post("/claims/runs/", {"region": "441900", "on": "2023-06-30"})
    assert answer.status_code == 200 and not ClaimRun.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):  # the task, eager, after commit
        answer = client.post("/claims/runs/", {"region": "330500", "on": "2023-06-30"})
    run = ClaimRun.objects.get(parent=None)
    assert answer.status_code == 302 and answer["Location"] == f"/claims/runs/{run.pk}/"
    assert run.status == RunStatus.DONE and run.on == dt.date(2023, 6, 30)
    page = client.get(f"/claims/runs/{run.pk}/").content.decode()
    assert "已完成" in page and "沈一鸣" in page and 'data-running="false"' in page
    shards = run.children.count()
    assert shards > 0 and page.count('data-testid="run-shard-row"') == shards
    listing = client.get("/claims/runs/").content.decode()
    assert listing.count('data-testid="run-row"') == 1  # the shards are not listed as runs
    # the run pages are not in the demo city's crawl: the same Chinese-only check here
    listing = client.get("/claims/runs/").content.decode()
    assert machinery_in(visible_text(page), {"330500"}) == []
    assert machinery_in(visible_text(listing), {"330500"}) == []


def test_the_auditor_reads_runs_but_cannot_start_one() -> None:
    world = build_world()
    run = ClaimRun.objects.create(region="330500", on=ON)
    auditor = client_for(make_user(Role.AUDITOR, region="330500"))
    page = auditor.get("/claims/runs/").content.decode()
    assert 'data-testid="run-start"' not in page and 'data-testid="run-row"' in page
    assert (
        auditor.post("/claims/runs/", {"region": "330500", "on": "2023-06-30"}).status_code == 403
    )
    assert ClaimRun.objects.count() == 1
    page = client_for(world.approver).get(f"/claims/runs/{run.pk}/").content.decode()
    assert 'data-running="true"' in page  # queued: the page reloads itself


def test_the_next_step_follows_the_claim() -> None:
    world = build_world()
    claim = bare_claim(world.gold, payee_account="")
    assert next_step(claim) == "确认收款账户"
    claim.payee_account = "6222020200112233445"
    assert next_step(claim) == "等待审核"
    claim.status, claim.status_reason = ClaimStatus.RETURNED, "缺少证书"
    assert next_step(claim) == "退回补正：缺少证书。请补正后重新提交"
    claim.status = ClaimStatus.PUBLICITY
    claim.publicity_ends = dt.date(2023, 7, 7)
    assert next_step(claim) == "公示中，2023-07-07 公示期满"
    claim.status = ClaimStatus.PAID
    assert next_step(claim) == "已拨付，请查收"


@given(fen=st.integers(min_value=0, max_value=10**13))
def test_yuan_text_reads_back_to_the_same_fen(fen: int) -> None:
    yuan, cents = divmod(fen, 100)
    assert fen_from_yuan(f"{yuan:,}.{cents:02d}", field="f", label="金额") == fen
    if cents == 0:
        assert fen_from_yuan(str(yuan), field="f", label="金额") == fen


@given(text=st.sampled_from(["abc", "1.234", "-5", "NaN", "Infinity", "1e400"]))
def test_bad_yuan_text_is_refused_by_name(text: str) -> None:
    with pytest.raises(DomainError) as caught:
        fen_from_yuan(text, field="decided_fen", label="核定金额")
    assert caught.value.field == "decided_fen" and "核定金额" in caught.value.message


def test_blank_yuan_text_is_none_and_full_width_digits_are_read() -> None:
    assert fen_from_yuan("  ", field="f", label="金额") is None
    assert fen_from_yuan("１２", field="f", label="金额") == 1200  # typed with a Chinese IME


def test_the_worker_withdraws_their_own_claim_with_a_reason() -> None:
    world = build_world()
    claim = medal_claim(world.gold)
    worker = client_for(world.worker)
    page = worker.get(f"/claims/{claim.pk}/").content.decode()
    assert 'value="withdraw"' in page and 'value="review"' not in page
    answer = worker.post(f"/claims/{claim.pk}/step/", {"action": "withdraw"}, follow=True)
    assert "撤回须填写理由" in answer.content.decode()
    worker.post(f"/claims/{claim.pk}/step/", {"action": "withdraw", "reason": "已在外地领取"})
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.WITHDRAWN and claim.status_reason == "已在外地领取"
    mine = worker.get("/claims/mine/").content.decode()
    assert "已撤回" in mine and "6222020200112233445" not in mine


def test_the_approver_recovers_a_paid_claim_with_a_reason_the_worker_reads() -> None:
    world = build_world()
    claim = medal_claim(world.gold)
    Claim.objects.filter(pk=claim.pk).update(status=ClaimStatus.PAID)
    page = client_for(world.reviewer).get(f"/claims/{claim.pk}/").content.decode()
    assert 'value="recover"' not in page  # only the approver recovers
    approver = client_for(world.approver)
    assert 'value="recover"' in approver.get(f"/claims/{claim.pk}/").content.decode()
    before = _claim_audits()
    answer = approver.post(f"/claims/{claim.pk}/step/", {"action": "recover"}, follow=True)
    claim.refresh_from_db()
    assert "未办理" in answer.content.decode() and claim.status == ClaimStatus.PAID
    assert _claim_audits() == before  # no reason: refused, nothing written
    approver.post(f"/claims/{claim.pk}/step/", {"action": "recover", "reason": "冒名领取已查实"})
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.RECOVERED and _claim_audits() == before + 1
    assert next_step(claim) == "已追回：冒名领取已查实"
