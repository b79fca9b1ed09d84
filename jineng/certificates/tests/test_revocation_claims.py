"""Revoking a certificate flags the subsidies claimed on it (issue 9, 8): a paid claim for
recovery, a claim not yet paid held by the open flag; withdrawn and recovered claims and claims on
other facts are left alone; the flags are audited; revoking writes them in the same transaction."""

from __future__ import annotations

import pytest

from jineng.audit.models import AuditEntry
from jineng.certificates.models import Certificate
from jineng.certificates.services import certificate_revoke
from jineng.certificates.signals import certificate_revoked
from jineng.claims.models import ClaimFlag, ClaimStatus, FlagKind, FlagStatus
from jineng.claims.tests.support import bare_claim
from jineng.core.errors import DomainError
from jineng.identity.models import Person

pytestmark = pytest.mark.django_db


def test_revocation_flags_paid_and_live_claims_on_the_certificate(
    certificate: Certificate, holder: Person
) -> None:
    fact = str(certificate.fact_id)
    paid = bare_claim(holder, fact_id=fact, status=ClaimStatus.PAID)
    live = bare_claim(holder, fact_id=fact, instalment=2, status=ClaimStatus.ACCEPTED)
    withdrawn = bare_claim(holder, fact_id=fact, instalment=3, status=ClaimStatus.WITHDRAWN)
    elsewhere = bare_claim(holder, status=ClaimStatus.PAID)
    flags_before = AuditEntry.objects.filter(action="claim_flag_raise").count()

    certificate_revoke(actor=None, certificate=certificate, reason="查实考试作弊")

    flags = {f.claim_id: f for f in ClaimFlag.objects.filter(kind=FlagKind.CERTIFICATE_REVOKED)}
    assert set(flags) == {paid.pk, live.pk}
    assert flags[paid.pk].status == FlagStatus.OPEN
    assert flags[paid.pk].evidence["paid"] is True and flags[live.pk].evidence["paid"] is False
    assert flags[paid.pk].evidence["certificate"] == certificate.number
    assert flags[paid.pk].evidence["reason"] == "查实考试作弊"
    assert withdrawn.pk not in flags and elsewhere.pk not in flags
    assert flags[paid.pk].get_kind_display() == "所依据的证书已撤销"
    assert AuditEntry.objects.filter(action="claim_flag_raise").count() == flags_before + 2


def test_a_refused_revocation_and_a_second_signal_flag_nothing_more(
    certificate: Certificate, holder: Person
) -> None:
    bare_claim(holder, fact_id=str(certificate.fact_id), status=ClaimStatus.PAID)
    with pytest.raises(DomainError):
        certificate_revoke(actor=None, certificate=certificate, reason="")
    assert not ClaimFlag.objects.exists()
    certificate_revoke(actor=None, certificate=certificate, reason="冒名")
    certificate.refresh_from_db()
    certificate_revoked.send(Certificate, certificate=certificate, actor=None, reason="冒名")
    assert ClaimFlag.objects.count() == 1  # one open flag of the kind per claim
