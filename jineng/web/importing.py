"""The import page's bridge to `jineng.imports.services`: which kinds a role may upload, and the
report kept between the dry run and the confirmation (as JSON beside the upload)."""

from __future__ import annotations

from pathlib import Path

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from jineng.identity.models import BUREAU_ROLES, Role, User
from jineng.imports.report import ImportReport, RowIssue
from jineng.imports.services import IMPORTS

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


def run(
    *, kind: str, actor: User, path: Path, filename: str, dry_run: bool, skip_bad: bool = False
) -> ImportReport:
    return IMPORTS[kind](
        actor=actor, file=path, filename=filename, dry_run=dry_run, skip_bad=skip_bad
    )


def report_from_dict(data: dict[str, object]) -> ImportReport:
    """The inverse of `ImportReport.as_dict()` (the derived fields are recomputed)."""
    issues = data["issues"]
    assert isinstance(issues, list)
    report = ImportReport(
        kind=data["kind"],  # type: ignore[arg-type]
        filename=str(data["filename"]),
        dry_run=bool(data["dry_run"]),
        skip_bad=bool(data["skip_bad"]),
        total_rows=int(data["total_rows"]),  # type: ignore[call-overload]
        issues=[RowIssue(**issue) for issue in issues],
        written=int(data["written"]),  # type: ignore[call-overload]
        file_error=str(data["file_error"]),
        write_error=str(data["write_error"]),
    )
    return report
