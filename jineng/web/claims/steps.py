"""One claim's steps on its page: 初审, 复审 (with the discretionary amount), 退回补正, 不予支持,
公示 objections recorded and answered, the close of 公示, and the worker's 重新提交 / 撤回.

Which buttons a person sees is only a convenience (`steps_for`): every POST goes through the
claim's own service, which decides (four eyes, roles, open flags, the state machine); a refusal is
shown in Chinese and nothing changes. What the worker should do next is `next_step`."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from jineng.claims import services
from jineng.claims.access import (
    access_claim_by_id,
    claims_visible_to,
    holds_role_for,
    is_beneficiary,
    may_record_objection,
)
from jineng.claims.models import Claim, ClaimObjection, ClaimStatus, LineStatus
from jineng.core.errors import DomainError
from jineng.identity.access import request_scope
from jineng.identity.models import Role, User
from jineng.web.claims.applications import fen_from_yuan
from jineng.web.guards import page, signed_in_user

REVIEWER, APPROVER = Role.BUREAU_REVIEWER, Role.BUREAU_APPROVER


@dataclass(frozen=True)
class Step:
    key: str
    label: str
    needs_reason: bool = False  # the service refuses an empty reason
    asks_amount: bool = False  # the approver decides a discretionary amount


def _run(user: User, claim: Claim, key: str, reason: str, amount: str) -> None:
    decided_fen = (
        fen_from_yuan(amount, field="decided_fen", label="核定金额")
        if key == "approve" and claim.discretionary
        else None
    )
    services.claim_step(actor=user, claim=claim, action=key, reason=reason, decided_fen=decided_fen)


STEP_LABELS = {
    "review": gettext_lazy("初审通过"),
    "approve": gettext_lazy("复审通过并公示"),
    "return": gettext_lazy("退回要求补正"),
    "refuse": gettext_lazy("不予支持"),
    "close": gettext_lazy("公示期满转待拨付"),
    "recover": gettext_lazy("追回已拨付资金"),
    "resubmit": gettext_lazy("补正后重新提交"),
    "withdraw": gettext_lazy("撤回申领"),
}
DONE = {
    "review": gettext_lazy("已初审通过"),
    "approve": gettext_lazy("已复审通过，进入公示"),
    "return": gettext_lazy("已退回补正"),
    "refuse": gettext_lazy("已作出不予支持决定"),
    "close": gettext_lazy("公示结束，已转待拨付"),
    "recover": gettext_lazy("已登记追回"),
    "resubmit": gettext_lazy("已重新提交"),
    "withdraw": gettext_lazy("已撤回"),
}
NEEDS_REASON = {"return", "refuse", "recover", "withdraw"}
# 撤回 while the money has not left (CLAIM_TRANSITIONS allows it from each of these)
WITHDRAWABLE = (
    ClaimStatus.ACCEPTED,
    ClaimStatus.RETURNED,
    ClaimStatus.REVIEWED,
    ClaimStatus.PUBLICITY,
    ClaimStatus.PAYABLE,
    ClaimStatus.SCHEDULED,
)


def _step(key: str, claim: Claim) -> Step:
    return Step(
        key,
        str(STEP_LABELS[key]),
        needs_reason=key in NEEDS_REASON,
        asks_amount=key == "approve" and claim.discretionary,
    )


def steps_for(user: User, claim: Claim, *, read_only: bool) -> list[Step]:
    """The buttons worth showing this person on this claim (the services still decide)."""
    if read_only:
        return []
    keys: list[str] = []
    status = claim.status
    if status == ClaimStatus.ACCEPTED and holds_role_for(user, REVIEWER, claim.region):
        keys += ["review", "return", "refuse"]
    elif status == ClaimStatus.REVIEWED and holds_role_for(user, APPROVER, claim.region):
        keys += ["approve", "return", "refuse"]
    elif status == ClaimStatus.PUBLICITY and holds_role_for(user, APPROVER, claim.region):
        keys += ["close", "refuse"]
    elif status == ClaimStatus.PAID and holds_role_for(user, APPROVER, claim.region):
        keys.append("recover")
    if is_beneficiary(user, claim):
        if status == ClaimStatus.RETURNED:
            keys.append("resubmit")
        if status in WITHDRAWABLE:
            keys.append("withdraw")
    return [_step(k, claim) for k in keys]


def may_answer_objection(user: User, claim: Claim, *, read_only: bool) -> bool:
    return (
        claim.status == ClaimStatus.PUBLICITY
        and holds_role_for(user, APPROVER, claim.region)
        and not read_only
    )


def next_step(claim: Claim) -> str:
    """What happens next, in the beneficiary's words (我的待遇 and the claim's page)."""
    status = claim.status
    if status == ClaimStatus.RETURNED:
        return _("退回补正：%(reason)s。请补正后重新提交") % {"reason": claim.status_reason}
    if status == ClaimStatus.REFUSED:
        return _("不予支持：%(reason)s") % {"reason": claim.status_reason}
    if status == ClaimStatus.WITHDRAWN:
        return _("已撤回")
    if status == ClaimStatus.RECOVERED:
        return _("已追回：%(reason)s") % {"reason": claim.status_reason}
    if status == ClaimStatus.PAID:
        return _("已拨付，请查收")
    if status == ClaimStatus.PAYING:
        return _("拨付中，等待银行处理")
    last = max(claim.payout_lines.all(), key=lambda line: line.pk, default=None)
    if (
        last is not None
        and last.status == LineStatus.FAILED
        and last.account == claim.payee_account
    ):
        return _("银行退回（%(reason)s），请确认收款账户") % {"reason": last.bank_reason}
    if not claim.payee_account:
        return _("确认收款账户")
    if status == ClaimStatus.PUBLICITY and claim.publicity_ends:
        return _("公示中，%(date)s 公示期满") % {"date": claim.publicity_ends.isoformat()}
    if status in (ClaimStatus.PAYABLE, ClaimStatus.SCHEDULED):
        return _("等待拨付")
    return _("等待审核")


def _back(claim: Claim) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("claims:detail", args=[claim.pk]))


def refusal(exc: Exception) -> str:
    """A service's refusal in Chinese (DomainError's message, PermissionDenied's text)."""
    if isinstance(exc, DomainError):
        return exc.message
    return str(exc) or _("无权办理")


@page()
@require_POST
def step(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    scope = request_scope(request)
    claim = access_claim_by_id(user, pk, scope=scope)
    key = request.POST.get("action", "")
    if scope.read_only:
        raise PermissionDenied("只读账号不能办理")
    try:
        _run(
            user,
            claim,
            key,
            request.POST.get("reason", "").strip()[:200],
            request.POST.get("amount", ""),
        )
    except (DomainError, PermissionDenied) as exc:
        messages.error(request, _("未办理：%(why)s") % {"why": refusal(exc)})
    else:
        messages.success(request, str(DONE[key]))
    return _back(claim)


@page()
@require_POST
def objection(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    scope = request_scope(request)
    claim = access_claim_by_id(user, pk, scope=scope)
    if not may_record_objection(user, claim, read_only=scope.read_only):
        messages.error(request, _("未记录：该申领不在公示期内，或您无权登记异议"))
        return _back(claim)
    try:
        services.claim_objection_raise(actor=user, claim=claim, text=request.POST.get("text", ""))
    except DomainError as exc:
        messages.error(request, _("未记录：%(why)s") % {"why": exc.message})
    else:
        messages.success(request, _("异议已登记，答复后才能结束公示"))
    return _back(claim)


@page()
@require_POST
def objection_answer(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    scope = request_scope(request)
    visible = claims_visible_to(user, scope=scope)
    found = ClaimObjection.objects.filter(pk=pk, claim__in=visible).select_related("claim").first()
    if found is None:
        raise Http404
    upheld = request.POST.get("upheld", "")
    try:
        if scope.read_only or upheld not in ("yes", "no"):
            raise DomainError("upheld", _("请选择异议是否成立"))
        services.claim_objection_answer(
            actor=user,
            objection=found,
            answer=request.POST.get("answer", ""),
            upheld=upheld == "yes",
        )
    except (DomainError, PermissionDenied) as exc:
        messages.error(request, _("未答复：%(why)s") % {"why": refusal(exc)})
    else:
        messages.success(request, _("异议已答复"))
    return _back(found.claim)


__all__ = ["Step", "next_step", "objection", "objection_answer", "refusal", "step", "steps_for"]
