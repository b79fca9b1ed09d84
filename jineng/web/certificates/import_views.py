"""Importing historical certificates (the bureau): a spreadsheet and the source the records come
from; all rows or none, the errors named by row and field."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from jineng.certificates.services.imports import certificates_import
from jineng.core.errors import DomainError
from jineng.core.forms import add_domain_error
from jineng.identity.access import request_scope
from jineng.identity.models import BUREAU_ROLES, Role, User
from jineng.organisations.access import organisations_visible_to
from jineng.organisations.models import Organisation
from jineng.web.guards import page

IMPORT_ROLES = frozenset(BUREAU_ROLES | {Role.SYSADMIN})
MAX_UPLOAD = 20 * 1024 * 1024


class KeeperChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Organisation) -> str:
        return obj.name


class ImportForm(forms.Form):
    keeper = KeeperChoice(label="记录保管单位", queryset=Organisation.objects.none())
    source = forms.CharField(
        label="记录来源",
        max_length=100,
        help_text="公开查询时显示为“依据……记录”，如“原东莞市职业技能鉴定指导中心档案”。",
    )
    file = forms.FileField(
        label="证书名单（.xlsx 或 .csv）",
        help_text="列：证书编号、姓名、证件号码、职业编码、等级、发证机构、发证日期。",
    )

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError("文件不能超过20MB")
        return upload


@page(roles=IMPORT_ROLES)
@require_http_methods(["GET", "POST"])
def import_certificates(request: HttpRequest) -> HttpResponse:
    scope = request_scope(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    keepers = organisations_visible_to(request.user, scope=scope).filter(
        certificate_issuer__isnull=False
    )
    form.fields["keeper"].queryset = keepers.order_by("name")  # type: ignore[attr-defined]
    created: list[object] = []
    if request.method == "POST" and form.is_valid():
        assert isinstance(request.user, User)
        upload = form.cleaned_data["file"]
        try:
            created = list(
                certificates_import(
                    actor=request.user,
                    keeper=form.cleaned_data["keeper"],
                    source=form.cleaned_data["source"],
                    file=upload.read(),
                    filename=upload.name,
                )
            )
        except DomainError as exc:
            add_domain_error(form, exc)
    return render(
        request,
        "certificates/import.html",
        {"form": form, "created": created, "done": bool(created)},
    )
