"""The worker's own enrolment (issue 8 §4, §7; phone first): 开放报名的培训班 of their city, a
class's page with its sessions and seats, 报名 (with their claimed training voucher for a
subsidised class) and 退出 before the class starts. The institution verifies the voucher on the
class's roster (`jineng.web.learning.classes`).

Pages validate and render; reads go through `jineng.learning.access_classes` (404 out of scope),
writes through `jineng.learning.services.enrol_self`, whose Chinese refusals are shown."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from jineng.core.errors import DomainError
from jineng.identity.access import request_scope
from jineng.learning.access_classes import access_open_class_by_id, classes_open_to
from jineng.learning.models import (
    Enrolment,
    EnrolmentStatus,
    TrainingClass,
    TrainingVoucher,
    VoucherStatus,
)
from jineng.learning.services.enrol_self import (
    class_self_enrol,
    closed_reason,
    enrolment_withdraw,
)
from jineng.web.guards import page, signed_in_user
from jineng.web.learning.views.common import WORKER, _apply_error, _person


class SelfEnrolForm(forms.Form):
    voucher = forms.TypedChoiceField(
        label=_("使用职业培训券"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args: object, vouchers: list[tuple[int, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["voucher"].choices = [("", _("不使用培训券")), *vouchers]  # type: ignore[attr-defined]


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("退出原因（可不填）"), max_length=200, required=False)


def _claimed_vouchers(request: HttpRequest, klass: TrainingClass) -> list[tuple[int, str]]:
    if not klass.subsidised:
        return []
    rows = TrainingVoucher.objects.filter(
        person=_person(request), status=VoucherStatus.CLAIMED
    ).select_related("batch")
    return [(v.pk, f"{v.batch.name}（{v.value_fen // 100} 元）") for v in rows]


@page(roles=WORKER)
def open_classes(request: HttpRequest) -> HttpResponse:
    classes = (
        classes_open_to(signed_in_user(request), scope=request_scope(request))
        .select_related("provider", "course", "occupation")
        .prefetch_related("sessions")
        .order_by("pk")[:100]
    )
    return render(request, "learning/classes/open_list.html", {"classes": classes})


def _detail(
    request: HttpRequest,
    klass: TrainingClass,
    form: SelfEnrolForm | None = None,
    withdraw_form: WithdrawForm | None = None,
) -> HttpResponse:
    person = _person(request)
    enrolment = (
        Enrolment.objects.filter(klass=klass, person=person).select_related("voucher").first()
    )
    vouchers = _claimed_vouchers(request, klass)
    context = {
        "klass": klass,
        "sessions": klass.sessions.order_by("starts_at"),
        "seats_left": max(klass.capacity - klass.enrolled, 0),
        "closed": closed_reason(klass),
        "enrolment": enrolment,
        "enrolled": enrolment is not None and enrolment.status == EnrolmentStatus.ENROLLED,
        "form": form or SelfEnrolForm(vouchers=vouchers),
        "withdraw_form": withdraw_form or WithdrawForm(),
        "has_vouchers": bool(vouchers),
    }
    return render(request, "learning/classes/open_detail.html", context)


@page(roles=WORKER)
@require_http_methods(["GET", "POST"])
def open_class(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    klass = access_open_class_by_id(user, pk, scope=request_scope(request))
    if request.method != "POST":
        return _detail(request, klass)
    if request.POST.get("action") == "withdraw":
        withdraw_form = WithdrawForm(request.POST)
        enrolment = Enrolment.objects.filter(klass=klass, person=_person(request)).first()
        if withdraw_form.is_valid() and enrolment is not None:
            try:
                enrolment_withdraw(
                    actor=user, enrolment=enrolment, reason=withdraw_form.cleaned_data["reason"]
                )
            except DomainError as exc:
                _apply_error(withdraw_form, exc)
            else:
                messages.success(request, _("已退出该培训班，培训券已退回。"))
                return HttpResponseRedirect(reverse("learning:class_open", args=[klass.pk]))
        return _detail(request, klass, withdraw_form=withdraw_form)
    form = SelfEnrolForm(request.POST, vouchers=_claimed_vouchers(request, klass))
    if form.is_valid():
        voucher_id = form.cleaned_data["voucher"]
        voucher = (
            TrainingVoucher.objects.filter(pk=voucher_id, person=_person(request)).first()
            if voucher_id
            else None
        )
        try:
            class_self_enrol(actor=user, klass=klass, voucher=voucher)
        except DomainError as exc:
            _apply_error(form, exc)
        else:
            messages.success(request, _("报名成功。开课时请用手机扫描老师出示的签到二维码。"))
            return HttpResponseRedirect(reverse("learning:class_open", args=[klass.pk]))
    return _detail(request, klass, form=form)
