"""Who may read and act on claims.

Reads: bureau officers and auditors see claims whose region lies under theirs; a worker sees
their own; organisation staff see their organisations' claims; the system administrator sees
everything. Acting: each review step needs its bureau role *in the claim's region*
(`holds_role_for`, read from the role assignments themselves, so a reviewer in one district is
not a reviewer in another)."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from jineng.claims.models import Claim, ClaimFlag, ClaimRun, ClaimStatus, PayoutBatch, RegisterList
from jineng.core.regioncodes import region_prefix
from jineng.identity.access import Scope, resolve_scope
from jineng.identity.models import BUREAU_ROLES, Role, RoleAssignment, User

READ_ROLES = frozenset(BUREAU_ROLES | {Role.AUDITOR})


def _region_q(field: str, prefixes: tuple[str, ...]) -> Q:
    q = Q(pk__in=[])
    for prefix in prefixes:
        q |= Q(**{f"{field}__startswith": prefix})
    return q


def claims_visible_to(user: User, *, scope: Scope | None = None) -> QuerySet[Claim]:
    scope = resolve_scope(user, scope)
    claims = Claim.objects.select_related("person", "organisation")
    if scope.is_global:
        return claims.all()
    q = Q(pk__in=[])
    if scope.has_role(*READ_ROLES):
        q |= _region_q("region", scope.region_prefixes)
    if scope.person_id is not None:
        q |= Q(person_id=scope.person_id)
    if scope.organisation_ids:
        q |= Q(organisation_id__in=scope.organisation_ids)
    return claims.filter(q)


def access_claim_by_id(user: User, claim_id: int | str, *, scope: Scope | None = None) -> Claim:
    try:
        pk = int(str(claim_id))
    except ValueError:
        raise Http404 from None
    claim = claims_visible_to(user, scope=scope).filter(pk=pk).first()
    if claim is None:
        raise Http404("申领不存在或不在您的查看范围内")
    return claim


def _bureau_prefixes(scope: Scope) -> tuple[str, ...] | None:
    """None: everything (global); else the regions a bureau role or auditor reads."""
    if scope.is_global:
        return None
    if not scope.has_role(*READ_ROLES):
        return ()
    return scope.region_prefixes


def claim_runs_visible_to(user: User, *, scope: Scope | None = None) -> QuerySet[ClaimRun]:
    prefixes = _bureau_prefixes(resolve_scope(user, scope))
    runs = ClaimRun.objects.all()
    return runs if prefixes is None else runs.filter(_region_q("region", prefixes))


def payout_batches_visible_to(user: User, *, scope: Scope | None = None) -> QuerySet[PayoutBatch]:
    prefixes = _bureau_prefixes(resolve_scope(user, scope))
    batches = PayoutBatch.objects.all()
    return batches if prefixes is None else batches.filter(_region_q("region", prefixes))


def claim_flags_visible_to(user: User, *, scope: Scope | None = None) -> QuerySet[ClaimFlag]:
    prefixes = _bureau_prefixes(resolve_scope(user, scope))
    flags = ClaimFlag.objects.select_related("claim")
    return flags if prefixes is None else flags.filter(_region_q("claim__region", prefixes))


def registers_visible_to(user: User, *, scope: Scope | None = None) -> QuerySet[RegisterList]:
    """Imported registers (ghost-trainee checks) of the regions the bureau user reads."""
    prefixes = _bureau_prefixes(resolve_scope(user, scope))
    registers = RegisterList.objects.all()
    return registers if prefixes is None else registers.filter(_region_q("region", prefixes))


def register_regions(user: User) -> list[tuple[str, str]]:
    """(code, name) of the regions where the user may import a register (a reviewer or an
    approver there)."""
    rows = (
        RoleAssignment.objects.filter(
            user_id=user.pk, role__in=[Role.BUREAU_REVIEWER, Role.BUREAU_APPROVER]
        )
        .exclude(region__isnull=True)
        .values_list("region_id", "region__name")
        .order_by("region_id")
        .distinct()
    )
    return [(code, name) for code, name in rows]


def holds_role_for(user: User | None, role: str, region: str) -> bool:
    """`user` holds `role` for a region covering `region` (or is a system administrator)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    rows = RoleAssignment.objects.filter(user_id=user.pk, role__in=[role, Role.SYSADMIN])
    for held, code in rows.values_list("role", "region_id"):
        if held == Role.SYSADMIN:
            return True
        if code and region.startswith(region_prefix(code)):
            return True
    return False


def is_beneficiary(user: User | None, claim: Claim) -> bool:
    """The worker the claim pays, or an administrator of the organisation it pays."""
    if user is None or not user.is_authenticated:
        return False
    if claim.person_id is not None:
        return getattr(user, "person_id", None) == claim.person_id
    if claim.organisation_id is None:
        return False
    return RoleAssignment.objects.filter(
        user_id=user.pk, role=Role.ORG_ADMIN, organisation_id=claim.organisation_id
    ).exists()


def access_payout_batch_by_id(
    user: User, batch_id: int | str, *, scope: Scope | None = None
) -> PayoutBatch:
    """One batch in the user's reach; Http404 otherwise (and for a malformed id)."""
    try:
        pk = int(str(batch_id))
    except ValueError:
        raise Http404 from None
    batch = payout_batches_visible_to(user, scope=scope).filter(pk=pk).first()
    if batch is None:
        raise Http404("拨付批次不存在或不在您的查看范围内")
    return batch


def may_record_objection(user: User, claim: Claim, *, read_only: bool) -> bool:
    """An objection received during 公示 is recorded by the region's reviewer or approver (the
    service records anyone's; the pages and the API let the bureau's staff enter it)."""
    bureau = holds_role_for(user, Role.BUREAU_REVIEWER, claim.region) or holds_role_for(
        user, Role.BUREAU_APPROVER, claim.region
    )
    return claim.status == ClaimStatus.PUBLICITY and bureau and not read_only
