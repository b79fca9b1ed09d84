"""The import page's bridge to `jineng.imports`: which kinds a role may upload, and their labels.
The uploads themselves are background jobs (`jineng.imports.jobs`)."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from jineng.identity.models import BUREAU_ROLES, Role

KIND_LABELS: dict[str, str | Promise] = {
    "people": _("人员"),
    "organisations": _("机构"),
    "facts": _("档案事实（历史证书、竞赛、称号等）"),
}
# Which kinds the form offers to whom, as `jineng.imports.access` allows them: organisation admins
# and HR load their own staff; organisations and historical facts come from the bureau. The
# imports app checks again, and restricts the rows to the actor's organisation or region.
KIND_ROLES: dict[str, frozenset[str]] = {
    "people": frozenset(BUREAU_ROLES | {Role.ORG_ADMIN, Role.ORG_HR, Role.SYSADMIN}),
    "organisations": frozenset(BUREAU_ROLES | {Role.SYSADMIN}),
    "facts": frozenset(BUREAU_ROLES | {Role.SYSADMIN}),
}


def kinds_for(roles: frozenset[str]) -> list[tuple[str, str | Promise]]:
    return [(kind, label) for kind, label in KIND_LABELS.items() if roles & KIND_ROLES[kind]]
