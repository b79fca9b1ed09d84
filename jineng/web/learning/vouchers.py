"""Training voucher pages (职业培训券, issue 8 §7): the worker's vouchers (claim, then a QR code to
show at enrolment), the institution's verification by scanning or typing the code (and, until
class completion is wired to it, recording the completion that redeems the voucher), and the
bureau's batches (issue by rule or roster import, the redemption rate, cancellation)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from jineng.core.errors import DomainError
from jineng.core.pdf import qr_png
from jineng.identity.access import Scope, request_scope
from jineng.identity.models import Role
from jineng.learning.access_training import (
    INSTITUTION_ROLES,
    VOUCHER_READ_ROLES,
    access_voucher_batch_by_id,
    access_voucher_by_id,
    verifying_institutions,
    voucher_batches_visible_to,
    voucher_by_code,
    vouchers_visible_to,
)
from jineng.learning.models import TrainingVoucher, VoucherStatus
from jineng.learning.selectors_vouchers import batch_stats
from jineng.learning.services import (
    training_record_issue,
    voucher_batch_import,
    voucher_batch_issue_by_rule,
    voucher_cancel,
    voucher_claim,
    voucher_verify,
)
from jineng.learning.services.voucher_import import ROSTER_COLUMNS, VoucherImportRefused
from jineng.learning.services.vouchers import validity_days_max
from jineng.organisations.models import Organisation
from jineng.reference.models import Occupation, Region, SkillLevel
from jineng.web.guards import page, signed_in_user
from jineng.web.learning.views.common import WORKER, _apply_error, _person
from jineng.web.pagination import paginate

VERIFIERS = frozenset(INSTITUTION_ROLES | {Role.SYSADMIN})


# --- the worker ---------------------------------------------------------------------------------


@page(roles=WORKER)
def my_vouchers(request: HttpRequest) -> HttpResponse:
    person = _person(request)
    vouchers = list(
        vouchers_visible_to(signed_in_user(request), scope=request_scope(request))
        .filter(person=person)
        .select_related("batch", "verified_institution", "verified_occupation")
        .prefetch_related("batch__occupations")
        .order_by("-issued_at", "-id")
    )
    return render(
        request,
        "learning/vouchers/mine.html",
        {"vouchers": vouchers, "today": timezone.localdate()},
    )


@require_POST
@page(roles=WORKER)
def claim(request: HttpRequest, pk: int) -> HttpResponse:
    voucher = access_voucher_by_id(signed_in_user(request), pk, scope=request_scope(request))
    if voucher.person_id != _person(request).pk:
        raise Http404("培训券不存在或不在您的查看范围内")
    try:
        voucher_claim(actor=signed_in_user(request), voucher=voucher)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已领取。报名培训时请向定点培训机构出示二维码。"))
    return HttpResponseRedirect(reverse("learning:my_vouchers"))


def verify_url(request: HttpRequest, voucher: TrainingVoucher) -> str:
    path = reverse("learning:voucher_verify")
    return request.build_absolute_uri(f"{path}?{urlencode({'code': voucher.code})}")


@page(roles=WORKER)
def qr(request: HttpRequest, pk: int) -> HttpResponse:
    """The QR code of a claimed voucher: the institution's verification page with the code, so
    the staff's phone camera (or any scanner app) opens it where they are logged in."""
    voucher = access_voucher_by_id(signed_in_user(request), pk, scope=request_scope(request))
    if voucher.person_id != _person(request).pk or voucher.status != VoucherStatus.CLAIMED:
        raise Http404("培训券不存在或不在您的查看范围内")
    return HttpResponse(qr_png(verify_url(request, voucher), box_size=8), content_type="image/png")


# --- the institution ----------------------------------------------------------------------------


class VerifyForm(forms.Form):
    code = forms.CharField(label=_("券号"), max_length=20)
    institution = forms.TypedChoiceField(label=_("培训机构"), coerce=int)
    occupation = forms.ChoiceField(label=_("报名职业"))
    enrolment_ref = forms.CharField(
        label=_("报名班级或记录"), max_length=100, required=False, help_text=_("如“车工初级班”")
    )

    def __init__(
        self,
        *args: Any,
        institutions: list[tuple[int, str]],
        occupations: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["institution"].choices = [(str(k), v) for k, v in institutions]  # type: ignore[attr-defined]
        self.fields["occupation"].choices = occupations  # type: ignore[attr-defined]


class CompleteForm(forms.Form):
    hours = forms.IntegerField(label=_("学时"), min_value=1, max_value=10_000)
    level = forms.ChoiceField(label=_("等级"), choices=SkillLevel.choices)
    result = forms.ChoiceField(
        label=_("培训结果"), choices=[("passed", _("合格")), ("failed", _("不合格"))]
    )


def _institutions(scope: Scope) -> list[tuple[int, str]]:
    if scope.is_global:
        qs = Organisation.objects.filter(designated_training=True)
    else:
        qs = Organisation.objects.filter(pk__in=verifying_institutions(scope))
    return list(qs.order_by("name").values_list("pk", "name")[:100])


def _occupations(voucher: TrainingVoucher | None) -> list[tuple[str, str]]:
    if voucher is None:
        return []
    scoped = list(voucher.batch.occupations.order_by("code").values_list("code", "name"))
    if scoped:
        return scoped
    return list(Occupation.objects.order_by("code").values_list("code", "name")[:2000])


def _verify_page(
    request: HttpRequest,
    *,
    voucher: TrainingVoucher | None,
    code: str,
    form: VerifyForm | None = None,
    complete_form: CompleteForm | None = None,
    status: int = 200,
) -> HttpResponse:
    scope = request_scope(request)
    if voucher is not None and form is None and voucher.status == VoucherStatus.CLAIMED:
        form = VerifyForm(
            initial={"code": voucher.code},
            institutions=_institutions(scope),
            occupations=_occupations(voucher),
        )
    if voucher is not None and voucher.status == VoucherStatus.VERIFIED and complete_form is None:
        complete_form = CompleteForm(initial={"level": "5", "result": "passed"})
    return render(
        request,
        "learning/vouchers/verify.html",
        {
            "voucher": voucher,
            "code": code,
            "form": form,
            "complete_form": complete_form,
            "searched": bool(code),
        },
        status=status,
    )


@page(roles=VERIFIERS)
def verify(request: HttpRequest) -> HttpResponse:
    scope = request_scope(request)
    if request.method == "POST":
        code = str(request.POST.get("code", ""))
        voucher = voucher_by_code(scope, code)
        if voucher is None:
            return _verify_page(request, voucher=None, code=code, status=404)
        form = VerifyForm(
            request.POST, institutions=_institutions(scope), occupations=_occupations(voucher)
        )
        if form.is_valid():
            institution = Organisation.objects.get(pk=form.cleaned_data["institution"])
            try:
                voucher_verify(
                    actor=signed_in_user(request),
                    voucher=voucher,
                    institution=institution,
                    occupation=form.cleaned_data["occupation"],
                    on=timezone.localdate(),
                    enrolment_ref=form.cleaned_data["enrolment_ref"],
                )
            except DomainError as exc:
                _apply_error(form, exc)
            else:
                messages.success(request, _("核验通过，已登记报名。"))
                target = reverse("learning:voucher_verify")
                return HttpResponseRedirect(f"{target}?{urlencode({'code': voucher.code})}")
        return _verify_page(request, voucher=voucher, code=code, form=form)
    code = str(request.GET.get("code", ""))[:20]
    voucher = voucher_by_code(scope, code) if code else None
    return _verify_page(request, voucher=voucher, code=code)


@require_POST
@page(roles=VERIFIERS)
def complete(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the completion of the holder's training at the verifying institution, which redeems
    the voucher (`training_record_issue(voucher=…)`). Until classes are wired to it, this is how
    an institution closes a voucher-paid training."""
    scope = request_scope(request)
    voucher = access_voucher_by_id(signed_in_user(request), pk, scope=scope)
    institution = voucher.verified_institution
    if voucher.status != VoucherStatus.VERIFIED or institution is None:
        raise Http404("培训券不存在或不在您的查看范围内")
    form = CompleteForm(request.POST)
    if form.is_valid():
        try:
            training_record_issue(
                actor=signed_in_user(request),
                person=voucher.person,
                occupation=voucher.verified_occupation_id or "",
                level=form.cleaned_data["level"],
                hours=form.cleaned_data["hours"],
                institution=institution,
                completed_on=timezone.localdate(),
                result=form.cleaned_data["result"],
                subsidised=True,
                source="class",
                class_ref=voucher.enrolment_ref or f"培训券 {voucher.code}",
                voucher=voucher if form.cleaned_data["result"] == "passed" else None,
            )
        except DomainError as exc:
            _apply_error(form, exc)
        else:
            messages.success(request, _("已登记结业，记入学员的培训档案。"))
            target = reverse("learning:voucher_verify")
            return HttpResponseRedirect(f"{target}?{urlencode({'code': voucher.code})}")
    return _verify_page(request, voucher=voucher, code=voucher.code, complete_form=form)


# --- the bureau ---------------------------------------------------------------------------------


def _bureau_regions(scope: Scope) -> list[tuple[str, str]]:
    if scope.is_global:
        qs = Region.objects.filter(level__in=["city", "district"]).order_by("code")[:500]
    else:
        codes = [p.ljust(6, "0") for p in scope.bureau_region_prefixes]
        qs = Region.objects.filter(code__in=codes).order_by("code")
    return [(r.code, r.name) for r in qs]


class BatchForm(forms.Form):
    name = forms.CharField(label=_("批次名称"), max_length=100)
    region = forms.ChoiceField(label=_("发放地区"))
    value_yuan = forms.DecimalField(
        label=_("面额（元）"), min_value=Decimal("0.01"), max_digits=9, decimal_places=2
    )
    occupations = forms.CharField(
        label=_("适用职业"),
        max_length=500,
        required=False,
        help_text=_("职业名称，多个用顿号分隔；不填为不限职业"),
    )
    validity_days = forms.IntegerField(label=_("有效天数"), min_value=1)

    def __init__(self, *args: Any, regions: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = regions  # type: ignore[attr-defined]
        longest = validity_days_max()
        field = self.fields["validity_days"]
        field.max_value = longest  # type: ignore[attr-defined]
        field.initial = longest
        field.help_text = _("最长 %(n)s 天") % {"n": longest}

    def clean_occupations(self) -> list[str]:
        text = str(self.cleaned_data.get("occupations") or "")
        names = [n.strip() for n in text.replace(",", "、").replace("，", "、").split("、")]
        codes: list[str] = []
        for name in filter(None, names):
            found = Occupation.objects.filter(name=name).order_by("code").first()
            if found is None:
                raise forms.ValidationError(_("未找到职业“%(n)s”") % {"n": name})
            codes.append(found.code)
        return codes

    def value_fen(self) -> int:
        return int(self.cleaned_data["value_yuan"] * 100)


class ImportForm(BatchForm):
    roster = forms.FileField(label=_("名单文件（.xlsx 或 .csv）"))


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("作废原因"), max_length=200)


def _batches_page(
    request: HttpRequest,
    *,
    rule_form: BatchForm | None = None,
    import_form: ImportForm | None = None,
    import_issues: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    scope = request_scope(request)
    regions = _bureau_regions(scope)
    batches = paginate(
        request,
        voucher_batches_visible_to(signed_in_user(request), scope=scope).select_related("region"),
        per_page=20,
    )
    stats = batch_stats([b.pk for b in batches.object_list])
    can_issue = (
        not scope.read_only
        and bool(regions)
        and bool(
            scope.is_global
            or scope.roles & {Role.BUREAU_REVIEWER, Role.BUREAU_APPROVER, Role.BUREAU_FINANCE}
        )
    )
    return render(
        request,
        "learning/vouchers/batches.html",
        {
            "rows": [(b, stats[b.pk]) for b in batches.object_list],
            "page_obj": batches,
            "qs": "",
            "can_issue": can_issue,
            "rule_form": rule_form or BatchForm(regions=regions, prefix="rule"),
            "import_form": import_form or ImportForm(regions=regions, prefix="roster"),
            "import_issues": import_issues or [],
            "columns": [c.header for c in ROSTER_COLUMNS],
        },
        status=status,
    )


@page(roles=VOUCHER_READ_ROLES)
def batches(request: HttpRequest) -> HttpResponse:
    return _batches_page(request)


@require_POST
@page(roles=VOUCHER_READ_ROLES)
def batch_issue(request: HttpRequest) -> HttpResponse:
    form = BatchForm(request.POST, regions=_bureau_regions(request_scope(request)), prefix="rule")
    if form.is_valid():
        try:
            batch = voucher_batch_issue_by_rule(
                actor=signed_in_user(request),
                region=form.cleaned_data["region"],
                name=form.cleaned_data["name"],
                value_fen=form.value_fen(),
                occupations=form.cleaned_data["occupations"],
                validity_days=form.cleaned_data["validity_days"],
            )
        except DomainError as exc:
            _apply_error(form, exc)
        else:
            messages.success(
                request, _("已按条件发放 %(n)s 张培训券。") % {"n": batch.vouchers.count()}
            )
            return HttpResponseRedirect(reverse("learning:voucher_batch", args=[batch.pk]))
    return _batches_page(request, rule_form=form)


@require_POST
@page(roles=VOUCHER_READ_ROLES)
def batch_import(request: HttpRequest) -> HttpResponse:
    form = ImportForm(
        request.POST,
        request.FILES,
        regions=_bureau_regions(request_scope(request)),
        prefix="roster",
    )
    issues: list[str] = []
    if form.is_valid():
        upload = form.cleaned_data["roster"]
        try:
            batch = voucher_batch_import(
                actor=signed_in_user(request),
                region=form.cleaned_data["region"],
                name=form.cleaned_data["name"],
                value_fen=form.value_fen(),
                occupations=form.cleaned_data["occupations"],
                validity_days=form.cleaned_data["validity_days"],
                file=upload.read(),
                filename=upload.name or "",
            )
        except VoucherImportRefused as exc:
            issues = [str(i) for i in exc.issues]
            form.add_error(None, _("名单有误，未发放任何培训券，请修改后重新上传。"))
        except DomainError as exc:
            _apply_error(form, exc)
        else:
            messages.success(
                request, _("已按名单发放 %(n)s 张培训券。") % {"n": batch.vouchers.count()}
            )
            return HttpResponseRedirect(reverse("learning:voucher_batch", args=[batch.pk]))
    return _batches_page(request, import_form=form, import_issues=issues)


@page(roles=VOUCHER_READ_ROLES)
def batch(request: HttpRequest, pk: int) -> HttpResponse:
    scope = request_scope(request)
    obj = access_voucher_batch_by_id(signed_in_user(request), pk, scope=scope)
    vouchers = paginate(
        request,
        obj.vouchers.select_related("person", "verified_institution").order_by("pk"),
        per_page=30,
    )
    return render(
        request,
        "learning/vouchers/batch.html",
        {
            "batch": obj,
            "stats": batch_stats([obj.pk])[obj.pk],
            "occupations": list(obj.occupations.order_by("code")),
            "page_obj": vouchers,
            "qs": "",
            "can_cancel": not scope.read_only,
            "active": {VoucherStatus.ISSUED, VoucherStatus.CLAIMED, VoucherStatus.VERIFIED},
        },
    )


@require_POST
@page(roles=VOUCHER_READ_ROLES)
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    scope = request_scope(request)
    voucher = access_voucher_by_id(signed_in_user(request), pk, scope=scope)
    access_voucher_batch_by_id(signed_in_user(request), voucher.batch_id, scope=scope)
    form = CancelForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("作废培训券须说明原因。"))
    else:
        try:
            voucher_cancel(
                actor=signed_in_user(request), voucher=voucher, reason=form.cleaned_data["reason"]
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("培训券已作废。"))
    return HttpResponseRedirect(reverse("learning:voucher_batch", args=[voucher.batch_id]))
