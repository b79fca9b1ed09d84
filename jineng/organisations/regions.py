"""Regions a user may drill into, with the people (by residence) and organisations they may see
under each — the region statistics of the console and of `GET /api/v1/regions/{code}/children`.

Built on the access helpers (they decide what a user may see; this module only groups and counts
inside that). Every function takes the caller's `scope=` when it has one (one scope per request).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet
from django.db.models.functions import Substr
from django.http import Http404

from jineng.identity.access import Scope, people_visible_to, resolve_scope
from jineng.identity.models import Person, User
from jineng.organisations.access import organisations_visible_to
from jineng.organisations.models import Organisation
from jineng.reference.models import Region, RegionLevel


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


def _prefix_in_scope(user: User, prefix: str, scope: Scope | None) -> bool:
    scope = resolve_scope(user, scope)
    if scope.is_global:
        return True
    return any(prefix.startswith(p) for p in scope.region_prefixes)


def is_region_in_scope(*, user: User, region: Region, scope: Scope | None = None) -> bool:
    return _prefix_in_scope(user, region.prefix, scope)


def regions_of_scope(*, user: User, scope: Scope | None = None) -> list[Region]:
    """The top of the region tree a user may drill into: their own regions, or the provinces
    for a user with global scope. Empty for users without a region scope."""
    scope = resolve_scope(user, scope)
    if scope.is_global:
        return list(Region.objects.filter(level=RegionLevel.PROVINCE))
    codes = [p.ljust(6, "0") for p in scope.region_prefixes]
    return list(Region.objects.filter(code__in=codes))


def region_in_scope(*, user: User, code: str, scope: Scope | None = None) -> Region:
    """The region `code` if it lies within the user's scope; Http404 otherwise, so a region outside
    it looks the same as one that does not exist."""
    region = Region.objects.filter(code=code).first()
    if region is None or not _prefix_in_scope(user, region.prefix, scope):
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


def regions_with_counts(
    *, user: User, regions: list[Region], scope: Scope | None = None
) -> list[RegionCount]:
    """`regions` with the number of people (by residence) and organisations the user may see
    under each: two grouped queries per prefix length, not two per region."""
    if not regions:
        return []
    lengths = {len(r.prefix) for r in regions}
    people = people_visible_to(user, scope=scope)
    orgs = organisations_visible_to(user, scope=scope)
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


def region_children_counts(
    *, user: User, region: Region, scope: Scope | None = None
) -> list[RegionCount]:
    """The children of `region` with what the user may see under each."""
    return regions_with_counts(user=user, regions=list(region.children.all()), scope=scope)


def region_totals(*, user: User, region: Region, scope: Scope | None = None) -> RegionCount:
    return RegionCount(
        code=region.code,
        name=region.name,
        level=region.level,
        people=people_under_region(user=user, region=region, scope=scope).count(),
        organisations=organisations_under_region(user=user, region=region, scope=scope).count(),
    )


def people_under_region(
    *, user: User, region: Region, scope: Scope | None = None
) -> QuerySet[Person]:
    return people_visible_to(user, scope=scope).filter(
        residence_region__code__startswith=region.prefix
    )


def organisations_under_region(
    *, user: User, region: Region, scope: Scope | None = None
) -> QuerySet[Organisation]:
    return organisations_visible_to(user, scope=scope).filter(
        region__code__startswith=region.prefix
    )
