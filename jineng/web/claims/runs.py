"""免申即享 pages: the bureau starts a run over one of its regions on a date, and follows its
progress (the page reloads itself while the job runs) to the claims it created.

The run itself is `claim_run_start` / the `claims.claim_run_execute` task (eager, in-process when
REDIS_URL is unset); these pages only validate the form and render what the access helpers allow."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from jineng.claims import services
from jineng.claims.access import claim_runs_visible_to, claims_visible_to
from jineng.claims.models import ClaimRun, RunStatus
from jineng.claims.payout_selectors import region_name
from jineng.core.errors import DomainError
from jineng.identity.access import request_scope
from jineng.identity.models import BUREAU_ROLES, RoleAssignment, User
from jineng.identity.roles import CONSOLE_ROLES
from jineng.policy.engine.money import format_yuan
from jineng.web.guards import page, signed_in_user
from jineng.web.pagination import paginate, querystring_without_page

RUN_CLAIMS_SHOWN = 50


def run_regions(user: User) -> list[tuple[str, str]]:
    """(code, name) of the regions where the user holds a bureau role: where a run may start."""
    rows = (
        RoleAssignment.objects.filter(user_id=user.pk, role__in=sorted(BUREAU_ROLES))
        .exclude(region__isnull=True)
        .values_list("region_id", "region__name")
        .order_by("region_id")
        .distinct()
    )
    return [(code, name) for code, name in rows]


class RunForm(forms.Form):
    region = forms.ChoiceField(label=_("区域"))
    on = forms.DateField(
        label=_("测算日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args: Any, regions: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["region"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = regions


@page(roles=CONSOLE_ROLES)
@require_http_methods(["GET", "POST"])
def runs(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    scope = request_scope(request)
    regions = [] if scope.read_only else run_regions(user)
    form = RunForm(
        request.POST or None, regions=regions, initial={"on": timezone.localdate().isoformat()}
    )
    if request.method == "POST":
        if not regions:
            raise PermissionDenied("您无权发起免申即享")
        if form.is_valid():
            try:
                run = services.claim_run_start(
                    actor=user, region=form.cleaned_data["region"], on=form.cleaned_data["on"]
                )
            except DomainError as exc:
                form.add_error("region", exc.message)
            else:
                messages.success(request, str(_("免申即享已发起，完成后将通知受益人")))
                return HttpResponseRedirect(reverse("claims:run", args=[run.pk]))
    # the runs the bureau started; their per-town shards are listed on each run's page
    page_obj = paginate(request, claim_runs_visible_to(user, scope=scope).filter(parent=None))
    return render(
        request,
        "claims/runs.html",
        {
            "form": form,
            "may_start": bool(regions),
            "page_obj": page_obj,
            "rows": [(r, region_name(r.region)) for r in page_obj.object_list],
            "qs": querystring_without_page(request),
        },
    )


def _access_run(user: User, pk: int, scope: Any) -> ClaimRun:
    run = claim_runs_visible_to(user, scope=scope).filter(pk=pk).first()
    if run is None:
        raise Http404
    return run


@page(roles=CONSOLE_ROLES)
@require_http_methods(["GET", "POST"])
def run(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    scope = request_scope(request)
    claim_run = _access_run(user, pk, scope)
    if request.method == "POST":
        if scope.read_only:
            raise PermissionDenied("只读账号不能重新启动")
        try:
            services.claim_run_restart(actor=user, run=claim_run)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, str(_("已重新启动，将从中断处继续")))
        return HttpResponseRedirect(reverse("claims:run", args=[claim_run.pk]))
    # a sharded run's claims are made by its towns' runs
    made_by = Q(run=claim_run) | Q(run__parent=claim_run)
    claims = claims_visible_to(user, scope=scope).filter(made_by).order_by("pk")
    shown = list(claims[:RUN_CLAIMS_SHOWN])
    shards = list(claim_run.children.order_by("region")) if claim_run.parent_id is None else []
    return render(
        request,
        "claims/run.html",
        {
            "run": claim_run,
            "region_name": region_name(claim_run.region),
            "running": claim_run.status in (RunStatus.QUEUED, RunStatus.RUNNING),
            "may_restart": claim_run.status == RunStatus.FAILED and not scope.read_only,
            "rows": [(c, format_yuan(c.payable_fen)) for c in shown],
            "more": max(0, claims.count() - len(shown)),
            "shards": [(r, region_name(r.region)) for r in shards],
        },
    )


__all__ = ["run", "run_regions", "runs"]
