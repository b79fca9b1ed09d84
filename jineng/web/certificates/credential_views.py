"""The certificate as a W3C Verifiable Credential (download: the holder and officers in scope, as
the PDF) and the public Bitstring Status List credentials it points at (no log-in)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from jineng.certificates.access import access_certificate_by_number
from jineng.certificates.credentials import MEDIA_TYPE, PURPOSES, credential_jwt, status_list_jwt
from jineng.identity.access import request_scope
from jineng.web.guards import page


@page()
@require_GET
def credential(request: HttpRequest, number: str) -> HttpResponse:
    scope = request_scope(request)
    certificate = access_certificate_by_number(request.user, number, scope=scope)
    response = HttpResponse(credential_jwt(certificate), content_type=MEDIA_TYPE)
    response["Content-Disposition"] = f'attachment; filename="certificate-{certificate.number}.jwt"'
    return response


@require_GET
def status_list(request: HttpRequest, purpose: str) -> HttpResponse:
    if purpose not in PURPOSES:
        raise Http404
    response = HttpResponse(status_list_jwt(purpose), content_type=MEDIA_TYPE)
    response["Cache-Control"] = "no-cache"  # a revocation must show at the next fetch
    response["Access-Control-Allow-Origin"] = "*"  # any verifier may fetch it
    return response
