"""Employment history: one entry per employer and period (employer, occupation, from–to).

Permission: the system, a system administrator, a bureau officer covering the person's residence,
or an organisation admin or HR of the employer.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from jineng.audit.services import audit_record
from jineng.identity.access import scope_of
from jineng.identity.errors import ValidationFailed
from jineng.identity.models import Employment, Person, Role, User
from jineng.identity.services._common import DENIED as _DENIED
from jineng.identity.services._common import region_from as _region
from jineng.reference.models import Occupation, Region

if TYPE_CHECKING:
    from jineng.organisations.models import Organisation


def _can_record_employment(
    actor: User | None, person: Person, employer: Organisation | None
) -> bool:
    if actor is None:
        return True
    scope = scope_of(actor)
    if scope.is_global or scope.covers_region(person.residence_region_id, as_bureau=True):
        return True
    return employer is not None and bool(
        scope.roles_at(employer.pk) & {Role.ORG_ADMIN, Role.ORG_HR}
    )


def employment_snapshot(employment: Employment) -> dict[str, Any]:
    return {
        "person": employment.person_id,
        "employer": employment.employer_id,
        "employer_name": employment.employer_name,
        "occupation": employment.occupation_id,
        "region": employment.region_id,
        "start": employment.start.isoformat(),
        "end": employment.end.isoformat() if employment.end else None,
    }


@transaction.atomic
def employment_record(
    *,
    actor: User | None,
    person: Person,
    start: dt.date,
    employer: Organisation | None = None,
    employer_name: str = "",
    occupation: Occupation | str | None = None,
    region: Region | str | None = None,
    end: dt.date | None = None,
) -> Employment:
    """Add one entry to a person's employment history (employer, occupation, from–to)."""
    if not _can_record_employment(actor, person, employer):
        raise PermissionDenied(_DENIED)
    if employer is None and not employer_name.strip():
        raise ValidationFailed("employer", "请填写用人单位")
    if end is not None and end < start:
        raise ValidationFailed("end", "终止日期不能早于起始日期", end.isoformat())
    if isinstance(occupation, str) and occupation:
        found = Occupation.objects.filter(code=occupation).first()
        if found is None:
            raise ValidationFailed("occupation", f"未知的职业编码：{occupation}", occupation)
        occupation = found
    employment = Employment.objects.create(
        person=person,
        employer=employer,
        employer_name=employer_name.strip() or (employer.name if employer else ""),
        occupation=occupation or None,
        region=_region("region", region) or (employer.region if employer else None),
        start=start,
        end=end,
    )
    audit_record(
        actor=actor,
        action="create",
        object_type="employment",
        object_id=employment.pk,
        after=employment_snapshot(employment),
    )
    return employment


@transaction.atomic
def employment_end(*, actor: User | None, employment: Employment, end: dt.date) -> Employment:
    employment = (
        Employment.objects.select_for_update().select_related("person").get(pk=employment.pk)
    )
    if not _can_record_employment(actor, employment.person, employment.employer):
        raise PermissionDenied(_DENIED)
    if end < employment.start:
        raise ValidationFailed("end", "终止日期不能早于起始日期", end.isoformat())
    before = employment_snapshot(employment)
    employment.end = end
    employment.save(update_fields=["end"])
    audit_record(
        actor=actor,
        action="update",
        object_type="employment",
        object_id=employment.pk,
        before={"end": before["end"]},
        after={"end": end.isoformat()},
    )
    return employment
