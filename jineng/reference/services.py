"""Writes to reference data. Regions and occupations come only from `loading.py`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction

from jineng.audit.services import audit_record
from jineng.reference.errors import ImportRejected, RowError
from jineng.reference.models import (
    Occupation,
    Region,
    RegionLevel,
    ShortageOccupation,
    SkillLevel,
)

if TYPE_CHECKING:
    from jineng.identity.models import User

SHORTAGE_COLUMNS = ("occupation_code", "occupation_name", "min_level", "note")

# min_level accepts the code (3), the label (高级工（三级）) or either half of it (高级工, 三级).
_LEVEL_ALIASES: dict[str, str] = {}
for _code, _label in SkillLevel.choices:
    _LEVEL_ALIASES[_code] = _code
    _LEVEL_ALIASES[str(_label)] = _code
    for _part in str(_label).replace("）", "").split("（"):
        _LEVEL_ALIASES[_part] = _code


def parse_skill_level(value: str) -> str | None:
    """A SkillLevel code from what a spreadsheet holds, or None if it is not on the ladder."""
    return _LEVEL_ALIASES.get(value.strip())


@dataclass(frozen=True)
class ShortageEntry:
    occupation_code: str
    min_level: str
    note: str


@dataclass(frozen=True)
class ShortageImportResult:
    region: str
    year: int
    created: int
    replaced: int


def shortage_rows_check(
    rows: Iterable[Mapping[str, str | None]], *, first_row: int = 2
) -> tuple[list[ShortageEntry], list[RowError]]:
    """Validate rows of a shortage list; returns the entries and every error found."""
    entries: list[ShortageEntry] = []
    errors: list[RowError] = []
    materialised = list(rows)
    codes = {(r.get("occupation_code") or "").strip() for r in materialised}
    known = dict(Occupation.objects.filter(code__in=codes).values_list("code", "name"))
    seen: dict[str, int] = {}
    for number, row in enumerate(materialised, start=first_row):
        code = (row.get("occupation_code") or "").strip()
        name = (row.get("occupation_name") or "").strip()
        level_raw = (row.get("min_level") or "").strip()
        note = (row.get("note") or "").strip()
        row_errors: list[RowError] = []
        if not code:
            row_errors.append(RowError(number, "occupation_code", "缺少职业编码"))
        elif code not in known:
            row_errors.append(
                RowError(number, "occupation_code", "未知的职业编码（2022年版职业分类大典）", code)
            )
        elif name and name != known[code]:
            row_errors.append(
                RowError(number, "occupation_name", f"与编码不符，应为「{known[code]}」", name)
            )
        elif code in seen:
            row_errors.append(RowError(number, "occupation_code", f"与第{seen[code]}行重复", code))
        level = parse_skill_level(level_raw) if level_raw else SkillLevel.ELEMENTARY.value
        if level is None:
            row_errors.append(RowError(number, "min_level", "不是有效的技能等级", level_raw))
        if len(note) > ShortageOccupation._meta.get_field("note").max_length:  # type: ignore[operator]
            row_errors.append(RowError(number, "note", "备注超过200字"))
        if code and code not in seen:
            seen[code] = number
        if row_errors:
            errors.extend(row_errors)
        elif level is not None:
            entries.append(ShortageEntry(code, level, note))
    return entries, errors


@transaction.atomic
def shortage_list_import(
    *,
    actor: User | None,
    region: Region | str,
    year: int,
    rows: Iterable[Mapping[str, str | None]],
    first_row: int = 2,
) -> ShortageImportResult:
    """Replace a city's shortage-occupation list for one year, all or nothing.

    `rows` are mappings with the columns of SHORTAGE_COLUMNS (as csv.DictReader gives them);
    `first_row` is the file line of the first one. Raises ImportRejected naming every bad row.
    """
    region_obj = (
        region if isinstance(region, Region) else Region.objects.filter(code=region).first()
    )
    header_errors: list[RowError] = []
    if region_obj is None:
        header_errors.append(RowError(0, "region", "未知的行政区划代码", str(region)))
    elif region_obj.level == RegionLevel.COUNTY:
        header_errors.append(RowError(0, "region", "紧缺职业目录按地市或省发布", region_obj.code))
    if not 2000 <= year <= 2100:
        header_errors.append(RowError(0, "year", "年度不合理", str(year)))
    entries, errors = shortage_rows_check(rows, first_row=first_row)
    if not entries and not errors:
        errors.append(RowError(first_row, "occupation_code", "文件没有数据行"))
    if header_errors or errors:
        raise ImportRejected(header_errors + errors)
    assert region_obj is not None

    existing = ShortageOccupation.objects.select_for_update().filter(region=region_obj, year=year)
    before = {s.occupation_id: {"min_level": s.min_level, "note": s.note} for s in existing}
    replaced = len(before)
    existing.delete()
    ShortageOccupation.objects.bulk_create(
        ShortageOccupation(
            region=region_obj,
            year=year,
            occupation_id=e.occupation_code,
            min_level=e.min_level,
            note=e.note,
        )
        for e in entries
    )
    _audit_import(actor=actor, region=region_obj.code, year=year, before=before, entries=entries)
    return ShortageImportResult(region_obj.code, year, len(entries), replaced)


def _audit_import(
    *,
    actor: User | None,
    region: str,
    year: int,
    before: dict[str, dict[str, str]],
    entries: list[ShortageEntry],
) -> None:
    audit_record(
        actor=actor,
        action="import",
        object_type="reference.shortage_list",
        object_id=f"{region}/{year}",
        before={"entries": before} if before else None,
        after={
            "entries": {
                e.occupation_code: {"min_level": e.min_level, "note": e.note} for e in entries
            }
        },
    )
