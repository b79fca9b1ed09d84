"""Finance's pages: payout batches (build from 待拨付 by item, town or date; export the bank file;
mark sent; import the bank's result; reconciliation; close) and the budget.

Pages validate and render; reads go through `jineng.claims.access` (a batch out of reach is 404)
and `jineng.claims.payout_selectors`, writes through the services, which decide who may act
(finance in the batch's region) and raise DomainError / PermissionDenied in Chinese."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from jineng.claims import payout_selectors, services
from jineng.claims.access import access_payout_batch_by_id, payout_batches_visible_to
from jineng.claims.models import BatchStatus, LineStatus, PayoutBatch
from jineng.claims.services.bank import payment_file_csv, payment_file_xlsx
from jineng.claims.services.payouts import batch_reconciliation
from jineng.core.errors import DomainError
from jineng.identity.access import request_scope
from jineng.identity.roles import CONSOLE_ROLES
from jineng.policy.engine.money import format_yuan
from jineng.web.claims.budget import budget_xlsx, chart_of, rows_of
from jineng.web.guards import page, signed_in_user
from jineng.web.importing import attachment
from jineng.web.pagination import paginate

MAX_RESULT_UPLOAD = 50 * 1024 * 1024


def _message(exc: Exception) -> str:
    if isinstance(exc, DomainError):
        return exc.message
    return str(exc) or "无权办理"


class BuildForm(forms.Form):
    region = forms.ChoiceField(label=_("区域或镇街"))
    item = forms.ChoiceField(label=_("政策事项"), required=False)
    due_by = forms.DateField(
        label=_("应付日期截止"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    title = forms.CharField(label=_("批次名称"), required=False, max_length=200)

    def __init__(self, *args: Any, regions: list[Any], items: list[Any], towns: list[Any]) -> None:
        super().__init__(*args)
        region_field = self.fields["region"]
        assert isinstance(region_field, forms.ChoiceField)
        region_field.choices = [(r.value, f"{r.label}（全部）") for r in regions] + [
            (t.value, t.label) for t in towns if t.value not in {r.value for r in regions}
        ]
        item_field = self.fields["item"]
        assert isinstance(item_field, forms.ChoiceField)
        item_field.choices = [("", _("全部事项"))] + [(i.value, i.label) for i in items]


@page(roles=CONSOLE_ROLES)
@require_http_methods(["GET", "POST"])
def batches(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    scope = request_scope(request)
    regions = payout_selectors.finance_regions(user)
    items, towns = payout_selectors.payable_choices(user, scope=scope)
    towns = [t for t in towns if payout_selectors.region_within(t.value, regions)]
    form = BuildForm(request.POST or None, regions=regions, items=items, towns=towns)
    if request.method == "POST":
        if not regions:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                batch = services.payout_batch_create(
                    actor=user,
                    region=data["region"],
                    item_id=data["item"] or "",
                    due_by=data["due_by"],
                    title=data["title"] or "",
                )
            except (DomainError, PermissionDenied) as exc:
                messages.error(request, _message(exc))
            else:
                count = batch.lines.count()
                messages.success(request, f"已编制拨付批次「{batch.title}」，共 {count} 笔")
                return HttpResponseRedirect(reverse("claims:batch", args=[batch.pk]))
    page_obj = paginate(request, payout_batches_visible_to(user, scope=scope))
    rows = [(b, batch_reconciliation(b)) for b in page_obj.object_list]
    return render(
        request,
        "claims/batches.html",
        {
            "form": form,
            "may_build": bool(regions) and not scope.read_only,
            "page_obj": page_obj,
            "rows": [(b, totals, format_yuan(totals.fen_in)) for b, totals in rows],
            "qs": "",
        },
    )


def _batch_context(batch: PayoutBatch, request: HttpRequest) -> dict[str, Any]:
    totals = batch_reconciliation(batch)
    page_obj = paginate(request, payout_selectors.batch_lines(batch))
    return {
        "batch": batch,
        "region_name": payout_selectors.region_name(batch.region),
        "totals": totals,
        "money": {
            "in": format_yuan(totals.fen_in),
            "paid": format_yuan(totals.paid_fen),
            "failed": format_yuan(totals.failed_fen),
            "withdrawn": format_yuan(totals.withdrawn_fen),
            "pending": format_yuan(totals.pending_fen),
        },
        "page_obj": page_obj,
        "lines": [(line, format_yuan(line.amount_fen)) for line in page_obj.object_list],
        "files": payout_selectors.batch_result_files(batch)[:10],
        "is_open": batch.status == BatchStatus.OPEN,
        "is_sent": batch.status == BatchStatus.SENT,
        "exportable": batch.status in (BatchStatus.OPEN, BatchStatus.SENT),
        "pending": LineStatus.PENDING,
        "qs": "",
    }


ACTIONS = ("send", "close", "cancel", "withdraw")


@page(roles=CONSOLE_ROLES)
@require_http_methods(["GET", "POST"])
def batch(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    found = access_payout_batch_by_id(user, pk, scope=request_scope(request))
    if request.method == "POST":
        action = request.POST.get("action", "")
        reason = request.POST.get("reason", "").strip()[:200]
        try:
            if action == "send":
                services.payout_batch_send(actor=user, batch=found)
                messages.success(request, str(_("已标记为提交银行")))
            elif action == "close":
                services.payout_batch_close(actor=user, batch=found)
                messages.success(request, str(_("对账完成，批次已结束")))
            elif action == "cancel":
                services.payout_batch_cancel(actor=user, batch=found, reason=reason)
                messages.success(request, str(_("批次已作废，申领退回待拨付")))
            elif action == "withdraw":
                line = payout_selectors.batch_lines(found).filter(
                    pk=int(request.POST.get("line", "0") or 0)
                    if request.POST.get("line", "").isdigit()
                    else 0
                )
                target = line.first()
                if target is None:
                    raise DomainError("line", "请选择本批次中的明细")
                services.payout_line_withdraw(actor=user, line=target, reason=reason)
                messages.success(request, str(_("明细已撤回，申领退回待拨付")))
            else:
                messages.error(request, str(_("请选择要办理的操作")))
        except (DomainError, PermissionDenied) as exc:
            messages.error(request, _message(exc))
        return HttpResponseRedirect(reverse("claims:batch", args=[found.pk]))
    return render(request, "claims/batch.html", _batch_context(found, request))


@page(roles=CONSOLE_ROLES)
@require_POST
def batch_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The bank payment file, accounts in full: a POST (audited in the service), never a link."""
    user = signed_in_user(request)
    found = access_payout_batch_by_id(user, pk, scope=request_scope(request))
    fmt = "csv" if request.POST.get("format") == "csv" else "xlsx"
    try:
        payment = services.payout_batch_export(actor=user, batch=found)
    except (DomainError, PermissionDenied) as exc:
        messages.error(request, _message(exc))
        return HttpResponseRedirect(reverse("claims:batch", args=[found.pk]))
    if fmt == "csv":
        response = HttpResponse(payment_file_csv(payment), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            payment_file_xlsx(payment),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = attachment(
        f"{payment.base_name}.{fmt}", f"payout-{found.pk}.{fmt}"
    )
    return response


@page(roles=CONSOLE_ROLES)
@require_POST
def batch_import(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    found = access_payout_batch_by_id(user, pk, scope=request_scope(request))
    upload = request.FILES.get("file")
    back = HttpResponseRedirect(reverse("claims:batch", args=[found.pk]))
    if upload is None:
        messages.error(request, str(_("请选择银行返回的结果文件")))
        return back
    if upload.size is not None and upload.size > MAX_RESULT_UPLOAD:
        messages.error(request, str(_("结果文件超过 50 MB")))
        return back
    try:
        result = services.read_result_file(name=upload.name or "", content=upload.read())
        outcome = services.payout_reconcile(
            actor=user, batch=found, results=result.results, file=result
        )
    except (DomainError, PermissionDenied) as exc:
        messages.error(request, _message(exc))
        return back
    if outcome["paid"] or outcome["failed"]:
        messages.success(request, f"已导入：到账 {outcome['paid']} 笔，失败 {outcome['failed']} 笔")
    else:
        messages.info(request, str(_("该文件中的明细均已处理过，本次未作任何改动")))
    return back


@page(roles=CONSOLE_ROLES)
@require_http_methods(["GET", "POST"])
def budget(request: HttpRequest) -> HttpResponse:
    from jineng.claims.budget import BudgetLine, budget_report
    from jineng.policy.access import can_start_simulation
    from jineng.policy.services import simulation_start

    user = signed_in_user(request)
    if request.method == "POST":
        try:
            simulation_start(actor=user, on=timezone.localdate())
        except (DomainError, PermissionDenied) as exc:
            messages.error(request, _message(exc))
        else:
            messages.success(request, str(_("已发起预算测算，完成后在此页显示")))
        return HttpResponseRedirect(reverse("claims:budget"))
    report = budget_report(user, scope=request_scope(request))
    return render(
        request,
        "claims/budget.html",
        {
            "report": report,
            "chart": chart_of(report),
            "by_item": rows_of(report.by_item_year),
            "by_town": rows_of(report.by_town),
            "by_kind": rows_of(report.by_kind),
            "total": rows_of([BudgetLine("", "合计", None, report.total)])[0],
            "may_forecast": can_start_simulation(user) and not request_scope(request).read_only,
        },
    )


@page(roles=CONSOLE_ROLES)
def budget_export(request: HttpRequest) -> HttpResponse:
    from jineng.claims.budget import budget_report

    report = budget_report(signed_in_user(request), scope=request_scope(request))
    response = HttpResponse(
        budget_xlsx(report),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    today = dt.date.today()
    response["Content-Disposition"] = attachment(
        f"待遇资金预算执行{today:%Y%m%d}.xlsx", f"budget-{today:%Y%m%d}.xlsx"
    )
    return response
