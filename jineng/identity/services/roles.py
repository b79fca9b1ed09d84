"""Roles: grant and revoke, scoped to an organisation (org roles) or a region (bureau, auditor).

Permission: a system administrator; an organisation admin for teacher, assessor and HR roles at
their own organisation. Granting or revoking `sysadmin` sets or clears is_staff and is_superuser.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from jineng.audit.services import audit_record
from jineng.identity.access import scope_of
from jineng.identity.errors import ValidationFailed
from jineng.identity.models import BUREAU_ROLES, ORG_ROLES, Role, RoleAssignment, User
from jineng.identity.services._common import DENIED as _DENIED
from jineng.identity.services._common import organisation_from as _organisation
from jineng.identity.services._common import region_from as _region
from jineng.reference.models import Region

if TYPE_CHECKING:
    from jineng.organisations.models import Organisation

ORG_GRANTABLE_ROLES = frozenset({Role.TEACHER, Role.ASSESSOR, Role.ORG_HR})


def check_role_target(role: str, organisation: Organisation | None, region: Region | None) -> None:
    if role not in Role.values:
        raise ValidationFailed("role", f"未知的角色：{role}", role)
    if role in ORG_ROLES:
        if organisation is None:
            raise ValidationFailed("organisation", "机构角色必须指定所属机构")
        if region is not None:
            raise ValidationFailed("region", "机构角色不按区域授权")
    elif role in BUREAU_ROLES or role == Role.AUDITOR:
        if region is None:
            raise ValidationFailed("region", "人社局和审计角色必须指定管辖区域")
        if organisation is not None:
            raise ValidationFailed("organisation", "人社局和审计角色不按机构授权")
    elif organisation is not None or region is not None:
        raise ValidationFailed("role", "该角色不指定机构或区域")


def _can_manage_role(actor: User | None, role: str, organisation: Organisation | None) -> bool:
    if actor is None:
        return True
    scope = scope_of(actor)
    if scope.is_global:
        return True
    return (
        role in ORG_GRANTABLE_ROLES
        and organisation is not None
        and Role.ORG_ADMIN in scope.roles_at(organisation.pk)
    )


def _role_after(
    role: str, organisation: Organisation | None, region: Region | None
) -> dict[str, Any]:
    return {
        "role": role,
        "organisation": organisation.pk if organisation else None,
        "region": region.code if region else None,
    }


def _sync_staff_flags(user: User) -> None:
    # The Django admin is the system administrators' back office.
    is_admin = user.roles.filter(role=Role.SYSADMIN).exists()
    if (user.is_staff, user.is_superuser) != (is_admin, is_admin):
        user.is_staff = user.is_superuser = is_admin
        user.save(update_fields=["is_staff", "is_superuser"])


@transaction.atomic
def role_grant(
    *,
    actor: User | None,
    user: User,
    role: str,
    organisation: Organisation | int | None = None,
    region: Region | str | None = None,
) -> RoleAssignment:
    """Give `user` a role, scoped to an organisation (org roles) or a region (bureau, auditor).
    Granting a role the user already holds returns the existing assignment and records nothing."""
    org = _organisation(organisation)
    reg = _region("region", region)
    check_role_target(role, org, reg)
    if not _can_manage_role(actor, role, org):
        raise PermissionDenied(_DENIED)
    assignment, created = RoleAssignment.objects.get_or_create(
        user=user, role=role, organisation=org, region=reg
    )
    if created:
        audit_record(
            actor=actor,
            action="grant",
            object_type="user",
            object_id=user.pk,
            after=_role_after(role, org, reg),
        )
        if role == Role.SYSADMIN:
            _sync_staff_flags(user)
    return assignment


@transaction.atomic
def role_revoke(
    *,
    actor: User | None,
    user: User,
    role: str,
    organisation: Organisation | int | None = None,
    region: Region | str | None = None,
    reason: str = "",
) -> None:
    org = _organisation(organisation)
    reg = _region("region", region)
    if not _can_manage_role(actor, role, org):
        raise PermissionDenied(_DENIED)
    assignment = (
        RoleAssignment.objects.select_for_update()
        .filter(user=user, role=role, organisation=org, region=reg)
        .first()
    )
    if assignment is None:
        raise ValidationFailed("role", "该账号没有这项角色授权", role)
    assignment.delete()
    audit_record(
        actor=actor,
        action="revoke",
        object_type="user",
        object_id=user.pk,
        before=_role_after(role, org, reg),
        reason=reason,
    )
    if role == Role.SYSADMIN:
        _sync_staff_flags(user)
