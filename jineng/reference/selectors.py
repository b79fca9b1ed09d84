"""Reads of reference data. Reference data is public: no access scoping applies."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Case, Q, QuerySet, Value, When

from jineng.reference.models import (
    SKILL_LEVEL_RANK,
    Occupation,
    Region,
    ShortageOccupation,
    region_prefix,
    skill_level_at_least,
)

MUNICIPALITIES = frozenset({"11", "12", "31", "50"})


@dataclass(frozen=True)
class RegionRef:
    code: str
    name: str
    level: str


def region_by_code(code: str) -> Region | None:
    """The region with this six-digit code (a 2- or 4-digit prefix is padded: "4419" → 441900)."""
    return Region.objects.filter(code=code.strip().ljust(6, "0")).first()


def regions_under(code: str) -> QuerySet[Region]:
    """The region and everything under it: `regions_under("4419")`, `regions_under("330500")`."""
    return Region.objects.under(code)


def region_children(code: str) -> QuerySet[Region]:
    """The regions whose parent is `code` (accepts a prefix such as "33" or "3305")."""
    return Region.objects.filter(parent_id=code.ljust(6, "0"))


def region_ancestor_codes(code: str) -> list[str]:
    """Codes from the province down to `code`, as GB/T 2260 structures them (may not all exist)."""
    code = code.ljust(6, "0")
    candidates = [code[:2] + "0000", code[:4] + "00", code]
    return list(dict.fromkeys(candidates))


def region_path(code: str) -> list[RegionRef]:
    """Province → city → county of a code, skipping levels that do not exist.

    A municipality's city level (110100 市辖区, 500200 县) is a GB/T 2260 grouping, not a place a
    person names, so it is left out: 110105 → 北京市 / 朝阳区. A county-level city administered by
    its province (济源 419001) has no city above it.
    """
    code = code.ljust(6, "0")
    found = {
        r.code: r
        for r in Region.objects.filter(code__in=region_ancestor_codes(code)).only(
            "code", "name", "level"
        )
    }
    path = []
    for c in region_ancestor_codes(code):
        region = found.get(c)
        if region is None:
            continue
        if c[:2] in MUNICIPALITIES and region.level == "city" and c != code:
            continue
        path.append(RegionRef(region.code, region.name, region.level))
    return path


def region_full_name(code: str) -> str:
    """广东省东莞市, 浙江省湖州市吴兴区, 北京市朝阳区."""
    return "".join(r.name for r in region_path(code))


def occupation_by_code(code: str) -> Occupation | None:
    return Occupation.objects.filter(code=code.strip()).first()


def search_occupations(q: str, *, limit: int = 20) -> list[Occupation]:
    """Occupations by code prefix (6-18, 6-18-01-01) or by a part of the name (数控, 焊).

    Name matches rank the exact name first, then names that start with it, then the rest.
    """
    q = q.strip()
    if not q:
        return []
    if q[0].isdigit():
        return list(Occupation.objects.filter(code__startswith=q).order_by("code")[:limit])
    matches = Occupation.objects.filter(
        Q(name__contains=q) | Q(category__name__contains=q)
    ).annotate(
        rank=Case(
            When(name=q, then=Value(0)),
            When(name__startswith=q, then=Value(1)),
            When(name__contains=q, then=Value(2)),
            default=Value(3),
        )
    )
    return list(matches.order_by("rank", "code")[:limit])


def shortage_list(region_code: str, year: int) -> QuerySet[ShortageOccupation]:
    return (
        ShortageOccupation.objects.filter(region_id=region_code.ljust(6, "0"), year=year)
        .select_related("occupation")
        .order_by("occupation_id")
    )


def shortage_min_levels(*, years: list[int] | None = None) -> dict[tuple[str, int, str], str]:
    """(region code, year, occupation code) → min_level of every entry, for bulk evaluation."""
    entries = ShortageOccupation.objects.all()
    if years is not None:
        entries = entries.filter(year__in=years)
    return {
        (region, year, occupation): min_level
        for region, year, occupation, min_level in entries.values_list(
            "region_id", "year", "occupation_id", "min_level"
        )
    }


def is_shortage(region_code: str, year: int, occupation_code: str, level: str | None) -> bool:
    """Whether the occupation is on the year's shortage list of the region or a region above it.

    A worker of a county counts under their city's and province's lists. `level` is the worker's
    SkillLevel code; an entry applies from its `min_level` up. None checks the occupation only.
    """
    if level is not None and level not in SKILL_LEVEL_RANK:
        return False
    min_levels = ShortageOccupation.objects.filter(
        region_id__in=region_ancestor_codes(region_code),
        year=year,
        occupation_id=occupation_code,
    ).values_list("min_level", flat=True)
    return any(level is None or skill_level_at_least(level, m) for m in min_levels)


__all__ = [
    "RegionRef",
    "is_shortage",
    "occupation_by_code",
    "region_by_code",
    "region_children",
    "region_full_name",
    "region_path",
    "region_prefix",
    "regions_under",
    "search_occupations",
    "shortage_list",
    "shortage_min_levels",
]
