"""Status changes after issue (`CERTIFICATE_STATES`): suspension and its lifting (暂停/恢复,
reversible), revocation (permanent) and supersession by a new certificate.

Revocation and supersession correct the dossier fact into an `event` (`certificate_revoked`,
`certificate_superseded`), so entitlements computed from it no longer follow (issue 9, 8);
suspension leaves the fact alone (it may be lifted) but the verification answers "suspended".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from jineng.audit.vocabulary import AuditAction
from jineng.certificates import cache as verify_cache
from jineng.certificates.models import (
    Certificate,
    CertificateStatus,
)
from jineng.certificates.services.common import (
    REVOKED_EVENT,
    SUPERSEDED_EVENT,
    CertificateRefused,
    may_revoke,
)
from jineng.certificates.signals import certificate_revoked
from jineng.core.errors import Conflict, DomainError
from jineng.core.states import transition
from jineng.dossier.models import Fact, FactKind
from jineng.dossier.services import fact_correct

if TYPE_CHECKING:
    from jineng.identity.models import User


def _latest_fact(fact: Fact) -> Fact:
    """The current version of a fact (following its corrections)."""
    current = fact
    while True:
        nxt = Fact.objects.filter(supersedes=current).first()
        if nxt is None:
            return current
        current = nxt


def _correct_away(*, actor: User | None, certificate: Certificate, code: str, reason: str) -> None:
    if certificate.fact is None:
        return
    latest = _latest_fact(certificate.fact)
    if latest.kind != FactKind.CERTIFICATE:
        return  # already corrected away
    fact_correct(
        actor=actor,
        fact=latest,
        reason=reason,
        kind=FactKind.EVENT,
        code=code,
        level="",
        attrs={**latest.attrs, "occupation": latest.code, "certificate_level": latest.level},
    )


def supersede(*, actor: User | None, old: Certificate, new: Certificate) -> None:
    if old.person_id != new.person_id:
        raise CertificateRefused("supersedes", "被替代的证书不属于同一持证人")
    transition(
        obj_or_queryset=old,
        to=CertificateStatus.SUPERSEDED,
        actor=actor,
        reason=f"由证书{new.number}替代",
        audit_action=AuditAction.CERTIFICATE_SUPERSEDE,
        superseded_by=new,
    )
    _correct_away(
        actor=actor, certificate=old, code=SUPERSEDED_EVENT, reason=f"证书由{new.number}替代"
    )
    verify_cache.forget(old.number)


@transaction.atomic
def certificate_revoke(*, actor: User | None, certificate: Certificate, reason: str) -> Certificate:
    """Revoke for good (reason required): status, who and when on the row, the dossier fact
    corrected into an `event` `certificate_revoked`, both audited."""
    reason = _reason(reason, "撤销")
    if not may_revoke(actor, certificate):
        raise PermissionDenied("无权撤销该证书")
    if certificate.status == CertificateStatus.REVOKED:
        raise Conflict("status", f"证书{certificate.number}已于此前撤销")
    transition(
        obj_or_queryset=certificate,
        to=CertificateStatus.REVOKED,
        actor=actor,
        reason=reason,
        audit_action=AuditAction.CERTIFICATE_REVOKE,
        revoked_reason=reason,
        revoked_by=actor,
        revoked_at=timezone.now(),
    )
    _correct_away(
        actor=actor, certificate=certificate, code=REVOKED_EVENT, reason=f"证书撤销：{reason}"
    )
    certificate.refresh_from_db()
    verify_cache.forget(certificate.number)
    certificate_revoked.send(Certificate, certificate=certificate, actor=actor, reason=reason)
    return certificate


def _reason(reason: str, what: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("reason", f"{what}证书须说明原因")
    if len(reason) > 200:
        raise DomainError("reason", f"{what}原因不能超过200字")
    return reason


@transaction.atomic
def certificate_suspend(
    *, actor: User | None, certificate: Certificate, reason: str
) -> Certificate:
    """暂停 a valid certificate (an investigation, a disputed assessment), reason required, by the
    issuing organisation or the bureau (as revocation). Reversible: `certificate_reinstate`."""
    reason = _reason(reason, "暂停")
    if not may_revoke(actor, certificate):
        raise PermissionDenied("无权暂停该证书")
    transition(
        obj_or_queryset=certificate,
        to=CertificateStatus.SUSPENDED,
        actor=actor,
        reason=reason,
        audit_action=AuditAction.CERTIFICATE_SUSPEND,
        suspended_reason=reason,
        suspended_by=actor,
        suspended_at=timezone.now(),
    )
    certificate.refresh_from_db()
    verify_cache.forget(certificate.number)
    return certificate


@transaction.atomic
def certificate_reinstate(
    *, actor: User | None, certificate: Certificate, reason: str
) -> Certificate:
    """Lift a suspension (恢复), reason required: valid again, the suspension's fields cleared
    (its history is the audit trail)."""
    reason = _reason(reason, "恢复")
    if not may_revoke(actor, certificate):
        raise PermissionDenied("无权恢复该证书")
    transition(
        obj_or_queryset=certificate,
        to=CertificateStatus.VALID,
        actor=actor,
        reason=reason,
        audit_action=AuditAction.CERTIFICATE_REINSTATE,
        suspended_reason="",
        suspended_by=None,
        suspended_at=None,
    )
    certificate.refresh_from_db()
    verify_cache.forget(certificate.number)
    return certificate
