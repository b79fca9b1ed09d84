"""Integrity pages (issue 10 §3, §5): the flag queues by kind with their evidence, one flag with
clear/uphold and a reason, the bureau's overdue list, and the register imports for the
ghost-trainee checks. Reads through `jineng.claims.access` (404 out of scope), writes through the
services (PermissionDenied → 403, DomainError shown on the form)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from jineng.claims import services
from jineng.claims.access import claim_flags_visible_to, register_regions, registers_visible_to
from jineng.claims.deadlines import Deadline, deadline_of, overdue_claims
from jineng.claims.evidence import describe_evidence
from jineng.claims.models import Claim, ClaimFlag, FlagKind, FlagStatus, RegisterKind
from jineng.claims.services.registers import RegisterRejected
from jineng.core.errors import DomainError
from jineng.identity.access import request_scope
from jineng.identity.roles import CONSOLE_ROLES
from jineng.web.guards import page, signed_in_user
from jineng.web.pagination import paginate, querystring_without_page


class FlagFilter(forms.Form):
    kind = forms.ChoiceField(
        label=_("疑点类别"), required=False, choices=[("", _("全部类别")), *FlagKind.choices]
    )
    status = forms.ChoiceField(
        label=_("核查状态"),
        required=False,
        choices=[("", _("全部状态")), *FlagStatus.choices],
        initial=FlagStatus.OPEN,
    )


@dataclass(frozen=True)
class FlagRow:
    flag: ClaimFlag
    evidence: str


@page(roles=CONSOLE_ROLES)
def flags(request: HttpRequest) -> HttpResponse:
    scope = request_scope(request)
    data = request.GET.copy()
    data.setdefault("status", FlagStatus.OPEN)
    form = FlagFilter(data)
    queryset = claim_flags_visible_to(signed_in_user(request), scope=scope).select_related(
        "claim__person", "claim__organisation"
    )
    if form.is_valid():
        if form.cleaned_data["kind"]:
            queryset = queryset.filter(kind=form.cleaned_data["kind"])
        if form.cleaned_data["status"]:
            queryset = queryset.filter(status=form.cleaned_data["status"])
    page_obj = paginate(request, queryset)
    counts = dict(
        claim_flags_visible_to(signed_in_user(request), scope=scope)
        .filter(status=FlagStatus.OPEN)
        .values_list("kind")
        .annotate(n=Count("pk"))
        .values_list("kind", "n")
    )
    return render(
        request,
        "claims/flags.html",
        {
            "form": form,
            "page_obj": page_obj,
            "rows": [FlagRow(f, describe_evidence(f)) for f in page_obj.object_list],
            "kinds": [(k, label, counts.get(k, 0)) for k, label in FlagKind.choices],
            "qs": querystring_without_page(request),
        },
    )


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("核查结论"),
        choices=[("cleared", _("核查无误（解除疑点）")), ("upheld", _("确认问题"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label=_("核查理由"), max_length=500, widget=forms.Textarea)


@page(roles=CONSOLE_ROLES)
@require_http_methods(["GET", "POST"])
def flag_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    flag = claim_flags_visible_to(user, scope=request_scope(request)).filter(pk=pk).first()
    if flag is None:
        raise Http404("核查疑点不存在或不在您的查看范围内")
    form = DecideForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.flag_decide(
                actor=user,
                flag=flag,
                upheld=form.cleaned_data["decision"] == "upheld",
                reason=form.cleaned_data["reason"],
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, str(_("核查结论已记录")))
            return HttpResponseRedirect(reverse("claims:flag", args=[flag.pk]))
    return render(
        request,
        "claims/flag.html",
        {
            "flag": flag,
            "evidence": describe_evidence(flag),
            "form": form,
            "may_decide": flag.status == FlagStatus.OPEN and not request_scope(request).read_only,
            "others": flag.claim.flags.exclude(pk=flag.pk),
        },
    )


@dataclass(frozen=True)
class OverdueRow:
    claim: Claim
    deadline: Deadline | None
    entered: Any


@page(roles=CONSOLE_ROLES)
def overdue(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    claims = overdue_claims(signed_in_user(request), scope=request_scope(request), today=today)
    page_obj = paginate(request, claims)
    rows = [
        OverdueRow(c, deadline_of(c, c.entered_at, today), timezone.localtime(c.entered_at))
        for c in page_obj.object_list
    ]
    return render(
        request,
        "claims/overdue.html",
        {"page_obj": page_obj, "rows": rows, "qs": querystring_without_page(request)},
    )


class RegisterForm(forms.Form):
    kind = forms.ChoiceField(label=_("名单类别"), choices=RegisterKind.choices)
    title = forms.CharField(label=_("名单名称"), max_length=200, required=False)
    region = forms.ChoiceField(label=_("适用区域"))
    file = forms.FileField(label=_("名单文件（.xlsx 或 .csv）"))

    def __init__(self, *args: Any, regions: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["region"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = regions


@page(roles=CONSOLE_ROLES)
@require_http_methods(["GET", "POST"])
def registers(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    regions = register_regions(user)
    form = RegisterForm(request.POST or None, request.FILES or None, regions=regions)
    errors: list[Any] = []
    if request.method == "POST":
        if not regions:
            raise PermissionDenied("您无权导入比对名单")
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                services.register_import(
                    actor=user,
                    kind=form.cleaned_data["kind"],
                    title=form.cleaned_data["title"],
                    region=form.cleaned_data["region"],
                    data=upload.read(),
                    filename=upload.name or "",
                )
            except RegisterRejected as exc:
                errors = exc.errors
                form.add_error("file", exc.message)
            except DomainError as exc:
                form.add_error("file", exc.message)
            else:
                messages.success(request, str(_("名单已导入，下次诚信核查时比对")))
                return HttpResponseRedirect(reverse("claims:registers"))
    page_obj = paginate(request, registers_visible_to(user, scope=request_scope(request)))
    return render(
        request,
        "claims/registers.html",
        {
            "form": form,
            "errors": errors,
            "page_obj": page_obj,
            "may_import": bool(regions) and not request_scope(request).read_only,
            "qs": querystring_without_page(request),
        },
    )


__all__ = ["flag_detail", "flags", "overdue", "registers"]
