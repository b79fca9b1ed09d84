"""Certificate pages: the public verification page (no log-in; by number and name, or the QR's
link), the list of certificates a logged-in account may see, and the PDF download (holder and
officers in scope). Pages validate and render; the selectors decide what is shown."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_GET, require_http_methods

from jineng.certificates.access import access_certificate_by_number, certificates_visible_to
from jineng.certificates.pdf import certificate_pdf as render_pdf
from jineng.certificates.selectors import Verification, verify_by_number, verify_by_token
from jineng.core.errors import DomainError, RateLimited
from jineng.core.forms import add_domain_error
from jineng.dossier.vocabulary import CERTIFICATE_LEVELS
from jineng.identity.access import request_scope
from jineng.web.guards import page

LIST_LIMIT = 200


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
    rows = [
        {
            "certificate": c,
            "level": CERTIFICATE_LEVELS.get(c.level, c.level),
        }
        for c in certificates
    ]
    return render(request, "certificates/mine.html", {"rows": rows})


@page()
@require_GET
def certificate_pdf(request: HttpRequest, number: str) -> HttpResponse:
    scope = request_scope(request)
    certificate = access_certificate_by_number(request.user, number, scope=scope)
    response = HttpResponse(render_pdf(certificate), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="certificate-{certificate.number}.pdf"'
    return response
