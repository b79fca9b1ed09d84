"""Suspending a certificate (暂停) and lifting the suspension (恢复): the issuer's administrator
or the bureau over the issuer or the holder, as for revocation. Both need a reason, both are
audited, and the public verification shows a suspension with its date and reason."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from jineng.certificates.access import access_certificate_by_number
from jineng.certificates.models import CERTIFICATE_STATES, CertificateStatus
from jineng.certificates.photos import MAX_BYTES, certificate_photo_set, photo_data_uri
from jineng.certificates.services import certificate_reinstate, certificate_suspend, may_revoke
from jineng.core.errors import DomainError
from jineng.core.forms import add_domain_error
from jineng.dossier.vocabulary import CERTIFICATE_LEVELS
from jineng.identity.access import request_scope
from jineng.identity.models import User
from jineng.web.certificates.views import REVOKE_ROLES
from jineng.web.guards import page

PHOTO_LIMIT = MAX_BYTES + 1  # one byte more than allowed: the service says it is too big

ACTIONS = {
    "suspend": {
        "title": "暂停证书",
        "label": "暂停原因",
        "help": "暂停期间公开查询显示“已暂停”及原因；可随时恢复。",
        "submit": "确认暂停",
        "to": CertificateStatus.SUSPENDED,
        "done": "已暂停",
    },
    "reinstate": {
        "title": "恢复证书",
        "label": "恢复原因",
        "help": "恢复后证书重新有效，暂停记录保留在审计日志中。",
        "submit": "确认恢复",
        "to": CertificateStatus.VALID,
        "done": "已恢复",
    },
}


class ReasonForm(forms.Form):
    reason = forms.CharField(label="原因", max_length=200, widget=forms.Textarea(attrs={"rows": 3}))


def _change(request: HttpRequest, number: str, action: str) -> HttpResponse:
    scope = request_scope(request)
    certificate = access_certificate_by_number(request.user, number, scope=scope)
    assert isinstance(request.user, User)
    if not may_revoke(request.user, certificate, scope=scope):
        raise PermissionDenied
    spec = ACTIONS[action]
    allowed = CERTIFICATE_STATES.allows(certificate.status, str(spec["to"]))
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        service = certificate_suspend if action == "suspend" else certificate_reinstate
        try:
            service(actor=request.user, certificate=certificate, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"证书{certificate.number}{spec['done']}")
            return HttpResponseRedirect(reverse("certificates:mine"))
    return render(
        request,
        "certificates/status_change.html",
        {
            "certificate": certificate,
            "level": CERTIFICATE_LEVELS.get(certificate.level, certificate.level),
            "form": form,
            "spec": spec,
            "allowed": allowed,
        },
    )


class PhotoForm(forms.Form):
    photo = forms.FileField(label="持证人照片（JPG 或 PNG）")


@page(roles=REVOKE_ROLES)
@require_http_methods(["GET", "POST"])
def photo(request: HttpRequest, number: str) -> HttpResponse:
    """Upload or replace the holder's photo (shown on the certificate and its verification)."""
    scope = request_scope(request)
    certificate = access_certificate_by_number(request.user, number, scope=scope)
    assert isinstance(request.user, User)
    if not may_revoke(request.user, certificate, scope=scope):
        raise PermissionDenied
    form = PhotoForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["photo"]
        try:
            certificate_photo_set(
                actor=request.user, certificate=certificate, image=upload.read(PHOTO_LIMIT)
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"证书{certificate.number}的照片已更新")
            return HttpResponseRedirect(reverse("certificates:mine"))
    return render(
        request,
        "certificates/photo.html",
        {
            "certificate": certificate,
            "level": CERTIFICATE_LEVELS.get(certificate.level, certificate.level),
            "form": form,
            "current": photo_data_uri(certificate),
        },
    )


@page(roles=REVOKE_ROLES)
@require_http_methods(["GET", "POST"])
def suspend(request: HttpRequest, number: str) -> HttpResponse:
    return _change(request, number, "suspend")


@page(roles=REVOKE_ROLES)
@require_http_methods(["GET", "POST"])
def reinstate(request: HttpRequest, number: str) -> HttpResponse:
    return _change(request, number, "reinstate")
