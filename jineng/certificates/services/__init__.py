"""Writes of the certificates app (a package by topic): issuers and issue (`issue`), status
changes after issue (`status`), imported historical certificates (`imports`).

Every write is keyword-only, atomic and audited."""

from jineng.certificates.services.common import (
    FACT_SOURCE,
    REVOKED_EVENT,
    SUPERSEDED_EVENT,
    CertificateRefused,
    certificate_snapshot,
    may_manage_for,
    may_revoke,
)
from jineng.certificates.services.issue import (
    NewCertificate,
    ScopeEntry,
    certificate_issue,
    certificates_issue_batch,
    check_may_issue,
    issuer_register,
)
from jineng.certificates.services.status import (
    certificate_reinstate,
    certificate_revoke,
    certificate_suspend,
)

__all__ = [
    "FACT_SOURCE",
    "REVOKED_EVENT",
    "SUPERSEDED_EVENT",
    "CertificateRefused",
    "NewCertificate",
    "ScopeEntry",
    "certificate_issue",
    "certificate_reinstate",
    "certificate_revoke",
    "certificate_suspend",
    "certificate_snapshot",
    "certificates_issue_batch",
    "check_may_issue",
    "issuer_register",
    "may_manage_for",
    "may_revoke",
]
