"""The electronic training record (电子培训档案, issue 8 §6): the worker's own page and PDF, an
officer's view of a person in scope (page and PDF), and the bureau's training ledger (培训台账) by
town, occupation and institution with its audited .xlsx export. Reads go through
`jineng.learning.access_training` (404 out of scope)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jineng.identity.access import access_person_by_id, request_scope
from jineng.identity.models import Person
from jineng.identity.roles import CONSOLE_ROLES
from jineng.learning.access_training import VOUCHER_READ_ROLES
from jineng.learning.models import TrainingRecord
from jineng.learning.pdf import training_record_pdf
from jineng.learning.services import training_ledger_export
from jineng.learning.services.records import person_training_records, training_ledger
from jineng.organisations.access import organisations_visible_to
from jineng.organisations.regions import regions_of_scope
from jineng.reference.models import Occupation, Region
from jineng.web.guards import page, signed_in_user
from jineng.web.learning.views.common import WORKER, _person
from jineng.web.pagination import paginate, querystring_without_page

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _record_page(request: HttpRequest, person: Person, *, own: bool) -> HttpResponse:
    records = person_training_records(
        user=signed_in_user(request), person=person, scope=request_scope(request)
    )
    return render(
        request,
        "learning/records/record.html",
        {
            "person": person,
            "records": records,
            "own": own,
            "total_hours": sum(r.hours for r in records),
        },
    )


def _pdf(request: HttpRequest, person: Person) -> HttpResponse:
    records = person_training_records(
        user=signed_in_user(request), person=person, scope=request_scope(request)
    )
    response = HttpResponse(training_record_pdf(person=person, records=records), "application/pdf")
    response["Content-Disposition"] = 'inline; filename="training-record.pdf"'
    return response


@page(roles=WORKER)
def my_training_record(request: HttpRequest) -> HttpResponse:
    return _record_page(request, _person(request), own=True)


@page(roles=WORKER)
def my_training_record_pdf(request: HttpRequest) -> HttpResponse:
    return _pdf(request, _person(request))


def _person_in_scope(request: HttpRequest, person_id: int) -> Person:
    return access_person_by_id(signed_in_user(request), person_id, scope=request_scope(request))


@page(roles=CONSOLE_ROLES)
def person_training_record(request: HttpRequest, person_id: int) -> HttpResponse:
    return _record_page(request, _person_in_scope(request, person_id), own=False)


@page(roles=CONSOLE_ROLES)
def person_training_record_pdf(request: HttpRequest, person_id: int) -> HttpResponse:
    return _pdf(request, _person_in_scope(request, person_id))


class LedgerFilter(forms.Form):
    town = forms.ChoiceField(label=_("地区"), required=False)
    occupation = forms.CharField(label=_("职业"), max_length=128, required=False)
    institution = forms.TypedChoiceField(
        label=_("培训机构"), coerce=int, required=False, empty_value=None
    )

    def __init__(
        self,
        *args: Any,
        institutions: list[tuple[int, str]],
        towns: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["town"].choices = [("", _("全部"))] + towns  # type: ignore[attr-defined]
        self.fields["institution"].choices = [("", _("全部"))] + [  # type: ignore[attr-defined]
            (str(k), v) for k, v in institutions
        ]

    def clean_occupation(self) -> str:
        name = str(self.cleaned_data.get("occupation") or "").strip()
        if not name:
            return ""
        found = (
            Occupation.objects.filter(name=name).order_by("code").first()
            or Occupation.objects.filter(code=name).first()
        )
        if found is None:
            raise forms.ValidationError(_("未找到该职业，请填写职业名称，如“车工”"))
        return found.code


def _towns(request: HttpRequest) -> list[tuple[str, str]]:
    """The user's regions and two levels under them (districts, towns), for the filter."""
    tops = regions_of_scope(user=signed_in_user(request), scope=request_scope(request))
    children = list(Region.objects.filter(parent__in=tops).order_by("code")[:100])
    towns = list(Region.objects.filter(parent__in=children).order_by("code")[:400])
    return [(r.code, r.name) for r in [*tops, *children, *towns]]


def _filters(request: HttpRequest) -> tuple[LedgerFilter, dict[str, Any]]:
    scope = request_scope(request)
    institutions = list(
        organisations_visible_to(signed_in_user(request), scope=scope)
        .filter(training_records__isnull=False)
        .distinct()
        .order_by("name")
        .values_list("pk", "name")[:200]
    )
    form = LedgerFilter(request.GET or None, institutions=institutions, towns=_towns(request))
    chosen: dict[str, Any] = {"town": "", "occupation": "", "institution": None}
    if form.is_bound and form.is_valid():
        chosen.update({k: form.cleaned_data.get(k) or chosen[k] for k in chosen})
    return form, chosen


@page(roles=VOUCHER_READ_ROLES)
def ledger(request: HttpRequest) -> HttpResponse:
    form, chosen = _filters(request)
    rows = training_ledger(user=signed_in_user(request), scope=request_scope(request), **chosen)
    page_obj = paginate(request, rows, per_page=30)
    records: list[TrainingRecord] = list(page_obj.object_list)
    return render(
        request,
        "learning/records/ledger.html",
        {
            "form": form,
            "page_obj": page_obj,
            "records": records,
            "qs": querystring_without_page(request),
            "export_qs": request.GET.urlencode(),
        },
    )


@page(roles=VOUCHER_READ_ROLES)
def ledger_export(request: HttpRequest) -> HttpResponse:
    _form, chosen = _filters(request)
    data = training_ledger_export(
        actor=signed_in_user(request), scope=request_scope(request), **chosen
    )
    response = HttpResponse(data, content_type=XLSX)
    stamp = timezone.localdate().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="training-ledger-{stamp}.xlsx"'
    return response
