"""Who may import what, and which rows fall in their scope (the same rules as the services that
write one record at a time: identity.person_create, organisations._can_manage).

- people: the system (`actor=None`), a system administrator, a bureau officer, or an organisation
  admin or HR — whose rows must name one of their own organisations as 单位, so the people they
  load are people they can then see;
- organisations: the system, a system administrator, or a bureau officer, for organisations
  located in their region;
- facts: the system, a system administrator, or a bureau officer, about people living (or
  organisations located) in their region. A subject outside the scope is reported exactly like an
  unknown one, so an import does not tell whether a number exists elsewhere.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied

from jineng.identity.access import Scope, scope_of
from jineng.identity.models import Role

if TYPE_CHECKING:
    from jineng.identity.models import User

DENIED = "无权执行此导入"
_ORG_IMPORTERS = frozenset({Role.ORG_ADMIN, Role.ORG_HR})


class ImportScope:
    def __init__(self, actor: User | None) -> None:
        self.system = actor is None
        self.scope: Scope | None = None if actor is None else scope_of(actor)

    @property
    def unrestricted(self) -> bool:
        return self.system or (self.scope is not None and self.scope.is_global)

    @property
    def is_bureau(self) -> bool:
        return self.scope is not None and bool(self.scope.bureau_region_prefixes)

    def own_organisations(self) -> frozenset[int]:
        if self.scope is None:
            return frozenset()
        return frozenset(
            org for org, roles in self.scope.organisation_roles.items() if roles & _ORG_IMPORTERS
        )

    def require(self, kind: str) -> None:
        if self.unrestricted or self.is_bureau:
            return
        if kind == "people" and self.own_organisations():
            return
        raise PermissionDenied(DENIED)

    def covers(self, region: str | None) -> bool:
        """A region the actor may write in (bureau officers: their region and below)."""
        if self.unrestricted:
            return True
        assert self.scope is not None
        return self.scope.covers_region(region, as_bureau=True)
