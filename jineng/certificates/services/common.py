"""What the certificates services share: who may write, the refusal error, the audit snapshot."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied

from jineng.certificates.models import (
    Certificate,
)
from jineng.core.errors import DomainError
from jineng.identity.access import Scope, resolve_scope, scope_of
from jineng.identity.models import Role
from jineng.organisations.models import Organisation

if TYPE_CHECKING:
    from jineng.identity.models import User


FACT_SOURCE = "certificates"
REVOKED_EVENT = "certificate_revoked"
SUPERSEDED_EVENT = "certificate_superseded"


class CertificateRefused(DomainError):
    """The issuer may not issue this certificate (licence scope, filing, employment): 400."""


# --- who may write ----------------------------------------------------------------------------


def _scope(actor: User | None) -> Scope | None:
    return None if actor is None else scope_of(actor)


def may_manage_for(
    actor: User | None, organisation: Organisation, *, scope: Scope | None = None
) -> bool:
    """The system, a system administrator, a bureau role over the organisation's region, or the
    organisation's own administrator. Auditors never write."""
    if actor is None:
        return True
    scope = resolve_scope(actor, scope)
    if scope.read_only:
        return False
    if scope.is_global:
        return True
    if scope.covers_region(organisation.region_id, as_bureau=True):
        return True
    return Role.ORG_ADMIN in scope.roles_at(organisation.pk)


def require_manage(actor: User | None, organisation: Organisation) -> None:
    if not may_manage_for(actor, organisation):
        raise PermissionDenied(f"无权以“{organisation.name}”的名义办理证书")


def may_revoke(actor: User | None, certificate: Certificate, *, scope: Scope | None = None) -> bool:
    """The issuing organisation (its administrator) or the bureau over the issuer's or the
    holder's region; the system and system administrators."""
    if actor is None:
        return True
    scope = resolve_scope(actor, scope)
    if may_manage_for(actor, certificate.issuer, scope=scope):
        return True
    region = certificate.person.residence_region_id or ""
    return not scope.read_only and scope.covers_region(region, as_bureau=True)


def certificate_snapshot(certificate: Certificate) -> dict[str, Any]:
    return {
        "number": certificate.number,
        "person": certificate.person_id,
        "occupation": certificate.occupation_id,
        "level": certificate.level,
        "issuer": certificate.issuer_id,
        "issued_on": certificate.issued_on.isoformat(),
        "status": certificate.status,
    }
