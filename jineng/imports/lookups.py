"""Reference lookups for imports, loaded once per file: regions, occupations, identity documents."""

from __future__ import annotations

from collections import defaultdict

from jineng.identity.models import IdType
from jineng.reference.models import Occupation, Region

_PLACEHOLDER_NAMES = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}


class RegionLookup:
    """A GB/T 2260 code from a code ("441900", "4419") or a name: a unique short name ("东莞市")
    or the full path ("广东省东莞市", "湖南省邵阳市邵东市")."""

    def __init__(self) -> None:
        rows = list(Region.objects.values_list("code", "name", "parent_id"))
        self.codes = {code for code, _, _ in rows}
        parents = {code: parent for code, _, parent in rows}
        names = {code: name for code, name, _ in rows}
        self.names = names
        by_name: dict[str, set[str]] = defaultdict(set)
        for code, name, _ in rows:
            by_name[name].add(code)
            path, cursor = [], code
            while cursor:
                if names[cursor] not in _PLACEHOLDER_NAMES:
                    path.append(names[cursor])
                cursor = parents.get(cursor) or ""
            by_name["".join(reversed(path))].add(code)
        self.by_name = {
            name: next(iter(codes)) for name, codes in by_name.items() if len(codes) == 1
        }

    def label(self, code: str) -> str:
        """The region's name, for a person to read (a code is never shown)."""
        return self.names.get(code, "未知地区")

    def find(self, value: str) -> str | None:
        value = "".join(value.split())
        if value.isdigit() and len(value) in (2, 4):
            value = value.ljust(6, "0")
        if value in self.codes:
            return value
        return self.by_name.get(value)


class OccupationLookup:
    """An occupation of the 2022 classification by code ("6-18-01-01"), tolerating a trailing name
    ("6-18-01-01 车工")."""

    def __init__(self) -> None:
        self.names = dict(Occupation.objects.values_list("code", "name"))

    def find(self, value: str) -> str | None:
        code = value.strip().split()[0] if value.strip() else ""
        return code if code in self.names else None


ID_TYPE_ALIASES: dict[str, str] = {
    **{str(label): value for value, label in IdType.choices},
    **{value: value for value in IdType.values},
    "身份证": IdType.RESIDENT,
    "居民身份证号码": IdType.RESIDENT,
    "二代身份证": IdType.RESIDENT,
    "港澳通行证": IdType.HK_MACAU,
    "回乡证": IdType.HK_MACAU,
    "港澳居民来往内地通行证": IdType.HK_MACAU,
    "台胞证": IdType.TAIWAN,
    "台湾居民来往大陆通行证": IdType.TAIWAN,
    "港澳台居民居住证": IdType.HMT_RESIDENCE,
    "外国人永久居留证": IdType.FOREIGN_PERMANENT,
    "外国人永久居留身份证": IdType.FOREIGN_PERMANENT,
}
