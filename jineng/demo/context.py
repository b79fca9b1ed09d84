"""Everything a chunk of synthetic workers is drawn from, gathered once from the database and the
city profile. Plain arrays and tuples only, so it can be sent to a worker process."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from jineng.demo.profiles import CityProfile
from jineng.reference.models import (
    SKILL_LEVEL_RANK,
    Occupation,
    Region,
    RegionLevel,
    ShortageOccupation,
    region_prefix,
)

# Facts are dated up to this day, not "today", so that the same seed gives the same city on any
# day (the seeds' policies run to 2025–2026).
AS_OF = dt.date(2026, 10, 31)
FIRST_CERTIFICATE_YEAR = 2015


class SeedError(Exception):
    pass


@dataclass(frozen=True)
class Geography:
    city: str  # six-digit code of the city seeded, e.g. 441900
    city_name: str
    province_name: str
    origin_codes: tuple[np.ndarray, ...]  # per origin group: county codes (int)
    origin_weights: np.ndarray
    # 乡镇/街道 of the city (9-digit codes) where people live and organisations sit, with weights;
    # (city,) when the reference data has none.
    towns: tuple[str, ...] = ()
    town_weights: np.ndarray = field(default_factory=lambda: np.ones(1))

    def town_picker(self, *streams: int) -> TownPicker:
        return TownPicker(self, np.random.default_rng([int(self.city), *streams]))


class TownPicker:
    """Draws towns from a random stream of its own, so adding towns leaves every other draw of
    the seed as it was."""

    def __init__(self, geography: Geography, rng: np.random.Generator) -> None:
        self.towns = geography.towns or (geography.city,)
        self.weights = geography.town_weights if geography.towns else np.ones(1)
        self.rng = rng

    def pick(self, n: int) -> list[str]:
        picked = self.rng.choice(len(self.towns), size=n, p=self.weights)
        return [self.towns[int(i)] for i in picked]


@dataclass
class Employers:
    """Enterprises by sector, as parallel arrays, plus the other organisations of the city."""

    sector_ids: dict[str, np.ndarray] = field(default_factory=dict)  # sector → org ids
    sector_weights: dict[str, np.ndarray] = field(default_factory=dict)  # Zipf: a few big ones
    kind: dict[int, str] = field(default_factory=dict)  # org id → kind
    filed_on: dict[int, dt.date] = field(default_factory=dict)  # self-evaluation filing date
    evaluation_orgs: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    institutions: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    colleges: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    public_teaching: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    names: dict[int, str] = field(default_factory=dict)
    region: dict[int, str] = field(default_factory=dict)  # org id → its 镇街 (or the city)
    bureau_name: str = ""
    province_bureau_name: str = ""


@dataclass(frozen=True)
class SeedContext:
    seed: int
    profile: CityProfile
    geography: Geography
    sectors: tuple[str, ...]
    sector_shares: np.ndarray
    sector_occupations: dict[str, tuple[tuple[str, ...], np.ndarray]]
    shortage: dict[tuple[int, str], int]  # (year, occupation) → lowest level rank on the list
    employers: Employers


def _weights(values: list[float]) -> np.ndarray:
    array = np.asarray(values, dtype=np.float64)
    normalised: np.ndarray = array / array.sum()
    return normalised


def build_geography(region: str, profile: CityProfile) -> Geography:
    city = Region.objects.filter(code=region).first()
    if city is None:
        raise SeedError(f"没有行政区划 {region}：请先运行 jineng load_reference")
    province_code = region[:2] + "0000"
    province = Region.objects.filter(code=province_code).first()
    counties = Region.objects.filter(level=RegionLevel.COUNTY)
    groups: list[np.ndarray] = []
    weights: list[float] = []
    for origin, weight in profile.origins:
        if origin == "city":
            codes = list(
                counties.filter(code__startswith=region[:4]).values_list("code", flat=True)
            )
            codes = codes or [region]  # Dongguan has no counties: its numbers start 441900
        elif origin == "province":
            codes = list(
                counties.filter(code__startswith=region[:2])
                .exclude(code__startswith=region[:4])
                .values_list("code", flat=True)
            )
        else:
            codes = list(counties.filter(code__startswith=origin).values_list("code", flat=True))
        if codes:
            groups.append(np.asarray(sorted(int(c) for c in codes), dtype=np.int64))
            weights.append(weight)
    towns = tuple(
        Region.objects.filter(level=RegionLevel.TOWNSHIP, code__startswith=region_prefix(region))
        .order_by("code")
        .values_list("code", flat=True)
    )
    # A mild skew (the central 街道 and the big manufacturing 镇 hold more people), fixed by code.
    town_weights = _weights([1.0 / (1 + i) ** 0.5 for i in range(len(towns))]) if towns else None
    return Geography(
        towns=towns,
        town_weights=town_weights if town_weights is not None else np.ones(1),
        city=region,
        city_name=city.name,
        province_name=province.name if province else "",
        origin_codes=tuple(groups),
        origin_weights=_weights(weights),
    )


def build_occupations(
    profile: CityProfile,
) -> tuple[tuple[str, ...], np.ndarray, dict[str, tuple[tuple[str, ...], np.ndarray]]]:
    known = set(Occupation.objects.values_list("code", flat=True))
    if not known:
        raise SeedError("没有职业分类数据：请先运行 jineng load_reference")
    sectors: list[str] = []
    shares: list[float] = []
    occupations: dict[str, tuple[tuple[str, ...], np.ndarray]] = {}
    for name, sector in profile.sectors.items():
        found = [(code, w) for code, w in sector.occupations if code in known]
        if not found:
            continue
        sectors.append(name)
        shares.append(sector.share)
        occupations[name] = (tuple(c for c, _ in found), _weights([w for _, w in found]))
    if not sectors:
        raise SeedError("城市画像中的职业编码均不在职业分类中")
    return tuple(sectors), _weights(shares), occupations


def build_shortage(region: str) -> dict[tuple[int, str], int]:
    entries = ShortageOccupation.objects.filter(region_id=region).values_list(
        "year", "occupation_id", "min_level"
    )
    return {(year, code): SKILL_LEVEL_RANK.get(level, 1) for year, code, level in entries}
