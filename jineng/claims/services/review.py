"""Review as a declared state machine (`CLAIM_STATES`): 受理 → 初审 (reviewer) → 复审 (approver,
into 公示) → 待拨付 → 拨付中 → 已拨付, with return for correction, refusal, withdrawal and recovery.

Every move goes through one of these services and `jineng.core.states.transition` (one audited
entry per move, with its reason). Four eyes: the approver is not the reviewer; finance (the payout
services) is neither. A discretionary amount is decided by the approver within the engine's
range, with a reason. A claim with an open integrity flag cannot be approved."""

from __future__ import annotations

import datetime as dt
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from jineng.audit.services import audit_record
from jineng.audit.vocabulary import AuditAction, AuditObject
from jineng.claims.access import holds_role_for, is_beneficiary
from jineng.claims.models import (
    Claim,
    ClaimObjection,
    ClaimStatus,
    FlagStatus,
)
from jineng.core.errors import Conflict, DomainError, Forbidden
from jineng.core.states import transition
from jineng.identity.models import Role, User
from jineng.policy.engine.money import format_yuan

REVIEW_ROLES = (Role.BUREAU_REVIEWER, Role.BUREAU_APPROVER)


def _locked(claim: Claim) -> Claim:
    """Lock the claim's row and refresh the caller's object from it (the services update the
    object they were given)."""
    list(Claim.objects.select_for_update().filter(pk=claim.pk).values_list("pk"))
    claim.refresh_from_db()
    return claim


def _need_person(actor: User | None, what: str) -> User:
    if actor is None:
        raise Forbidden("actor", f"{what}须由工作人员本人办理，系统不能代为办理")
    return actor


def _need_role(actor: User, role: str, claim: Claim, what: str) -> None:
    if not holds_role_for(actor, role, claim.region):
        raise PermissionDenied(f"您无权对该申领{what}")


def _need_reason(reason: str, what: str) -> str:
    cleaned = reason.strip()
    if not cleaned:
        raise DomainError("reason", f"{what}须填写理由")
    return cleaned


def _open_flags(claim: Claim) -> bool:
    return claim.flags.filter(status=FlagStatus.OPEN).exists()


@transaction.atomic
def claim_review(*, actor: User, claim: Claim, reason: str = "") -> Claim:
    """初审: a reviewer in the claim's region passes it on to 复审."""
    actor = _need_person(actor, "初审")
    _need_role(actor, Role.BUREAU_REVIEWER, claim, "初审")
    claim = _locked(claim)
    transition(
        obj_or_queryset=claim,
        to=ClaimStatus.REVIEWED,
        actor=actor,
        reason=reason or "初审通过",
        reviewer=actor,
        status_reason=reason,
    )
    return claim


@transaction.atomic
def claim_approve(
    *,
    actor: User,
    claim: Claim,
    decided_fen: int | None = None,
    reason: str = "",
    today: dt.date | None = None,
) -> Claim:
    """复审: an approver other than the reviewer approves; the claim goes into 公示 for
    `CLAIMS_PUBLICITY_DAYS`. A discretionary amount is decided here, within the engine's range and
    with a reason."""
    actor = _need_person(actor, "复审")
    _need_role(actor, Role.BUREAU_APPROVER, claim, "复审")
    claim = _locked(claim)
    if claim.reviewer_id is not None and claim.reviewer_id == actor.pk:
        raise Forbidden("approver", "复审人不能与初审人为同一人，请由其他审批人复审")
    if _open_flags(claim):
        raise Conflict("flags", "该申领有待核查的疑点，核查处理后才能复审")
    fields: dict[str, Any] = {"approver": actor, "status_reason": reason}
    if claim.discretionary:
        if decided_fen is None:
            raise DomainError("decided_fen", "该事项金额须酌定，请填写核定金额")
        if not claim.min_fen <= decided_fen <= claim.max_fen:
            raise DomainError(
                "decided_fen",
                f"核定金额须在 {format_yuan(claim.min_fen)} 至 {format_yuan(claim.max_fen)} 之间",
            )
        reason = _need_reason(reason, "核定酌定金额")
        fields.update(decided_fen=int(decided_fen), decided_reason=reason)
    elif decided_fen is not None and decided_fen != claim.amount_fen:
        raise DomainError("decided_fen", "该事项金额由政策规定，不能酌定")
    day = today or timezone.localdate()
    fields["publicity_ends"] = day + timedelta(days=settings.CLAIMS_PUBLICITY_DAYS)
    transition(
        obj_or_queryset=claim,
        to=ClaimStatus.PUBLICITY,
        actor=actor,
        reason=reason or "复审通过，进入公示",
        **fields,
    )
    if claim.discretionary:
        audit_record(
            actor=actor,
            action=AuditAction.CLAIM_DECIDE_AMOUNT,
            object_type=AuditObject.CLAIM,
            object_id=claim.pk,
            after={
                "decided_fen": claim.decided_fen,
                "min_fen": claim.min_fen,
                "max_fen": claim.max_fen,
            },
            reason=reason,
            region=claim.region,
        )
    return claim


@transaction.atomic
def claim_return(*, actor: User, claim: Claim, reason: str) -> Claim:
    """退回补正: the reviewer (at 初审) or the approver (at 复审) sends it back with a reason."""
    actor = _need_person(actor, "退回")
    role = Role.BUREAU_REVIEWER if claim.status == ClaimStatus.ACCEPTED else Role.BUREAU_APPROVER
    _need_role(actor, role, claim, "退回")
    reason = _need_reason(reason, "退回补正")
    claim = _locked(claim)
    transition(
        obj_or_queryset=claim,
        to=ClaimStatus.RETURNED,
        actor=actor,
        reason=reason,
        status_reason=reason,
        reviewer=None,
        approver=None,
    )
    return claim


@transaction.atomic
def claim_resubmit(*, actor: User, claim: Claim, reason: str = "") -> Claim:
    """A returned claim, corrected, is accepted again (the beneficiary or a reviewer)."""
    actor = _need_person(actor, "重新提交")
    if not (
        is_beneficiary(actor, claim) or holds_role_for(actor, Role.BUREAU_REVIEWER, claim.region)
    ):
        raise PermissionDenied("您无权重新提交该申领")
    claim = _locked(claim)
    transition(
        obj_or_queryset=claim,
        to=ClaimStatus.ACCEPTED,
        actor=actor,
        reason=reason or "补正后重新提交",
        status_reason=reason,
    )
    return claim


@transaction.atomic
def claim_refuse(*, actor: User, claim: Claim, reason: str) -> Claim:
    """不予支持, with a reason: the reviewer at 初审, the approver afterwards."""
    actor = _need_person(actor, "不予支持")
    role = Role.BUREAU_REVIEWER if claim.status == ClaimStatus.ACCEPTED else Role.BUREAU_APPROVER
    _need_role(actor, role, claim, "作出不予支持决定")
    reason = _need_reason(reason, "不予支持")
    claim = _locked(claim)
    transition(
        obj_or_queryset=claim,
        to=ClaimStatus.REFUSED,
        actor=actor,
        reason=reason,
        status_reason=reason,
    )
    return claim


@transaction.atomic
def claim_withdraw(*, actor: User, claim: Claim, reason: str) -> Claim:
    """撤回: the beneficiary (or a reviewer on their behalf), before the money leaves."""
    actor = _need_person(actor, "撤回")
    if not (
        is_beneficiary(actor, claim) or holds_role_for(actor, Role.BUREAU_REVIEWER, claim.region)
    ):
        raise PermissionDenied("您无权撤回该申领")
    reason = _need_reason(reason, "撤回")
    claim = _locked(claim)
    transition(
        obj_or_queryset=claim,
        to=ClaimStatus.WITHDRAWN,
        actor=actor,
        reason=reason,
        status_reason=reason,
    )
    return claim


@transaction.atomic
def claim_recover(*, actor: User, claim: Claim, reason: str) -> Claim:
    """追回 a paid claim (fraud, an upheld flag, a judgment), by an approver, with a reason."""
    actor = _need_person(actor, "追回")
    _need_role(actor, Role.BUREAU_APPROVER, claim, "追回")
    reason = _need_reason(reason, "追回")
    claim = _locked(claim)
    transition(
        obj_or_queryset=claim,
        to=ClaimStatus.RECOVERED,
        actor=actor,
        reason=reason,
        status_reason=reason,
    )
    return claim


# --- 公示 -------------------------------------------------------------------------------------


@transaction.atomic
def claim_objection_raise(*, actor: User | None, claim: Claim, text: str) -> ClaimObjection:
    """An objection to a claim in 公示 (anyone may raise one; it is recorded and must be answered
    before the claim can be paid)."""
    cleaned = text.strip()
    if not cleaned:
        raise DomainError("text", "请填写异议内容")
    claim = _locked(claim)
    if claim.status != ClaimStatus.PUBLICITY:
        raise Conflict("status", "该申领不在公示期内，不能提出异议")
    objection = ClaimObjection.objects.create(claim=claim, text=cleaned[:2000], raised_by=actor)
    audit_record(
        actor=actor,
        action=AuditAction.CLAIM_OBJECTION_RAISE,
        object_type=AuditObject.CLAIM,
        object_id=claim.pk,
        after={"objection": objection.pk},
        reason=cleaned[:200],
        region=claim.region,
    )
    return objection


@transaction.atomic
def claim_objection_answer(
    *, actor: User, objection: ClaimObjection, answer: str, upheld: bool
) -> ClaimObjection:
    """The approver answers an objection; an upheld one refuses the claim with the answer as
    the reason."""
    actor = _need_person(actor, "答复异议")
    objection = ClaimObjection.objects.select_for_update().get(pk=objection.pk)
    claim = objection.claim
    _need_role(actor, Role.BUREAU_APPROVER, claim, "答复异议")
    answer = _need_reason(answer, "答复异议")
    if objection.answered_at is not None:
        raise Conflict("objection", "该异议已答复")
    objection.answer, objection.upheld = answer, upheld
    objection.answered_by, objection.answered_at = actor, timezone.now()
    objection.save(update_fields=["answer", "upheld", "answered_by", "answered_at"])
    audit_record(
        actor=actor,
        action=AuditAction.CLAIM_OBJECTION_ANSWER,
        object_type=AuditObject.CLAIM,
        object_id=claim.pk,
        after={"objection": objection.pk, "upheld": upheld},
        reason=answer,
        region=claim.region,
    )
    if upheld:
        transition(
            obj_or_queryset=claim,
            to=ClaimStatus.REFUSED,
            actor=actor,
            reason=f"公示异议成立：{answer}",
            status_reason=answer,
        )
    return objection


@transaction.atomic
def claim_publicity_close(
    *, actor: User | None, claim: Claim, today: dt.date | None = None
) -> Claim:
    """公示 ends: with its period over and every objection answered, the claim is 待拨付
    (the system may do this on schedule, or an approver)."""
    if actor is not None:
        _need_role(actor, Role.BUREAU_APPROVER, claim, "结束公示")
    claim = _locked(claim)
    day = today or timezone.localdate()
    if claim.publicity_ends is None or day < claim.publicity_ends:
        raise Conflict("publicity_ends", f"公示期至 {claim.publicity_ends} 结束，尚未期满")
    if claim.objections.filter(answered_at__isnull=True).exists():
        raise Conflict("objections", "该申领有未答复的公示异议，答复后才能转入待拨付")
    transition(obj_or_queryset=claim, to=ClaimStatus.PAYABLE, actor=actor, reason="公示期满无异议")
    return claim
