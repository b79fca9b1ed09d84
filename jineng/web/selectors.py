"""Reads the pages and the API share, composed from the access helpers of `jineng.identity.access`
(they decide what a user may see; this module only groups and counts inside that)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import CharField, Count, QuerySet
from django.db.models.functions import Cast, Substr
from django.http import Http404

# The audit trail's access helpers live in the audit app; imported here so old imports keep working.
from jineng.audit.access import audit_entries_for_person as audit_entries_for_person
from jineng.audit.access import audit_entries_visible_to as audit_entries_visible_to
from jineng.dossier.services import AUDIT_OBJECT_TYPE as FACT_AUDIT_OBJECT_TYPE
from jineng.identity import selectors as identity_selectors
from jineng.identity.access import (
    organisations_visible_to,
    people_visible_to,
    scope_of,
)
from jineng.identity.models import Person, User
from jineng.organisations.models import Organisation
from jineng.reference.models import Region, RegionLevel

# Object types under which the identity, organisations and dossier services audit their rows.
PERSON_OBJECT_TYPES = ("person",)
ORGANISATION_OBJECT_TYPES = ("organisation",)
FACT_OBJECT_TYPES = (FACT_AUDIT_OBJECT_TYPE,)
EMPLOYMENT_OBJECT_TYPES = ("employment",)


@dataclass(frozen=True)
class RegionCount:
    code: str
    name: str
    level: str
    people: int
    organisations: int

    @property
    def level_label(self) -> str:
        return str(RegionLevel(self.level).label)


def _prefix_in_scope(user: User, prefix: str) -> bool:
    scope = scope_of(user)
    if scope.is_global:
        return True
    return any(prefix.startswith(p) for p in scope.region_prefixes)


def is_region_in_scope(*, user: User, region: Region) -> bool:
    return _prefix_in_scope(user, region.prefix)


def regions_of_scope(*, user: User) -> list[Region]:
    """The top of the region tree a user may drill into: their own regions, or the provinces
    for a user with global scope. Empty for users without a region scope."""
    scope = scope_of(user)
    if scope.is_global:
        return list(Region.objects.filter(level=RegionLevel.PROVINCE))
    codes = [p.ljust(6, "0") for p in scope.region_prefixes]
    return list(Region.objects.filter(code__in=codes))


def region_in_scope(*, user: User, code: str) -> Region:
    """The region `code` if it lies within the user's scope; Http404 otherwise, so a region outside
    it looks the same as one that does not exist."""
    region = Region.objects.filter(code=code).first()
    if region is None or not _prefix_in_scope(user, region.prefix):
        raise Http404
    return region


def _counts_by_prefix(qs: QuerySet[Any], field: str, lengths: set[int]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for length in lengths:
        rows = (
            qs.annotate(_p=Substr(field, 1, length))
            .order_by()
            .values("_p")
            .annotate(_n=Count("pk"))
            .values_list("_p", "_n")
        )
        for prefix, n in rows:
            counts[prefix] = counts.get(prefix, 0) + n
    return counts


def regions_with_counts(*, user: User, regions: list[Region]) -> list[RegionCount]:
    """`regions` with the number of people (by residence) and organisations the user may see
    under each: two grouped queries per prefix length, not two per region."""
    if not regions:
        return []
    lengths = {len(r.prefix) for r in regions}
    people = people_visible_to(user)
    orgs = organisations_visible_to(user)
    common = _common_prefix([r.prefix for r in regions])
    if common:
        people = people.filter(residence_region__code__startswith=common)
        orgs = orgs.filter(region__code__startswith=common)
    people_counts = _counts_by_prefix(people, "residence_region_id", lengths)
    org_counts = _counts_by_prefix(orgs, "region_id", lengths)
    return [
        RegionCount(
            code=r.code,
            name=r.name,
            level=r.level,
            people=people_counts.get(r.prefix, 0),
            organisations=org_counts.get(r.prefix, 0),
        )
        for r in regions
    ]


def _common_prefix(prefixes: list[str]) -> str:
    first, last = min(prefixes), max(prefixes)
    n = 0
    while n < min(len(first), len(last)) and first[n] == last[n]:
        n += 1
    return first[:n]


def region_children_counts(*, user: User, region: Region) -> list[RegionCount]:
    """The children of `region` with what the user may see under each."""
    return regions_with_counts(user=user, regions=list(region.children.all()))


def region_totals(*, user: User, region: Region) -> RegionCount:
    return RegionCount(
        code=region.code,
        name=region.name,
        level=region.level,
        people=people_under_region(user=user, region=region).count(),
        organisations=organisations_under_region(user=user, region=region).count(),
    )


def people_under_region(*, user: User, region: Region) -> QuerySet[Person]:
    return people_visible_to(user).filter(residence_region__code__startswith=region.prefix)


def organisations_under_region(*, user: User, region: Region) -> QuerySet[Organisation]:
    return organisations_visible_to(user).filter(region__code__startswith=region.prefix)


def people_search(*, user: User, name: str) -> QuerySet[Person]:
    """People the user may see whose name contains `name` (`jineng.identity.selectors`)."""
    return identity_selectors.people_search(user=user, name=name)


def person_in_scope(*, user: User, person: Person | None) -> Person | None:
    """`person` if the user may see them, else None. Kept for older callers: a search by document
    number goes through `jineng.identity.selectors.person_search_by_document`, which also limits
    who may search, audits and rate-limits."""
    if person is None:
        return None
    return people_visible_to(user).filter(pk=person.pk).first()


def _ids_as_text(qs: QuerySet[Any]) -> QuerySet[Any]:
    # AuditEntry.object_id is text (it names rows of any table), so compare against text ids.
    ids: QuerySet[Any] = qs.annotate(_s=Cast("pk", CharField())).values("_s")
    return ids
