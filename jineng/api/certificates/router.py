"""Certificates, mounted at /api/v1/certificates: public verification (no log-in, rate-limited per
visitor; the same selectors as the page) and revocation (the issuer's administrator, the bureau
over the issuer or the holder; 404 out of scope, 403 for a role that may not)."""

from __future__ import annotations

import math
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Router

from jineng.api.certificates.schemas import (
    AlteredOut,
    CertificateOut,
    CredentialOut,
    IntegrityOut,
    JwksOut,
    MonthOut,
    OutsideLicenceOut,
    PassRateOut,
    ReasonIn,
    RevokeIn,
    SelfEvaluationOut,
    VerifyIn,
    VerifyOut,
    VolumeOut,
)
from jineng.api.schemas import ErrorOut
from jineng.certificates import signing
from jineng.certificates.access import access_certificate_by_number
from jineng.certificates.credentials import MEDIA_TYPE, credential_jwt
from jineng.certificates.integrity import integrity_figures
from jineng.certificates.models import Certificate
from jineng.certificates.selectors import Verification, verify_by_number, verify_by_token
from jineng.certificates.services import (
    certificate_reinstate,
    certificate_revoke,
    certificate_suspend,
    may_revoke,
)
from jineng.core.errors import DomainError
from jineng.dossier.vocabulary import CERTIFICATE_LEVELS
from jineng.identity.access import scope_of
from jineng.identity.models import User

router = Router(tags=["certificates"])

ERRORS: dict[int, Any] = {400: ErrorOut, 422: ErrorOut, 429: ErrorOut}


def _out(result: Verification) -> VerifyOut:
    return VerifyOut(
        outcome=result.outcome,
        headline=result.headline,
        number=result.number,
        holder=result.holder,
        occupation=result.occupation,
        level=result.level,
        issuer=result.issuer,
        issued_on=result.issued_on,
        revoked_on=result.revoked_on,
        revoked_reason=result.revoked_reason,
        suspended_on=result.suspended_on,
        suspended_reason=result.suspended_reason,
        source=result.source,
        photo=result.photo,
        altered=[
            AlteredOut(label=a.label, signed=a.signed, recorded=a.recorded) for a in result.altered
        ],
    )


@router.post(
    "/verify",
    auth=None,
    response={200: VerifyOut, **ERRORS},
    summary="核验职业技能等级证书（无需登录）",
)
def verify(request: HttpRequest, payload: VerifyIn) -> VerifyOut:
    visitor = str(request.META.get("REMOTE_ADDR", ""))
    if payload.token:
        return _out(verify_by_token(token=payload.token, name=payload.name, visitor=visitor))
    if not payload.number or not payload.name:
        raise DomainError("number", "请填写证书编号和持证人姓名，或提供二维码中的签名")
    return _out(verify_by_number(number=payload.number, name=payload.name, visitor=visitor))


def _certificate_out(certificate: Certificate) -> CertificateOut:
    return CertificateOut(
        number=certificate.number,
        holder=certificate.holder_name,
        occupation=certificate.occupation.name,
        level=CERTIFICATE_LEVELS.get(certificate.level, certificate.level),
        issuer=certificate.issuer_name,
        issued_on=certificate.issued_on,
        status=certificate.status,
        status_label=certificate.get_status_display(),
        revoked_reason=certificate.revoked_reason,
        suspended_reason=certificate.suspended_reason,
    )


@router.post(
    "/{number}/revoke",
    response={
        200: CertificateOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
        **ERRORS,
    },
    summary="撤销证书（不可恢复）",
)
def revoke(request: HttpRequest, number: str, payload: RevokeIn) -> CertificateOut:
    user = request.user
    assert isinstance(user, User)
    scope = scope_of(user)
    certificate = access_certificate_by_number(user, number, scope=scope)
    if not may_revoke(user, certificate, scope=scope):
        raise PermissionDenied
    revoked = certificate_revoke(actor=user, certificate=certificate, reason=payload.reason)
    return _certificate_out(revoked)


STATUS_RESPONSES: dict[int, Any] = {
    200: CertificateOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    **ERRORS,
}


def _managed(request: HttpRequest, number: str) -> tuple[User, Certificate]:
    user = request.user
    assert isinstance(user, User)
    scope = scope_of(user)
    certificate = access_certificate_by_number(user, number, scope=scope)
    if not may_revoke(user, certificate, scope=scope):
        raise PermissionDenied
    return user, certificate


@router.post("/{number}/suspend", response=STATUS_RESPONSES, summary="暂停证书（可恢复）")
def suspend(request: HttpRequest, number: str, payload: ReasonIn) -> CertificateOut:
    """The issuer's administrator or the bureau; 409 unless the certificate is valid."""
    user, certificate = _managed(request, number)
    changed = certificate_suspend(actor=user, certificate=certificate, reason=payload.reason)
    return _certificate_out(changed)


@router.post("/{number}/reinstate", response=STATUS_RESPONSES, summary="恢复已暂停的证书")
def reinstate(request: HttpRequest, number: str, payload: ReasonIn) -> CertificateOut:
    """The issuer's administrator or the bureau; 409 unless the certificate is suspended."""
    user, certificate = _managed(request, number)
    changed = certificate_reinstate(actor=user, certificate=certificate, reason=payload.reason)
    return _certificate_out(changed)


@router.get(
    "/{number}/credential",
    response={200: CredentialOut, 401: ErrorOut, 404: ErrorOut},
    summary="下载证书的可验证凭证（W3C VC 2.0）",
)
def credential(request: HttpRequest, number: str) -> CredentialOut:
    """The holder and whoever may see the certificate (404 otherwise). Its status is in the
    Bitstring Status List credentials it names (/credentials/status/revocation, …/suspension)."""
    certificate = access_certificate_by_number(request.user, number, scope=scope_of(request.user))
    return CredentialOut(media_type=MEDIA_TYPE, credential=credential_jwt(certificate))


def _finite(z: float | None) -> float | None:
    return z if z is not None and math.isfinite(z) else None


@router.get(
    "/integrity",
    response={200: IntegrityOut, 401: ErrorOut, 403: ErrorOut},
    summary="评价机构诚信指标（人社部门）",
)
def integrity(request: HttpRequest) -> IntegrityOut:
    """The issuers in the caller's region: monthly volumes against their own history (robust z),
    certificates outside the licence, pass rates per agency and year against the region's (from
    published and final assessment results, robust z across the year's agencies),
    self-evaluation volumes."""
    f = integrity_figures(scope=scope_of(request.user))
    return IntegrityOut(
        volumes=[
            VolumeOut(
                organisation_id=v.organisation_id,
                name=v.name,
                months=[MonthOut(month=m, count=n) for m, n in v.months],
                latest=v.latest,
                median=v.median,
                mad=v.mad,
                z=_finite(v.z),
                flagged=v.flagged,
                reason=v.reason,
            )
            for v in f.volumes
        ],
        outside_licence=[
            OutsideLicenceOut(
                organisation_id=o.organisation_id,
                name=o.name,
                count=o.count,
                examples=list(o.examples),
            )
            for o in f.outside_licence
        ],
        pass_rates=[
            PassRateOut(
                organisation_id=r.organisation_id,
                name=r.name,
                year=r.year,
                candidates=r.candidates,
                passed=r.passed,
                rate=r.rate,
                region_rate=r.region_rate,
                z=_finite(r.z),
                flagged=r.flagged,
                reason=r.reason,
            )
            for r in f.pass_rates
        ],
        self_evaluation=[
            SelfEvaluationOut(
                organisation_id=s.organisation_id, name=s.name, year=s.year, count=s.count
            )
            for s in f.self_evaluation
        ],
        flagged=f.flagged,
    )


@router.get("/jwks", auth=None, response={200: JwksOut}, summary="证书签名公钥（离线核验用）")
def jwks(request: HttpRequest) -> JwksOut:
    """The public key that verifies the signature in a certificate's QR code (RFC 7517 JWK Set):
    a phone app or a partner system checks a certificate offline with it."""
    return JwksOut(keys=signing.public_jwks())


# Uploading historical certificates (the bureau).
from jineng.api.certificates.imports import router as imports_router  # noqa: E402

router.add_router("", imports_router)
