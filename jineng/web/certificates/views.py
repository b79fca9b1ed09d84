"""Certificate pages: the public verification page (no log-in; by number and name, or the QR's
link), the list of certificates a logged-in account may see, and the PDF download (holder and
officers in scope). Pages validate and render; the selectors decide what is shown."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_GET, require_http_methods

from jineng.certificates.access import access_certificate_by_number, certificates_visible_to
from jineng.certificates.models import CertificateStatus
from jineng.certificates.pdf import certificate_pdf as render_pdf
from jineng.certificates.selectors import Verification, verify_by_number, verify_by_token
from jineng.certificates.services import certificate_revoke, may_revoke
from jineng.core.errors import DomainError, RateLimited
from jineng.core.forms import add_domain_error
from jineng.dossier.vocabulary import CERTIFICATE_LEVELS
from jineng.identity.access import request_scope
from jineng.identity.models import BUREAU_ROLES, Role, User
from jineng.web.certificates.issue_views import ISSUE_ROLES
from jineng.web.guards import page

LIST_LIMIT = 200
REVOKE_ROLES = frozenset(BUREAU_ROLES | {Role.ORG_ADMIN, Role.SYSADMIN})


class VerifyForm(forms.Form):
    number = forms.CharField(
        label="证书编号",
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    name = forms.CharField(label="持证人姓名", max_length=64)


def _visitor(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", ""))


def _render(
    request: HttpRequest,
    *,
    form: VerifyForm,
    result: Verification | None,
    status: int = 200,
    scanned: bool = False,
    error: str = "",
) -> HttpResponse:
    response = render(
        request,
        "certificates/verify.html",
        {"form": form, "result": result, "scanned": scanned, "error": error},
        status=status,
    )
    add_never_cache_headers(response)
    return response


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _render(request, form=VerifyForm(), result=None)
    form = VerifyForm(request.POST)
    if not form.is_valid():
        return _render(request, form=form, result=None, status=400)
    try:
        result = verify_by_number(
            number=form.cleaned_data["number"],
            name=form.cleaned_data["name"],
            visitor=_visitor(request),
        )
    except RateLimited as exc:
        return _render(request, form=form, result=None, status=429, error=exc.message)
    except DomainError as exc:
        add_domain_error(form, exc)
        return _render(request, form=form, result=None, status=400)
    return _render(request, form=form, result=result)


@require_GET
def verify_token(request: HttpRequest, token: str) -> HttpResponse:
    form = VerifyForm()
    try:
        result = verify_by_token(token=token, visitor=_visitor(request))
    except RateLimited as exc:
        return _render(request, form=form, result=None, status=429, error=exc.message)
    return _render(request, form=form, result=result, scanned=True)


@page()
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    """The certificates this account may see: one's own, or those in one's scope."""
    scope = request_scope(request)
    certificates = list(
        certificates_visible_to(request.user, scope=scope).order_by("-issued_on", "number")[
            :LIST_LIMIT
        ]
    )
    user = request.user
    rows = [
        {
            "certificate": c,
            "level": CERTIFICATE_LEVELS.get(c.level, c.level),
            "may_revoke": isinstance(user, User)
            and c.status != CertificateStatus.REVOKED
            and scope.has_role(*REVOKE_ROLES)
            and may_revoke(user, c, scope=scope),
        }
        for c in certificates
    ]
    may_import = scope.has_role(*BUREAU_ROLES, Role.SYSADMIN) and not scope.read_only
    may_issue = scope.has_role(*ISSUE_ROLES) and not scope.read_only
    return render(
        request,
        "certificates/mine.html",
        {"rows": rows, "may_import": may_import, "may_issue": may_issue},
    )


@page()
@require_GET
def certificate_pdf(request: HttpRequest, number: str) -> HttpResponse:
    scope = request_scope(request)
    certificate = access_certificate_by_number(request.user, number, scope=scope)
    response = HttpResponse(render_pdf(certificate), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="certificate-{certificate.number}.pdf"'
    return response


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label="撤销原因",
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="撤销后不可恢复；原因将在公开查询页上显示。",
    )


@page(roles=REVOKE_ROLES)
@require_http_methods(["GET", "POST"])
def revoke(request: HttpRequest, number: str) -> HttpResponse:
    """Revoke a certificate (the issuer's administrator, the bureau over the issuer or holder)."""
    scope = request_scope(request)
    certificate = access_certificate_by_number(request.user, number, scope=scope)
    assert isinstance(request.user, User)
    if not may_revoke(request.user, certificate, scope=scope):
        raise PermissionDenied
    form = RevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            certificate_revoke(
                actor=request.user, certificate=certificate, reason=form.cleaned_data["reason"]
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"证书{certificate.number}已撤销")
            return HttpResponseRedirect(reverse("certificates:mine"))
    return render(
        request,
        "certificates/revoke.html",
        {
            "certificate": certificate,
            "level": CERTIFICATE_LEVELS.get(certificate.level, certificate.level),
            "form": form,
            "revoked": certificate.status == CertificateStatus.REVOKED,
        },
    )
