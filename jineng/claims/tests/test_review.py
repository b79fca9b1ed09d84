"""Review as a declared state machine with four eyes: 受理 → 初审 → 复审 (公示) → 待拨付 → 拨付中 →
已拨付, return for correction, refusal, withdrawal, recovery; every move audited once with its
reason; refusals in Chinese."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.test import override_settings

from jineng.audit.models import AuditEntry
from jineng.claims.models import ClaimStatus
from jineng.claims.services import (
    claim_approve,
    claim_objection_answer,
    claim_objection_raise,
    claim_publicity_close,
    claim_refuse,
    claim_resubmit,
    claim_return,
    claim_review,
    claim_withdraw,
)
from jineng.claims.tests.support import ON, bare_claim, build_world
from jineng.core.errors import Conflict, DomainError, Forbidden
from jineng.core.states import TransitionRefused
from jineng.identity.models import Role
from jineng.identity.services import role_grant
from jineng.reference.models import Region

pytestmark = pytest.mark.django_db
TODAY = dt.date(2024, 1, 10)


def moves(claim_pk: int) -> list[tuple[str, str]]:
    return [
        ((e.after or {})["status"], e.reason)
        for e in AuditEntry.objects.filter(
            action="claim_move", object_type="claim", object_id=str(claim_pk)
        ).order_by("pk")
    ]


@override_settings(CLAIMS_PUBLICITY_DAYS=5)
def test_a_claim_goes_through_every_step_with_three_people() -> None:
    world = build_world()
    claim = bare_claim(world.gold)
    claim_review(actor=world.reviewer, claim=claim, reason="材料齐全")
    claim_approve(actor=world.approver, claim=claim, today=TODAY)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PUBLICITY
    assert claim.publicity_ends == TODAY + dt.timedelta(days=5)
    with pytest.raises(Conflict) as early:
        claim_publicity_close(actor=None, claim=claim, today=TODAY)
    assert "尚未期满" in early.value.message
    objection = claim_objection_raise(actor=None, claim=claim, text="该人员已离职")
    with pytest.raises(Conflict) as open_objection:
        claim_publicity_close(actor=None, claim=claim, today=TODAY + dt.timedelta(days=6))
    assert "未答复" in open_objection.value.message
    claim_objection_answer(
        actor=world.approver, objection=objection, answer="经核实仍在职", upheld=False
    )
    claim_publicity_close(actor=None, claim=claim, today=TODAY + dt.timedelta(days=6))
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PAYABLE
    assert claim.reviewer == world.reviewer and claim.approver == world.approver
    assert [s for s, _ in moves(claim.pk)] == ["reviewed", "publicity", "payable"]
    assert moves(claim.pk)[0][1] == "材料齐全"


def test_the_approver_cannot_approve_what_they_reviewed() -> None:
    world = build_world()
    both = world.reviewer
    role_grant(
        actor=None, user=both, role=Role.BUREAU_APPROVER, region=Region.objects.get(code="330500")
    )
    claim = bare_claim(world.gold)
    claim_review(actor=both, claim=claim)
    with pytest.raises(Forbidden) as err:
        claim_approve(actor=both, claim=claim, today=TODAY)
    assert "复审人不能与初审人为同一人" in err.value.message
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.REVIEWED


def test_each_step_needs_its_role_in_the_claims_region() -> None:
    world = build_world()
    claim = bare_claim(world.gold)
    with pytest.raises(PermissionDenied):
        claim_review(actor=world.approver, claim=claim)
    with pytest.raises(PermissionDenied):
        claim_review(actor=world.worker, claim=claim)
    claim_review(actor=world.reviewer, claim=claim)
    with pytest.raises(PermissionDenied):
        claim_approve(actor=world.finance, claim=claim, today=TODAY)
    with pytest.raises(Forbidden):
        claim_approve(actor=None, claim=claim, today=TODAY)  # type: ignore[arg-type]


def test_a_discretionary_amount_is_decided_within_the_range_with_a_reason() -> None:
    world = build_world()
    claim = bare_claim(world.gold, discretionary=True)
    claim_review(actor=world.reviewer, claim=claim)
    with pytest.raises(DomainError) as missing:
        claim_approve(actor=world.approver, claim=claim, today=TODAY)
    assert "核定金额" in missing.value.message
    with pytest.raises(DomainError) as outside:
        claim_approve(actor=world.approver, claim=claim, decided_fen=600_000, reason="贡献大")
    assert "之间" in outside.value.message
    with pytest.raises(DomainError) as no_reason:
        claim_approve(actor=world.approver, claim=claim, decided_fen=400_000)
    assert "理由" in no_reason.value.message
    claim_approve(actor=world.approver, claim=claim, decided_fen=400_000, reason="带徒成效显著")
    claim.refresh_from_db()
    assert claim.payable_fen == 400_000 and claim.decided_reason == "带徒成效显著"
    entry = AuditEntry.objects.get(action="claim_decide_amount", object_id=str(claim.pk))
    assert (entry.after or {})["decided_fen"] == 400_000 and entry.reason == "带徒成效显著"


def test_return_resubmit_refuse_and_withdraw_need_reasons_and_are_audited() -> None:
    world = build_world()
    claim = bare_claim(world.gold)
    with pytest.raises(DomainError):
        claim_return(actor=world.reviewer, claim=claim, reason="")
    claim_return(actor=world.reviewer, claim=claim, reason="缺少证书复印件")
    claim_resubmit(actor=world.worker, claim=claim, reason="已补交")
    claim_review(actor=world.reviewer, claim=claim)
    claim_refuse(actor=world.approver, claim=claim, reason="证书不在有效期内")
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.REFUSED and claim.status_reason == "证书不在有效期内"
    with pytest.raises(TransitionRefused) as err:
        claim_withdraw(actor=world.worker, claim=claim, reason="不需要了")
    assert "不予支持" in err.value.message
    assert moves(claim.pk) == [
        ("returned", "缺少证书复印件"),
        ("accepted", "已补交"),
        ("reviewed", "初审通过"),
        ("refused", "证书不在有效期内"),
    ]
    other = bare_claim(world.gold)
    claim_withdraw(actor=world.worker, claim=other, reason="本人放弃")
    other.refresh_from_db()
    assert other.status == ClaimStatus.WITHDRAWN


def test_an_upheld_objection_refuses_the_claim() -> None:
    world = build_world()
    claim = bare_claim(world.gold)
    claim_review(actor=world.reviewer, claim=claim)
    claim_approve(actor=world.approver, claim=claim, today=ON)
    objection = claim_objection_raise(actor=world.worker, claim=claim, text="冒名领取")
    claim_objection_answer(actor=world.approver, objection=objection, answer="属实", upheld=True)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.REFUSED
    with pytest.raises(Conflict):
        claim_objection_raise(actor=None, claim=claim, text="再提")
