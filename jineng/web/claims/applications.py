"""Application pages (issue 10 §2): what the worker or the organisation's staff may apply for,
the form prefilled from the engine's explanation with attachments, their applications, one
application with its attachments (for the applicant and the bureau in scope), and an attachment
opened (audited). Writes through `jineng.claims.services.applications`."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from jineng.claims.access import claims_visible_to
from jineng.claims.models import ClaimApplication
from jineng.claims.services.applications import (
    STAFF_ROLES,
    Upload,
    applicable_lines,
    application_submit,
    attachment_open,
    line_key,
)
from jineng.claims.services.claims import NewClaim
from jineng.core.errors import DomainError
from jineng.identity.access import request_scope
from jineng.identity.models import Person, Role, RoleAssignment, User
from jineng.identity.roles import CONSOLE_ROLES
from jineng.organisations.models import Organisation
from jineng.policy.engine.money import format_yuan
from jineng.web.guards import page, signed_in_user
from jineng.web.pagination import paginate

APPLICANT_ROLES = frozenset({Role.WORKER, *STAFF_ROLES})
FILE_SLOTS = 3


def _subjects(user: User) -> list[Person | Organisation]:
    """Whom the user applies for: their own person, and organisations they are staff of."""
    found: list[Person | Organisation] = []
    person_id = getattr(user, "person_id", None)
    if person_id is not None:
        found.extend(Person.objects.filter(pk=person_id))
    org_ids = RoleAssignment.objects.filter(
        user_id=user.pk, role__in=STAFF_ROLES, organisation__isnull=False
    ).values_list("organisation_id", flat=True)
    found.extend(Organisation.objects.filter(pk__in=list(org_ids)).order_by("pk"))
    return found


def _subject_token(subject: Person | Organisation) -> str:
    return f"p{subject.pk}" if isinstance(subject, Person) else f"o{subject.pk}"


def _subject_by_token(user: User, token: str) -> Person | Organisation:
    for subject in _subjects(user):
        if _subject_token(subject) == token:
            return subject
    raise Http404("申请对象不存在或不在您的范围内")


@dataclass(frozen=True)
class LineRow:
    subject_name: str
    subject_token: str
    key: str
    title: str
    trigger: str
    amount: str


def _amount_text(line: NewClaim) -> str:
    ent = line.entitlement
    if ent.discretionary:
        return f"{format_yuan(ent.min_fen)} — {format_yuan(ent.max_fen)}（由主管部门核定）"
    return format_yuan(line.amount_fen)


@page(roles=APPLICANT_ROLES)
def apply_list(request: HttpRequest) -> HttpResponse:
    rows = [
        LineRow(
            str(getattr(subject, "name", "")),
            _subject_token(subject),
            line_key(line),
            line.item.title,
            line.entitlement.trigger,
            _amount_text(line),
        )
        for subject in _subjects(signed_in_user(request))
        for line in applicable_lines(subject)
        if not subject.claims.filter(item_id=line.item.id, kind="original").exists()
    ]
    return render(request, "claims/apply_list.html", {"rows": rows})


class ApplicationForm(forms.Form):
    statement = forms.CharField(
        label=_("申请说明"), max_length=2000, required=False, widget=forms.Textarea
    )
    requested = forms.CharField(label=_("申请金额（元）"), max_length=20, required=False)


def fen_from_yuan(text: str, *, field: str, label: str) -> int | None:
    """An amount typed in yuan (`1500`, `1,500.50`) → int fen; None when blank. Decimal, never
    float; a DomainError on `field` naming `label` otherwise."""
    cleaned = text.strip().replace(",", "")
    if not cleaned:
        return None
    try:
        value = Decimal(cleaned)
        exact = value.is_finite() and value >= 0 and value == value.quantize(Decimal("0.01"))
    except InvalidOperation:
        raise DomainError(field, f"{label}应为数字，单位为元") from None
    if not exact:
        raise DomainError(field, f"{label}应为不小于零的金额，最多两位小数")
    return int(value * 100)


def _requested_fen(text: str) -> int | None:
    return fen_from_yuan(text, field="requested_fen", label="申请金额")


def _uploads(request: HttpRequest) -> list[Upload]:
    uploads = []
    for n in range(1, FILE_SLOTS + 1):
        file = request.FILES.get(f"file{n}")
        if file is None:
            continue
        title = request.POST.get(f"title{n}", "").strip()[:100]
        uploads.append(Upload(title, file.name or "", file.read()))
    return uploads


@page(roles=APPLICANT_ROLES)
@require_http_methods(["GET", "POST"])
def apply_form(request: HttpRequest, subject: str, key: str) -> HttpResponse:
    user = signed_in_user(request)
    who = _subject_by_token(user, subject)
    line = next((n for n in applicable_lines(who) if line_key(n) == key), None)
    if line is None:
        raise Http404("该待遇无需申请或已不符合条件")
    form = ApplicationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            application = application_submit(
                actor=user,
                subject=who,
                key=key,
                statement=form.cleaned_data["statement"],
                requested_fen=_requested_fen(form.cleaned_data["requested"]),
                attachments=_uploads(request),
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, str(_("申请已提交，进入受理")))
            return HttpResponseRedirect(reverse("claims:application", args=[application.pk]))
    return render(
        request,
        "claims/apply_form.html",
        {
            "form": form,
            "subject_name": getattr(who, "name", ""),
            "line": line,
            "amount": _amount_text(line),
            "slots": range(1, FILE_SLOTS + 1),
            "clause": line.item,
        },
    )


@page(roles=APPLICANT_ROLES)
def applications_mine(request: HttpRequest) -> HttpResponse:
    applications = ClaimApplication.objects.filter(
        applicant=signed_in_user(request)
    ).select_related("claim")
    return render(
        request,
        "claims/applications.html",
        {"page_obj": paginate(request, applications), "qs": ""},
    )


def _application_in_scope(request: HttpRequest, pk: int) -> ClaimApplication:
    user = signed_in_user(request)
    visible = claims_visible_to(user, scope=request_scope(request))
    application = (
        ClaimApplication.objects.filter(pk=pk)
        .filter(claim__in=visible)
        .select_related("claim")
        .first()
    )
    if application is None:
        raise Http404("申请不存在或不在您的查看范围内")
    return application


@page(roles=frozenset(APPLICANT_ROLES | CONSOLE_ROLES))
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application_in_scope(request, pk)
    return render(
        request,
        "claims/application.html",
        {
            "application": application,
            "claim": application.claim,
            "requested": format_yuan(application.requested_fen)
            if application.requested_fen is not None
            else "",
            "attachments": application.attachments.all(),
        },
    )


@page(roles=frozenset(APPLICANT_ROLES | CONSOLE_ROLES))
def attachment(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        opened = attachment_open(actor=signed_in_user(request), attachment_id=pk)
    except PermissionDenied:
        raise Http404 from None
    response = HttpResponse(opened.data, content_type=opened.content_type)
    extension = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
    response["Content-Disposition"] = (
        f'attachment; filename="attachment-{opened.attachment.pk}.{extension[opened.content_type]}"'
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


__all__ = [
    "application_detail",
    "applications_mine",
    "apply_form",
    "apply_list",
    "attachment",
]
