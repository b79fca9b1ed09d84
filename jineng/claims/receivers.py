"""Claims listening to lower layers (connected in `ClaimsConfig.ready`).

A revoked certificate (`jineng.certificates.signals.certificate_revoked`, sent inside the
revocation's transaction) flags every claim whose trigger was that certificate's dossier fact
(a claim keeps the root fact of a correction chain, `claims.services.claims.root_fact_id`): a
claim already paid is flagged for recovery (追回, `claim_recover` by an approver after an officer
upholds the flag), one not yet paid is held (an open flag blocks approval and payment). Issue 9, 8:
"revocation is permanent and supersedes the dossier fact, so a subsidy paid on it is flagged for
recovery". The flag is an ordinary `ClaimFlag` (kind `certificate_revoked`): the flag queue, its
decision and its audit are the integrity checks' own."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction

from jineng.audit.services import audit_record_batch
from jineng.audit.vocabulary import AuditAction, AuditObject
from jineng.claims.models import (
    CLOSED_STATUSES,
    Claim,
    ClaimFlag,
    ClaimStatus,
    FlagKind,
    FlagStatus,
)

if TYPE_CHECKING:
    from jineng.certificates.models import Certificate
    from jineng.identity.models import User


def flag_claims_on_revoked_certificate(
    sender: object,
    *,
    certificate: Certificate,
    actor: User | None,
    reason: str,
    **kwargs: Any,
) -> int:
    """Flag the live and paid claims triggered by the revoked certificate; returns how many."""
    if certificate.fact_id is None:
        return 0
    claims = (
        Claim.objects.filter(fact_id=str(certificate.fact_id))
        .exclude(status__in=[*CLOSED_STATUSES, ClaimStatus.RECOVERED])
        .exclude(flags__kind=FlagKind.CERTIFICATE_REVOKED, flags__status=FlagStatus.OPEN)
        .values_list("pk", "status")
    )
    revoked_on = certificate.revoked_at.date().isoformat() if certificate.revoked_at else ""
    new = [
        ClaimFlag(
            claim_id=pk,
            kind=FlagKind.CERTIFICATE_REVOKED,
            evidence={
                "certificate": certificate.number,
                "revoked_on": revoked_on,
                "reason": reason,
                "paid": status == ClaimStatus.PAID,
            },
        )
        for pk, status in claims
    ]
    if not new:
        return 0
    try:
        with transaction.atomic():
            ClaimFlag.objects.bulk_create(new)
    except IntegrityError:  # raised at the same moment by another revocation's receiver
        return 0
    stored = ClaimFlag.objects.filter(
        status=FlagStatus.OPEN,
        kind=FlagKind.CERTIFICATE_REVOKED,
        claim_id__in={f.claim_id for f in new},
    ).values_list("pk", "claim_id")
    audit_record_batch(
        actor=actor,
        action=AuditAction.CLAIM_FLAG_RAISE,
        object_type=AuditObject.CLAIM_FLAG,
        rows=[(pk, None, {"kind": FlagKind.CERTIFICATE_REVOKED, "claim": c}) for pk, c in stored],
    )
    return len(new)
