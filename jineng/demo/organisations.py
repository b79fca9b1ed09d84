"""The city's organisations: the bureau, enterprises by sector (valid USCCs, a few per cent
deliberately failing their check so held-for-review has something to hold), training institutions
(public/private, designated), colleges, evaluation organisations, associations — and their
organisation facts (evaluation filings, yearly certification totals, training bases, hosting)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
from django.utils import timezone

from jineng.core.bulkload import allocate_ids
from jineng.demo.context import AS_OF, Employers, Geography
from jineng.demo.names import BRAND_CHARS
from jineng.demo.profiles import CityProfile
from jineng.dossier.bulk_load import facts_loader
from jineng.identity.validators import USCC_CHARS, uscc_check_char
from jineng.organisations.bulk import organisations_loader
from jineng.organisations.models import Organisation, OrgKind, Ownership, UsccStatus

INVALID_USCC_SHARE = 0.03
ORG_COLUMNS = (
    "id",
    "kind",
    "name",
    "uscc",
    "uscc_status",
    "uscc_review_reason",
    "region",
    "ownership",
    "designated_training",
    "designated_from",
    "designated_to",
    "self_evaluation_filed",
    "self_evaluation_filed_on",
    "created_at",
)
FACT_COLUMNS = (
    "subject_type",
    "person",
    "organisation",
    "kind",
    "code",
    "level",
    "date",
    "amount_fen",
    "region",
    "issuer",
    "issuer_name",
    "attrs",
    "source",
    "source_ref",
    "recorded_at",
)
SOURCE = "seed"

# GB 11714 organisation code (the 9 characters inside a USCC): weights and value of a character.
_ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
# Registration authority + category (GB 32100 table 1): 91 company, 12 public institution (事业单位),
# 52 private non-enterprise unit (民办非企业单位, e.g. a private school), 51 social group (社会团体),
# 11 government organ (机关).
_USCC_PREFIX = {
    (OrgKind.ENTERPRISE, ""): "91",
    (OrgKind.EVALUATION_ORG, ""): "91",
    (OrgKind.TRAINING_INSTITUTION, Ownership.PUBLIC): "12",
    (OrgKind.TRAINING_INSTITUTION, Ownership.PRIVATE): "52",
    (OrgKind.COLLEGE, Ownership.PUBLIC): "12",
    (OrgKind.COLLEGE, Ownership.PRIVATE): "52",
    (OrgKind.ASSOCIATION, ""): "51",
    (OrgKind.BUREAU, Ownership.PUBLIC): "11",
}


def _org_code_check(first8: str) -> str:
    total = sum(int(c, 36) * w for c, w in zip(first8, _ORG_CODE_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def make_uscc(rng: np.random.Generator, prefix: str, region: str, *, valid: bool) -> str:
    body = "".join(rng.choice(list("0123456789"), 2)) + "".join(
        rng.choice(list(USCC_CHARS[:-4]), 6)
    )
    first17 = prefix + region + body + _org_code_check(body)
    check = uscc_check_char(first17)
    if not valid:  # a wrong check character, as a typing error would leave it
        check = USCC_CHARS[(USCC_CHARS.index(check) + 1 + int(rng.integers(29))) % 31]
    return first17 + check


class _Builder:
    def __init__(self, rng: np.random.Generator, geography: Geography, existing: set[str]) -> None:
        self.rng = rng
        self.geo = geography
        self.rows: list[dict[str, Any]] = []
        self.names: set[str] = set()
        self.usccs: set[str] = set(existing)
        self.towns = geography.town_picker(3)

    def add(self, kind: str, name: str, ownership: str = "", **extra: Any) -> dict[str, Any]:
        base, n = name, 2
        while name in self.names:
            name = (
                f"{base}（{n}）"
                if not base.endswith("有限公司")
                else base.replace("有限公司", f"第{n}有限公司")
            )
            n += 1
        self.names.add(name)
        valid = kind == OrgKind.BUREAU or self.rng.random() >= INVALID_USCC_SHARE
        prefix = _USCC_PREFIX.get((OrgKind(kind), ownership)) or _USCC_PREFIX.get(
            (OrgKind(kind), ""), "91"
        )
        uscc = make_uscc(self.rng, prefix, self.geo.city, valid=valid)
        while uscc in self.usccs:
            uscc = make_uscc(self.rng, prefix, self.geo.city, valid=valid)
        self.usccs.add(uscc)
        row = {
            "kind": kind,
            "name": name,
            "uscc": uscc,
            "uscc_status": UsccStatus.VALID if valid else UsccStatus.HELD,
            "uscc_review_reason": ""
            if valid
            else f"统一社会信用代码校验位错误（应为{uscc_check_char(uscc[:17])}）",
            # The bureau sits at the city; every other organisation in one of its 镇街.
            "region": self.geo.city if kind == OrgKind.BUREAU else self.towns.pick(1)[0],
            "ownership": ownership,
            "designated_training": False,
            "designated_from": None,
            "designated_to": None,
            "self_evaluation_filed": False,
            "self_evaluation_filed_on": None,
            **extra,
        }
        self.rows.append(row)
        return row


def _day(rng: np.random.Generator, start: dt.date, end: dt.date) -> dt.date:
    span = max((end - start).days, 0)
    return start + dt.timedelta(days=int(rng.integers(0, span + 1)))


def seed_organisations(
    *, rng: np.random.Generator, geography: Geography, profile: CityProfile, workers: int
) -> tuple[Employers, int, int]:
    """Create the city's organisations and their facts; returns the employers (for the people
    chunks), the number of organisations and of organisation facts written."""
    existing = set(Organisation.objects.exclude(uscc="").values_list("uscc", flat=True))
    build = _Builder(rng, geography, existing)
    city = geography.city_name
    bureau_name = f"{city}人力资源和社会保障局"
    if not Organisation.objects.filter(kind=OrgKind.BUREAU, region_id=geography.city).exists():
        build.add(OrgKind.BUREAU, bureau_name, Ownership.PUBLIC)
    build.add(OrgKind.ASSOCIATION, f"{city}技能人才协会")
    for sector in ("electronics", "machinery"):
        if sector in profile.sectors:
            word = profile.sectors[sector].enterprise_words[0]
            build.add(OrgKind.ASSOCIATION, f"{city}{word}行业协会")

    # Enterprises: about one per 40 workers, by sector share; sizes follow Zipf's law.
    n_enterprises = max(10, workers // 40)
    sector_names = list(profile.sectors)
    shares = np.asarray([profile.sectors[s].share for s in sector_names])
    sectors = rng.choice(len(sector_names), size=n_enterprises, p=shares / shares.sum())
    towns = profile.towns or ("",)
    enterprise_rows: list[tuple[str, dict[str, Any]]] = []
    for index in range(n_enterprises):
        sector = sector_names[int(sectors[index])]
        words = profile.sectors[sector].enterprise_words
        brand = "".join(rng.choice(list(BRAND_CHARS), 2))
        town = towns[int(rng.integers(len(towns)))] if rng.random() < 0.3 else ""
        word = words[int(rng.integers(len(words)))]
        ownership = Ownership.PUBLIC if rng.random() < 0.03 else Ownership.PRIVATE  # SOEs
        row = build.add(OrgKind.ENTERPRISE, f"{city}{town}{brand}{word}有限公司", ownership)
        enterprise_rows.append((sector, row))
    n_institutions = max(3, workers // 5000)
    for index in range(n_institutions):
        public = rng.random() < 0.25
        designated = rng.random() < 0.6
        start = _day(rng, dt.date(2021, 1, 1), dt.date(2024, 6, 30))
        brand = "".join(rng.choice(list(BRAND_CHARS), 2))
        build.add(
            OrgKind.TRAINING_INSTITUTION,
            f"{city}{brand}职业技能培训学校" if not public else f"{city}第{index + 1}公共实训中心",
            Ownership.PUBLIC if public else Ownership.PRIVATE,
            designated_training=designated,
            designated_from=start if designated else None,
            designated_to=start.replace(year=start.year + 3) if designated else None,
        )
    n_colleges = max(2, min(40, workers // 40000 + 2))
    college_names = [f"{city}技师学院", f"{city}职业技术学院", f"{city}高级技工学校"]
    for index in range(n_colleges):
        public = index < 3 or rng.random() < 0.6
        name = (
            college_names[index]
            if index < len(college_names)
            else f"{city}第{index - 1}职业技术学校"
        )
        build.add(
            OrgKind.COLLEGE,
            name if public else f"{city}{''.join(rng.choice(list(BRAND_CHARS), 2))}职业技术学校",
            Ownership.PUBLIC if public else Ownership.PRIVATE,
            designated_training=True,
            designated_from=dt.date(2021, 1, 1),
            designated_to=dt.date(2026, 12, 31),
        )
    n_evaluation = max(2, workers // 25000)
    for _ in range(n_evaluation):
        brand = "".join(rng.choice(list(BRAND_CHARS), 2))
        build.add(OrgKind.EVALUATION_ORG, f"{city}{brand}职业技能评价有限公司", Ownership.PRIVATE)

    # Self-evaluation filing: the biggest enterprises first, a few smaller ones at random.
    ranks = rng.permutation(n_enterprises)
    weights = 1.0 / (ranks + 1.0)
    filed = (ranks < max(1, n_enterprises // 100)) | (rng.random(n_enterprises) < 0.005)
    for (sector, row), is_filed in zip(enterprise_rows, filed, strict=True):
        del sector
        if is_filed:
            row["self_evaluation_filed"] = True
            row["self_evaluation_filed_on"] = _day(rng, dt.date(2019, 6, 1), dt.date(2025, 6, 30))

    ids = allocate_ids(Organisation, len(build.rows))
    now = timezone.now()
    for pk, row in zip(ids, build.rows, strict=True):
        row["id"] = pk
        row["created_at"] = now
    organisations_loader(ORG_COLUMNS).write(
        tuple(row[c] for c in ORG_COLUMNS) for row in build.rows
    )

    employers = Employers(
        bureau_name=bureau_name,
        province_bureau_name=f"{geography.province_name}人力资源和社会保障厅",
    )
    for row in build.rows:
        employers.kind[row["id"]] = row["kind"]
        employers.names[row["id"]] = row["name"]
        employers.region[row["id"]] = row["region"]
        if row["self_evaluation_filed_on"]:
            employers.filed_on[row["id"]] = row["self_evaluation_filed_on"]
    for index, sector in enumerate(sector_names):
        members = [i for i, (s, _) in enumerate(enterprise_rows) if s == sector]
        if members:
            employers.sector_ids[sector] = np.asarray(
                [enterprise_rows[i][1]["id"] for i in members], dtype=np.int64
            )
            w = weights[members]
            employers.sector_weights[sector] = w / w.sum()
        del index
    by_kind = {
        kind: np.asarray([r["id"] for r in build.rows if r["kind"] == kind], dtype=np.int64)
        for kind in (OrgKind.EVALUATION_ORG, OrgKind.TRAINING_INSTITUTION, OrgKind.COLLEGE)
    }
    employers.evaluation_orgs = by_kind[OrgKind.EVALUATION_ORG]
    employers.institutions = by_kind[OrgKind.TRAINING_INSTITUTION]
    employers.colleges = by_kind[OrgKind.COLLEGE]
    employers.public_teaching = np.asarray(
        [
            r["id"]
            for r in build.rows
            if r["kind"] in (OrgKind.COLLEGE, OrgKind.TRAINING_INSTITUTION)
            and r["ownership"] == Ownership.PUBLIC
        ],
        dtype=np.int64,
    )
    facts = list(_organisation_facts(rng, build.rows, geography, employers))
    facts_loader(FACT_COLUMNS).write(facts)
    return employers, len(build.rows), len(facts)


def _fact(
    org_id: int,
    kind: str,
    code: str,
    level: str,
    date: dt.date,
    region: str,
    issuer_name: str,
    attrs: dict[str, Any],
    amount_fen: int | None = None,
) -> tuple[Any, ...]:
    return (
        "organisation",
        None,
        org_id,
        kind,
        code,
        level,
        date,
        amount_fen,
        region,
        None,
        issuer_name,
        attrs,
        SOURCE,
        "",
        timezone.now(),
    )


def _organisation_facts(
    rng: np.random.Generator, rows: list[dict[str, Any]], geo: Geography, employers: Employers
) -> Any:
    city = geo.city
    bureau = employers.bureau_name
    province_bureau = employers.province_bureau_name
    for row in rows:
        pk, kind = row["id"], row["kind"]
        filed_on = row["self_evaluation_filed_on"]
        if filed_on:
            level = "provincial" if rng.random() < 0.3 else "city"
            yield _fact(
                pk,
                "evaluation_filing",
                "enterprise_self_evaluation",
                level,
                filed_on,
                city,
                bureau,
                {"year": filed_on.year},
            )
            for year in range(filed_on.year, AS_OF.year):
                certified = int(rng.integers(20, 400))
                yield _fact(
                    pk,
                    "event",
                    "certification_annual_total",
                    "",
                    dt.date(year, 12, 31),
                    city,
                    bureau,
                    {
                        "year": year,
                        "certified_count": certified,
                        "certified_technician_count": int(certified * rng.uniform(0.02, 0.15)),
                    },
                )
            if rng.random() < 0.2:
                yield _fact(
                    pk,
                    "event",
                    "question_bank_filed",
                    "",
                    _day(rng, filed_on, AS_OF),
                    city,
                    bureau,
                    {},
                )
        elif kind == OrgKind.EVALUATION_ORG:
            level = str(rng.choice(["provincial", "provincial", "national", "city"]))
            date = _day(rng, dt.date(2020, 3, 1), dt.date(2025, 12, 31))
            issuer = province_bureau if level != "city" else bureau
            yield _fact(
                pk,
                "evaluation_filing",
                "social_evaluation_org",
                level,
                date,
                city,
                issuer,
                {"year": date.year},
            )
        elif kind in (OrgKind.COLLEGE, OrgKind.TRAINING_INSTITUTION):
            if rng.random() < 0.25:
                date = _day(rng, dt.date(2022, 6, 1), dt.date(2025, 6, 30))
                yield _fact(
                    pk, "training_base", "public_training_sub_base", "city", date, city, bureau, {}
                )
                for course in range(int(rng.integers(1, 4))):
                    yield _fact(
                        pk,
                        "event",
                        "public_training_course",
                        "",
                        _day(rng, date, AS_OF),
                        city,
                        bureau,
                        {
                            "course_class": 1 + course % 2,
                            "trainees": int(rng.integers(20, 120)),
                            "accepted": bool(rng.random() < 0.9),
                        },
                    )
            if kind == OrgKind.COLLEGE and row["ownership"] == Ownership.PUBLIC:
                for year in range(2022, AS_OF.year):
                    income = int(rng.integers(50_000, 2_000_000)) * 100
                    yield _fact(
                        pk,
                        "event",
                        "social_training_income",
                        "",
                        dt.date(year, 12, 31),
                        city,
                        bureau,
                        {"year": year},
                        amount_fen=income,
                    )
                if rng.random() < 0.5:
                    level = str(rng.choice(["city", "provincial"]))
                    date = _day(rng, dt.date(2019, 1, 1), dt.date(2025, 6, 30))
                    yield _fact(
                        pk,
                        "training_base",
                        "high_skill_training_base",
                        level,
                        date,
                        city,
                        province_bureau if level == "provincial" else bureau,
                        {},
                    )
    colleges = [r["id"] for r in rows if r["kind"] == OrgKind.COLLEGE]
    if colleges:  # one college trains for the WorldSkills selection and hosts a provincial contest
        yield _fact(
            colleges[0],
            "training_base",
            "worldskills_training_base",
            "provincial",
            dt.date(2021, 9, 1),
            city,
            province_bureau,
            {},
        )
        yield _fact(
            colleges[0],
            "competition_result",
            "provincial_class1",
            "",
            dt.date(2023, 11, 18),
            city,
            province_bureau,
            {"role": "host"},
        )
