"""Role sets that more than one layer asks about (pages, API, services). The roles themselves and
the bureau / organisation groups are in `jineng.identity.models`."""

from __future__ import annotations

from jineng.identity.models import BUREAU_ROLES, ORG_ROLES, Role

# Who reads the bureau's console: people search, region statistics, policy pages, the audit trail.
CONSOLE_ROLES = frozenset(BUREAU_ROLES | {Role.AUDITOR, Role.SYSADMIN})
# Who may open the import page; `jineng.imports.access` decides what each may load, row by row.
IMPORT_ROLES = frozenset(BUREAU_ROLES | {Role.ORG_ADMIN, Role.ORG_HR, Role.SYSADMIN})

__all__ = ["BUREAU_ROLES", "CONSOLE_ROLES", "IMPORT_ROLES", "ORG_ROLES", "Role"]
