"""Load the vendored reference files (data/*.csv) into the database: fast, idempotent, offline.

Regions and occupations are authoritative in the files, so a reload updates names and links in
place. Demo shortage lists are only added where missing: a list an officer has imported since is
never overwritten. Where the files come from: build_data.py and docs/decisions.md.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.db import transaction

from jineng.reference.models import (
    Occupation,
    OccupationCategory,
    Region,
    ShortageOccupation,
)
from jineng.reference.services import parse_skill_level

DATA_DIR = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class ReferenceCounts:
    regions: int
    occupation_categories: int
    occupations: int
    shortage_entries: int


@cache
def _read(name: str) -> tuple[dict[str, str], ...]:
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as f:
        return tuple(csv.DictReader(f))


def _regions() -> list[Region]:
    """GB/T 2260 down to counties, then the 乡镇/街道 under them (townships.csv)."""
    return [
        Region(code=r["code"], name=r["name"], level=r["level"], parent_id=r["parent"] or None)
        for r in _read("regions.csv")
    ] + [
        Region(code=r["code"], name=r["name"], level="township", parent_id=r["parent"])
        for r in _read("townships.csv")
    ]


def _categories() -> list[OccupationCategory]:
    return [
        OccupationCategory(
            code=r["code"], name=r["name"], level=r["level"], parent_id=r["parent"] or None
        )
        for r in _read("occupation_categories.csv")
    ]


def _occupations() -> list[Occupation]:
    return [
        Occupation(
            code=r["code"],
            name=r["name"],
            major_category=int(r["major_category"]),
            category_id=r["category"] or None,
            is_green=r["green"] == "1",
            is_digital=r["digital"] == "1",
        )
        for r in _read("occupations.csv")
    ]


def _demo_shortage() -> list[ShortageOccupation]:
    entries = []
    for number, r in enumerate(_read("shortage_demo.csv"), start=2):
        level = parse_skill_level(r["min_level"])
        if level is None:  # the shipped file is checked by the tests; fail loudly if edited badly
            raise ValueError(f"shortage_demo.csv row {number}: bad min_level {r['min_level']!r}")
        entries.append(
            ShortageOccupation(
                region_id=r["region"],
                year=int(r["year"]),
                occupation_id=r["occupation_code"],
                min_level=level,
                note=r["note"],
            )
        )
    return entries


def expected_counts() -> ReferenceCounts:
    """What the shipped files hold."""
    return ReferenceCounts(
        regions=len(_read("regions.csv")) + len(_read("townships.csv")),
        occupation_categories=len(_read("occupation_categories.csv")),
        occupations=len(_read("occupations.csv")),
        shortage_entries=len(_read("shortage_demo.csv")),
    )


@transaction.atomic
def load_reference(*, demo_shortage: bool = True) -> ReferenceCounts:
    """Upsert regions, occupation categories and occupations; add the demo shortage lists."""
    # Parents come before children in each file; foreign keys are checked at commit anyway.
    Region.objects.bulk_create(
        _regions(),
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["name", "level", "parent"],
        batch_size=1000,
    )
    OccupationCategory.objects.bulk_create(
        _categories(),
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["name", "level", "parent"],
        batch_size=1000,
    )
    Occupation.objects.bulk_create(
        _occupations(),
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["name", "major_category", "category", "is_green", "is_digital"],
        batch_size=1000,
    )
    if demo_shortage:
        ShortageOccupation.objects.bulk_create(
            _demo_shortage(), ignore_conflicts=True, batch_size=1000
        )
    return ReferenceCounts(
        regions=Region.objects.count(),
        occupation_categories=OccupationCategory.objects.count(),
        occupations=Occupation.objects.count(),
        shortage_entries=ShortageOccupation.objects.count(),
    )


def ensure_reference_loaded() -> bool:
    """Load reference data unless it is already there; True if it loaded. Cheap when present.

    For tests and seeding: jineng/conftest.py calls it once per test database.
    """
    expected = expected_counts()
    if (
        Region.objects.count() >= expected.regions
        and Occupation.objects.count() >= expected.occupations
        and OccupationCategory.objects.count() >= expected.occupation_categories
    ):
        return False
    load_reference()
    return True
