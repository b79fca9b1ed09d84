"""The careers of a chunk of synthetic workers as dossier facts — certificates, training,
competitions, honours (titles, appointments, studios) and apprenticeships — with the shares they
are drawn at (`jineng.demo.people.make_chunk` calls these in this order)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import numpy as np

from jineng.demo.context import AS_OF, FIRST_CERTIFICATE_YEAR, SeedContext
from jineng.demo.factrows import FactRows, competition_issuer, day
from jineng.reference.models import SKILL_LEVEL_RANK

if TYPE_CHECKING:
    from jineng.demo.people import Chunk

LEVELS = ("5", "4", "3", "2", "1")  # index 0..4 on the certificate ladder; 2+ is 高技能
MEDALS = ("gold", "silver", "bronze", "excellence", "participant")
# Per worker, over the whole period, by result (gold, silver, bronze, excellence, participant).
COMPETITIONS: tuple[tuple[str, tuple[float, ...], int], ...] = (  # code, rates, maximum age
    ("city_class2", (4e-4, 8e-4, 1.2e-3, 2.5e-3, 6e-3), 60),
    ("city_class1", (3e-4, 6e-4, 9e-4, 2e-3, 4e-3), 60),
    ("provincial_class2", (3e-5, 6e-5, 1e-4, 2e-4, 4e-4), 55),
    ("provincial_class1", (2e-5, 4e-5, 7e-5, 1.5e-4, 3e-4), 55),
    ("national_class2", (3e-6, 6e-6, 1e-5, 2e-5, 0.0), 50),
    ("national_class1", (2e-6, 4e-6, 6e-6, 1.5e-5, 0.0), 50),
    ("chinaskills", (1e-6, 2e-6, 3e-6, 8e-6, 0.0), 35),
    ("worldskills", (2e-7, 2e-7, 3e-7, 5e-7, 0.0), 22),
)
# Fixed dates of the national and world events; other contests fall in autumn of any year.
EVENT_DATES = {
    "chinaskills": (dt.date(2020, 12, 13), dt.date(2023, 9, 19)),
    "worldskills": (
        dt.date(2017, 10, 18),
        dt.date(2019, 8, 27),
        dt.date(2022, 11, 26),
        dt.date(2024, 9, 15),
    ),
    "worldskills_selection": (dt.date(2018, 11, 20), dt.date(2021, 7, 10), dt.date(2023, 12, 15)),
}
APPOINTMENTS = (
    ("chief_technician", 1.5e-3, 36),
    ("skill_leader_class1", 2e-4, 36),
    ("skill_leader_class2", 6e-4, 24),
)
STUDIOS = (("city", 6e-4), ("provincial", 1.2e-4), ("national", 2e-5))


def uniform_days(rng: np.random.Generator, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    span = np.maximum(end - start, 0)
    days: np.ndarray = start + (rng.random(len(start)) * (span + 1)).astype(np.int64)
    return days


def certificates_facts(
    ctx: SeedContext,
    rng: np.random.Generator,
    chunk: Chunk,
    facts: FactRows,
    certified: np.ndarray,
    top: np.ndarray,
    top_date: np.ndarray,
    earliest: np.ndarray,
    occupation: list[str],
    employer: np.ndarray,
    age: np.ndarray,
) -> None:
    emp = ctx.employers
    n = len(top)
    evaluation_orgs = emp.evaluation_orgs
    for level_index, level in enumerate(LEVELS):
        # The top level always; each lower rung with probability 0.55, a year or three earlier.
        has = certified & (top >= level_index) & ((top == level_index) | (rng.random(n) < 0.55))
        date = top_date - (top - level_index) * rng.integers(365, 3 * 365, n)
        has &= date >= earliest
        self_eval = rng.random(n) < 0.6
        org_pick = rng.integers(0, max(len(evaluation_orgs), 1), n)
        for who in np.flatnonzero(has):
            when = day(int(date[who]))
            code = occupation[who]
            own = int(employer[who])
            filed = emp.filed_on.get(own)
            if filed is not None and filed <= when and self_eval[who]:
                issuer = own
            elif len(evaluation_orgs):
                issuer = int(evaluation_orgs[org_pick[who]])
            else:
                issuer = None
            lowest = ctx.shortage.get((when.year, code))
            facts.person(
                int(who),
                "certificate",
                code,
                level,
                when,
                {
                    "shortage": lowest is not None and SKILL_LEVEL_RANK[level] >= lowest,
                    "international": False,
                    "issuer_kind": emp.kind.get(issuer, "") if issuer else "",
                },
                issuer=issuer,
                issuer_name=emp.names.get(issuer, "") if issuer else "",
            )
    # 特级技师: a few 高级技师 later reach the new top rung (from 2022, when it was created).
    special = certified & (top == 4) & (rng.random(n) < 0.05) & (age >= 35)
    for who in np.flatnonzero(special):
        when = day(max(int(top_date[who]) + 400, dt.date(2022, 6, 1).toordinal()))
        if when <= AS_OF:
            facts.person(
                int(who),
                "certificate",
                occupation[who],
                "S",
                when,
                {"shortage": False, "international": False, "issuer_kind": "enterprise"},
                issuer=int(employer[who]),
                issuer_name=emp.names.get(int(employer[who]), ""),
            )


def training_facts(
    ctx: SeedContext,
    rng: np.random.Generator,
    facts: FactRows,
    earliest: np.ndarray,
    occupation: list[str],
    n: int,
) -> None:
    emp = ctx.employers
    providers = np.concatenate([emp.institutions, emp.colleges])
    trained = rng.random(n) < 0.22
    dates = uniform_days(
        rng, np.maximum(earliest, dt.date(2016, 1, 1).toordinal()), np.full(n, AS_OF.toordinal())
    )
    target = rng.choice(3, size=n, p=(0.5, 0.3, 0.2))
    hours = rng.integers(16, 201, n)
    passed = rng.random(n) < 0.85
    voucher = rng.random(n) < 0.3
    provider = rng.integers(0, len(providers), n)
    for who in np.flatnonzero(trained & (dates <= AS_OF.toordinal())):
        org = int(providers[provider[who]])
        facts.person(
            int(who),
            "training",
            occupation[who],
            LEVELS[target[who]],
            day(int(dates[who])),
            {"hours": int(hours[who]), "passed": bool(passed[who]), "voucher": bool(voucher[who])},
            issuer=org,
            issuer_name=emp.names.get(org, ""),
        )


def competitions_facts(
    ctx: SeedContext,
    rng: np.random.Generator,
    facts: FactRows,
    birth: np.ndarray,
    employer: np.ndarray,
    top: np.ndarray,
    certified: np.ndarray,
    n: int,
) -> None:
    coaches = np.flatnonzero(certified & (top >= 3))
    if not len(coaches):
        coaches = np.arange(n)
    for code, rates, max_age in COMPETITIONS:
        thresholds = np.cumsum(rates)
        draw = rng.random(n)
        result = np.searchsorted(thresholds, draw, side="right")  # len(rates) = no result
        for who in np.flatnonzero(result < len(rates)):
            level = MEDALS[int(result[who])]
            if code in EVENT_DATES:
                options = EVENT_DATES[code]
                when = options[int(rng.integers(len(options)))]
            else:
                year = int(rng.integers(FIRST_CERTIFICATE_YEAR, AS_OF.year + 1))
                when = dt.date(year, int(rng.integers(9, 11)), int(rng.integers(1, 29)))
            age_then = (when.toordinal() - int(birth[who])) / 365.2425
            if when > AS_OF or age_then < 16 or age_then > max_age:
                continue
            attrs: dict[str, Any] = {"role": "player", "represented_region": ctx.geography.city}
            medal = level in ("gold", "silver", "bronze")
            high = not code.startswith("city")
            if medal and high and rng.random() < 0.4:
                attrs["prize_fen"] = int(rng.integers(100, 2001)) * 10_000  # 1万–20万元
            issuer_name = competition_issuer(ctx, code)
            facts.person(
                int(who), "competition_result", code, level, when, attrs, issuer_name=issuer_name
            )
            if medal and high:
                if rng.random() < 0.7:
                    coach = int(coaches[rng.integers(len(coaches))])
                    if coach != who:
                        facts.person(
                            coach,
                            "competition_result",
                            code,
                            level,
                            when,
                            {"role": "coach", "represented_region": ctx.geography.city},
                            issuer_name=issuer_name,
                        )
                facts.organisation(
                    int(employer[who]),
                    "competition_result",
                    code,
                    level,
                    when,
                    {"role": "team_unit"},
                    issuer_name=issuer_name,
                )


def honours_facts(
    ctx: SeedContext,
    rng: np.random.Generator,
    facts: FactRows,
    certified: np.ndarray,
    top: np.ndarray,
    employer: np.ndarray,
    earliest: np.ndarray,
    n: int,
) -> None:
    emp = ctx.employers
    high = certified & (top >= 2)
    technician = certified & (top >= 3)
    start = np.maximum(earliest + 3 * 365, dt.date(2016, 1, 1).toordinal())
    for code, rate in ctx.profile.titles:
        chosen = high & (rng.random(n) < rate)
        dates = uniform_days(rng, start, np.full(n, AS_OF.toordinal()))
        issuer = (
            emp.bureau_name
            if code.startswith(("dongguan", "city", "guanyi"))
            else (
                emp.province_bureau_name
                if code.startswith(("guangdong", "provincial", "nanyue"))
                else "人力资源和社会保障部"
            )
        )
        for who in np.flatnonzero(chosen & (dates <= AS_OF.toordinal())):
            facts.person(int(who), "title", code, "", day(int(dates[who])), {}, issuer_name=issuer)
    for code, rate, months in APPOINTMENTS:
        pool = technician if code == "chief_technician" else high
        chosen = pool & (rng.random(n) < rate)
        dates = uniform_days(rng, start, np.full(n, AS_OF.toordinal()))
        for who in np.flatnonzero(chosen & (dates <= AS_OF.toordinal())):
            org = int(employer[who])
            facts.person(
                int(who),
                "appointment",
                code,
                "",
                day(int(dates[who])),
                {"months": months},
                issuer=org,
                issuer_name=emp.names.get(org, ""),
            )
    for level, rate in STUDIOS:
        chosen = technician & (rng.random(n) < rate)
        dates = uniform_days(rng, start, np.full(n, AS_OF.toordinal()))
        issuer = (
            emp.bureau_name
            if level == "city"
            else (emp.province_bureau_name if level == "provincial" else "人力资源和社会保障部")
        )
        for who in np.flatnonzero(chosen & (dates <= AS_OF.toordinal())):
            when = day(int(dates[who]))
            facts.person(
                int(who),
                "studio",
                "master_studio",
                level,
                when,
                {"role": "leader"},
                issuer_name=issuer,
            )
            facts.organisation(
                int(employer[who]),
                "studio",
                "master_studio",
                level,
                when,
                {"role": "host"},
                issuer_name=issuer,
            )


def apprenticeships_facts(
    ctx: SeedContext,
    rng: np.random.Generator,
    facts: FactRows,
    birth: np.ndarray,
    age: np.ndarray,
    occupation: list[str],
    employer: np.ndarray,
    n: int,
) -> None:
    chosen = (age < 30) & (rng.random(n) < 0.03)
    begin = np.maximum(birth + int(16 * 365.2425), dt.date(2018, 1, 1).toordinal())
    dates = uniform_days(rng, begin, np.full(n, AS_OF.toordinal()))
    months = np.where(rng.random(n) < 0.5, 12, 24)
    for who in np.flatnonzero(chosen & (dates <= AS_OF.toordinal())):
        org = int(employer[who])
        facts.person(
            int(who),
            "apprenticeship",
            occupation[who],
            "",
            day(int(dates[who])),
            {"months": int(months[who]), "contract_years": int(months[who] // 12 + 1)},
            issuer=org,
            issuer_name=ctx.employers.names.get(org, ""),
        )
