"""Skill statistics of a region by its sub-areas (for Dongguan: its 36 镇街): workers by their
highest skill level and the high-skill share (高级工及以上), inside what the user may see.

One grouped query over current certificate facts (highest level per person), one over people;
the sub-areas are summed by code prefix in Python, so a city of a million is two queries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Case, Count, IntegerField, Max, Value, When
from django.utils.translation import gettext_lazy as _

from jineng.dossier.models import Fact
from jineng.identity.access import Scope, people_visible_to
from jineng.identity.models import User
from jineng.reference.models import SKILL_LEVEL_RANK, Region, SkillLevel

# Columns shown, lowest first; 特级技师 and 首席技师 are few and shown together.
LEVEL_COLUMNS: tuple[tuple[str, Any, frozenset[int]], ...] = (
    ("5", SkillLevel("5").label, frozenset({SKILL_LEVEL_RANK["5"]})),
    ("4", SkillLevel("4").label, frozenset({SKILL_LEVEL_RANK["4"]})),
    ("3", SkillLevel("3").label, frozenset({SKILL_LEVEL_RANK["3"]})),
    ("2", SkillLevel("2").label, frozenset({SKILL_LEVEL_RANK["2"]})),
    ("1", SkillLevel("1").label, frozenset({SKILL_LEVEL_RANK["1"]})),
    ("SC", _("特级/首席技师"), frozenset({SKILL_LEVEL_RANK["S"], SKILL_LEVEL_RANK["C"]})),
)
HIGH_SKILL_RANK = SKILL_LEVEL_RANK["3"]  # 高技能人才: 高级工 (三级) and above


@dataclass
class AreaSkills:
    code: str
    name: str
    people: int = 0
    by_rank: dict[int, int] = field(default_factory=dict)  # highest level rank → people

    @property
    def levels(self) -> list[tuple[Any, int]]:
        """(column label, people whose highest level is in it), lowest level first."""
        return [
            (label, sum(self.by_rank.get(r, 0) for r in ranks)) for _, label, ranks in LEVEL_COLUMNS
        ]

    @property
    def certified(self) -> int:
        return sum(n for rank, n in self.by_rank.items() if rank > 0)

    @property
    def high_skill(self) -> int:
        return sum(n for rank, n in self.by_rank.items() if rank >= HIGH_SKILL_RANK)

    @property
    def high_share(self) -> Decimal:
        """高技能人才 among the area's people, in per cent with one decimal (exact, not float)."""
        if not self.people:
            return Decimal("0.0")
        return (Decimal(100 * self.high_skill) / self.people).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )


@dataclass(frozen=True)
class RegionSkills:
    areas: list[AreaSkills]
    total: AreaSkills
    columns: tuple[Any, ...]
    chart_max: Decimal  # the widest bar's share, so bars are drawn relative to it


def _rank_case() -> Case:
    return Case(
        *(When(level=code, then=Value(rank)) for code, rank in SKILL_LEVEL_RANK.items()),
        default=Value(-1),
        output_field=IntegerField(),
    )


def region_skills(*, user: User, region: Region, scope: Scope | None = None) -> RegionSkills:
    """People by highest skill level under each child of `region` (or the region itself when it
    has none), counting only people the user may see."""
    children = list(region.children.order_by("code"))
    areas = [AreaSkills(c.code, c.name) for c in children] or [AreaSkills(region.code, region.name)]
    prefixes = [(Region(code=a.code).prefix, a) for a in areas]
    people = people_visible_to(user, scope=scope).filter(
        residence_region__code__startswith=region.prefix
    )
    total = AreaSkills(region.code, region.name)

    def area_of(code: str | None) -> AreaSkills | None:
        for prefix, area in prefixes:
            if code and code.startswith(prefix):
                return area
        return None

    # People per residence code (grouped), then the codes folded into the areas.
    per_code: Any = (
        people.order_by()
        .values("residence_region_id")
        .annotate(n=Count("pk"))
        .values_list("residence_region_id", "n")
    )
    for code, n in per_code:
        total.people += n
        area = area_of(code)
        if area is not None:
            area.people += n
    top = (
        Fact.objects.current()
        .filter(kind="certificate", person__in=people.values("pk"))
        .order_by()
        .values("person_id", "person__residence_region_id")
        .annotate(top=Max(_rank_case()))
        .values_list("person__residence_region_id", "top")
    )
    for code, rank in top:
        if rank is None or rank < 0:
            continue
        total.by_rank[rank] = total.by_rank.get(rank, 0) + 1
        area = area_of(code)
        if area is not None:
            area.by_rank[rank] = area.by_rank.get(rank, 0) + 1
    chart_max = max((a.high_share for a in areas), default=Decimal(0))
    return RegionSkills(
        areas=areas,
        total=total,
        columns=tuple(label for _, label, _ in LEVEL_COLUMNS),
        chart_max=chart_max,
    )
