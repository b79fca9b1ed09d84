"""Claims pages: the bureau's queue (filters, and bulk actions each checked per claim by its own
service), a worker's "我的待遇申领", and one claim with its clause and history.

Pages validate input and render; what a user sees is decided by `jineng.claims.access` (Http404
out of scope) and what they may do by the services (PermissionDenied, DomainError)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from jineng.claims import selectors, services
from jineng.claims.access import access_claim_by_id, is_beneficiary, may_record_objection
from jineng.claims.models import Claim, ClaimStatus, LineStatus
from jineng.core.errors import DomainError
from jineng.identity.access import request_scope
from jineng.identity.models import Role, User
from jineng.identity.roles import CONSOLE_ROLES
from jineng.policy.engine.money import format_yuan
from jineng.web.claims.steps import (
    may_answer_objection,
    next_step,
    refusal,
    steps_for,
)
from jineng.web.guards import page, signed_in_user
from jineng.web.pagination import paginate, querystring_without_page

BULK_LIMIT = 200


class QueueFilter(forms.Form):
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部状态")), *ClaimStatus.choices]
    )
    q = forms.CharField(label=_("姓名或单位"), required=False, max_length=64)


def _review(user: User, claim: Claim, reason: str) -> None:
    services.claim_review(actor=user, claim=claim, reason=reason)


def _approve(user: User, claim: Claim, reason: str) -> None:
    services.claim_approve(actor=user, claim=claim, reason=reason)


def _close(user: User, claim: Claim, reason: str) -> None:
    services.claim_publicity_close(actor=user, claim=claim)


def _refuse(user: User, claim: Claim, reason: str) -> None:
    services.claim_refuse(actor=user, claim=claim, reason=reason)


@dataclass(frozen=True)
class BulkAction:
    label: str
    run: Callable[[User, Claim, str], None]


BULK_ACTIONS: dict[str, BulkAction] = {
    "review": BulkAction(str(_("初审通过")), _review),
    "approve": BulkAction(str(_("复审通过并公示")), _approve),
    "close": BulkAction(str(_("公示期满转待拨付")), _close),
    "refuse": BulkAction(str(_("不予支持")), _refuse),
}


def _bulk(request: HttpRequest, user: User) -> HttpResponse:
    action = BULK_ACTIONS.get(request.POST.get("action", ""))
    ids = [i for i in request.POST.getlist("claim") if i.isdigit()][:BULK_LIMIT]
    back = reverse("claims:queue") + "?" + request.POST.get("back", "")
    if action is None or not ids:
        messages.error(request, str(_("请选择申领和要办理的操作")))
        return HttpResponseRedirect(back)
    reason = request.POST.get("reason", "").strip()[:200]
    scope = request_scope(request)
    done, refused = 0, []
    for claim_id in ids:
        claim = access_claim_by_id(user, claim_id, scope=scope)
        try:
            action.run(user, claim, reason)
        except (DomainError, PermissionDenied) as exc:
            refused.append(f"{claim.beneficiary_name}「{claim.item_title}」：{refusal(exc)}")
        else:
            done += 1
    messages.success(request, f"「{action.label}」已办理 {done} 件")
    for line in refused:
        messages.warning(request, f"未办理：{line}")
    return HttpResponseRedirect(back)


@dataclass(frozen=True)
class Row:
    claim: Claim
    amount: str


@dataclass(frozen=True)
class MineRow:
    claim: Claim
    amount: str
    clause: str
    next_step: str


def citation_text(citation: dict[str, Any]) -> str:
    """《文件》 section 第n项: the clause that pays a claim, as its page shows it."""
    parts = [str(citation.get("source", "")), str(citation.get("section", ""))]
    if citation.get("article"):
        parts.append(str(_("第%(n)s项") % {"n": citation["article"]}))
    return " ".join(p for p in parts if p)


def _rows(claims: Any) -> list[Row]:
    return [Row(c, format_yuan(c.payable_fen)) for c in claims]


@page(roles=CONSOLE_ROLES)
@require_http_methods(["GET", "POST"])
def queue(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    if request.method == "POST":
        return _bulk(request, user)
    form = QueueFilter(request.GET or None)
    status = q = ""
    if form.is_valid():
        status, q = form.cleaned_data["status"], form.cleaned_data["q"]
    claims = selectors.claims_queue(user, scope=request_scope(request), status=status, q=q)
    page_obj = paginate(request, claims)
    return render(
        request,
        "claims/queue.html",
        {
            "form": form,
            "page_obj": page_obj,
            "rows": _rows(page_obj.object_list),
            "actions": [(key, a.label) for key, a in BULK_ACTIONS.items()],
            "qs": querystring_without_page(request),
            "back": request.GET.urlencode(),
            "read_only": request_scope(request).read_only,
        },
    )


@page(roles=frozenset({Role.WORKER}))
def mine(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    claims = selectors.my_claims(user, scope=request_scope(request))
    page_obj = paginate(request, claims.prefetch_related("payout_lines"))
    rows = [
        MineRow(c, format_yuan(c.payable_fen), citation_text(c.citation), next_step(c))
        for c in page_obj.object_list
    ]
    return render(request, "claims/mine.html", {"page_obj": page_obj, "rows": rows, "qs": ""})


@page(roles=frozenset({Role.WORKER}))
def inbox(request: HttpRequest) -> HttpResponse:
    page_obj = paginate(request, selectors.inbox_of(signed_in_user(request)))
    return render(request, "claims/inbox.html", {"page_obj": page_obj, "qs": ""})


class AccountForm(forms.Form):
    account = forms.CharField(label=_("收款银行账号"), max_length=40)


@page()
@require_http_methods(["GET", "POST"])
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    claim = access_claim_by_id(user, pk, scope=request_scope(request))
    form = AccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.claim_account_confirm(
                actor=user, claim=claim, account=form.cleaned_data["account"]
            )
        except DomainError as exc:
            form.add_error("account", exc.message)
        else:
            messages.success(request, str(_("收款账户已确认")))
            return HttpResponseRedirect(reverse("claims:detail", args=[claim.pk]))
    scope = request_scope(request)
    read_only = scope.read_only
    steps = steps_for(user, claim, read_only=read_only)
    may_confirm = claim.status not in (
        ClaimStatus.PAYING,
        ClaimStatus.PAID,
        ClaimStatus.RECOVERED,
        ClaimStatus.REFUSED,
        ClaimStatus.WITHDRAWN,
    ) and claim.person_id == getattr(user, "person_id", None)
    return render(
        request,
        "claims/detail.html",
        {
            "claim": claim,
            "amount": format_yuan(claim.payable_fen),
            "range": (format_yuan(claim.min_fen), format_yuan(claim.max_fen))
            if claim.discretionary
            else None,
            "history": selectors.claim_history(claim),
            "citation": claim.citation,
            "form": form,
            "may_confirm": may_confirm,
            "next_step": next_step(claim),
            "is_mine": is_beneficiary(user, claim),
            "asks_amount": any(step.asks_amount for step in steps),
            "steps": steps,
            "objections": list(claim.objections.order_by("pk")),
            "may_object": may_record_objection(user, claim, read_only=read_only),
            "may_answer": may_answer_objection(user, claim, read_only=read_only),
            "payments": [
                (line, format_yuan(line.amount_fen))
                for line in claim.payout_lines.select_related("batch").order_by("pk")
                if line.status != LineStatus.PENDING
            ],
        },
    )
