"""A chunk of synthetic workers and their dossier, drawn with NumPy from a seeded generator.

Chunk k draws from `default_rng([seed, 1, k])`, so a chunk is the same whichever process makes it
and in whatever order; the whole city is the same for the same seed. Shares are chosen to look like
a manufacturing city: about 45% of workers hold a skill certificate, and of those about 30% reach
高级工 or above (高技能人才), a few per cent 技师/高级技师; competition medals, titles, appointments
and studios are rare, in that order.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from jineng.demo import careers
from jineng.demo.careers import LEVELS
from jineng.demo.context import AS_OF, FIRST_CERTIFICATE_YEAR, SeedContext
from jineng.demo.factrows import FactRows, day
from jineng.demo.names import (
    GIVEN_FEMALE,
    GIVEN_MALE,
    GIVEN_NEUTRAL,
    MOBILE_PREFIXES,
    SURNAMES,
)
from jineng.demo.showcase import showcase_facts, showcase_people

ID_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
ID_CHECK = np.array(list("10X98765432"))
POW10 = 10 ** np.arange(16, -1, -1, dtype=np.int64)

TOP_LEVEL_SHARES = (0.36, 0.32, 0.22, 0.075, 0.025)
EDUCATION = ("primary", "junior", "senior", "college", "bachelor", "postgraduate")
EDUCATION_BY_AGE = {  # under 30, 30–44, 45 and over
    0: (0.01, 0.25, 0.40, 0.22, 0.11, 0.01),
    1: (0.05, 0.38, 0.35, 0.14, 0.075, 0.005),
    2: (0.15, 0.50, 0.25, 0.07, 0.03, 0.0),
}


@dataclass
class Chunk:
    index: int
    size: int
    names: list[str] = field(default_factory=list)
    id_numbers: list[str] = field(default_factory=list)
    id17: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    birth: list[dt.date] = field(default_factory=list)
    sex: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    hukou: list[str] = field(default_factory=list)
    residence: list[str] = field(default_factory=list)  # the 镇街 each person lives in
    education: list[str] = field(default_factory=list)
    insured: list[bool] = field(default_factory=list)
    insured_since: list[dt.date | None] = field(default_factory=list)
    # (local person, employer id, occupation, region, start, end)
    employments: list[tuple[int, int, str, str, dt.date, dt.date | None]] = field(
        default_factory=list
    )
    # (local person or None, organisation id or None, kind, code, level, date, amount_fen, region,
    #  issuer id, issuer name, attrs as JSON)
    facts: list[tuple[Any, ...]] = field(default_factory=list)
    # (local person, organisation id, kind, subject, start)
    teachers: list[tuple[int, int, str, str, dt.date]] = field(default_factory=list)
    # filled by encrypt_chunk
    id_cipher: list[str] = field(default_factory=list)
    id_index: list[str] = field(default_factory=list)
    phone_cipher: list[str] = field(default_factory=list)
    phone_index: list[str] = field(default_factory=list)


def id_check_chars(id17: np.ndarray) -> np.ndarray:
    digits = (id17[:, None] // POW10[None, :]) % 10
    checks: np.ndarray = ID_CHECK[(digits @ ID_WEIGHTS) % 11]
    return checks


def id_numbers(id17: np.ndarray) -> list[str]:
    checks = id_check_chars(id17)
    return [f"{int(p):017d}{c}" for p, c in zip(id17, checks, strict=True)]


def make_chunk(ctx: SeedContext, index: int, size: int, total_workers: int) -> Chunk:
    rng = np.random.default_rng([ctx.seed, 1, index])
    geo, emp = ctx.geography, ctx.employers
    n = size
    as_of = AS_OF.toordinal()
    chunk = Chunk(index=index, size=n)

    # --- who they are -------------------------------------------------------------------------
    male = rng.random(n) < 0.58
    ages = np.arange(18, 61)
    age_weights = np.exp(-(((ages - 32) / 11.0) ** 2)) + 0.12
    age = rng.choice(ages, size=n, p=age_weights / age_weights.sum())
    birth = as_of - (age * 365.2425).astype(np.int64) - rng.integers(0, 365, n)
    showcase = showcase_people(index, n)
    for local, (born, is_male) in showcase.items():
        birth[local], male[local] = born.toordinal(), is_male
    age = ((as_of - birth) / 365.2425).astype(np.int64)
    group = rng.choice(len(geo.origin_codes), size=n, p=geo.origin_weights)
    area = np.empty(n, dtype=np.int64)
    for g, codes in enumerate(geo.origin_codes):
        mask = group == g
        area[mask] = codes[rng.integers(0, len(codes), int(mask.sum()))]
    births = [day(int(b)) for b in birth]
    ymd = np.asarray([b.year * 10000 + b.month * 100 + b.day for b in births], dtype=np.int64)
    sex_digit = np.where(male, rng.integers(0, 5, n) * 2 + 1, rng.integers(0, 5, n) * 2)
    seq = rng.integers(0, 100, n) * 10 + sex_digit
    chunk.id17 = area * 10**11 + ymd * 1000 + seq
    chunk.id_numbers = id_numbers(chunk.id17)
    chunk.birth = births
    chunk.sex = ["M" if m else "F" for m in male]
    chunk.hukou = [str(a) for a in area]
    chunk.residence = geo.town_picker(2, index).pick(n)

    surnames = [s for s, _ in SURNAMES]
    surname_p = np.asarray([w for _, w in SURNAMES])
    surname = rng.choice(len(surnames), size=n, p=surname_p / surname_p.sum())
    two = rng.random(n) < 0.78
    pool_m, pool_f = GIVEN_MALE + GIVEN_NEUTRAL, GIVEN_FEMALE + GIVEN_NEUTRAL
    c1 = rng.random(n)
    c2 = rng.random(n)
    names = []
    for i in range(n):
        pool = pool_m if male[i] else pool_f
        given = pool[int(c1[i] * len(pool))] + (pool[int(c2[i] * len(pool))] if two[i] else "")
        names.append(surnames[surname[i]] + given)
    chunk.names = names
    prefix = rng.integers(0, len(MOBILE_PREFIXES), n)
    tail = rng.integers(0, 10**8, n)
    chunk.phones = [f"{MOBILE_PREFIXES[p]}{t:08d}" for p, t in zip(prefix, tail, strict=True)]
    band = np.where(age < 30, 0, np.where(age < 45, 1, 2))
    education = np.empty(n, dtype=np.int64)
    for b, shares in EDUCATION_BY_AGE.items():
        mask = band == b
        education[mask] = rng.choice(len(EDUCATION), size=int(mask.sum()), p=shares)
    chunk.education = [EDUCATION[e] for e in education]

    # --- where they work ----------------------------------------------------------------------
    sector = rng.choice(len(ctx.sectors), size=n, p=ctx.sector_shares)
    occupation: list[str] = [""] * n
    employer = np.zeros(n, dtype=np.int64)
    for s, name in enumerate(ctx.sectors):
        members = np.flatnonzero(sector == s)
        sector_codes, weights = ctx.sector_occupations[name]
        picks = rng.choice(len(sector_codes), size=len(members), p=weights)
        for m, p in zip(members, picks, strict=True):
            occupation[m] = sector_codes[p]
        ids = emp.sector_ids.get(name)
        if ids is None or not len(ids):  # a small city may have no enterprise of the sector
            ids = np.concatenate(list(emp.sector_ids.values()))
            employer[members] = ids[rng.integers(0, len(ids), len(members))]
        else:
            employer[members] = rng.choice(ids, size=len(members), p=emp.sector_weights[name])
    adult = birth + (18 * 365.2425)
    employed = rng.random(n) < 0.95
    tenure = np.minimum(
        rng.exponential(4.5 * 365, n).astype(np.int64), as_of - adult.astype(np.int64)
    )
    start = as_of - np.maximum(tenure, 0) - rng.integers(0, 30, n)

    # --- certificates -------------------------------------------------------------------------
    earliest = np.maximum(
        dt.date(FIRST_CERTIFICATE_YEAR, 1, 1).toordinal(), (birth + 18 * 365.2425).astype(np.int64)
    )
    certified = (rng.random(n) < np.where(education >= 3, 0.50, 0.43)) & (earliest < as_of - 30)
    top = rng.choice(len(LEVELS), size=n, p=TOP_LEVEL_SHARES)
    top = np.where(age < 25, np.minimum(top, 2), np.where(age < 30, np.minimum(top, 3), top))
    top_date = careers.uniform_days(rng, earliest, np.full(n, as_of))

    # Full-time teachers work for the institution or college that employs them as teachers.
    teaching = (
        np.concatenate([emp.institutions, emp.colleges]) if len(emp.colleges) else emp.institutions
    )
    teacher_rate = (len(emp.institutions) * 8 + len(emp.colleges) * 30) / max(total_workers, 1)
    candidates = np.flatnonzero(certified & (top >= 1))
    n_teachers = min(len(candidates), int(round(n * teacher_rate + rng.random())))
    chosen = (
        rng.choice(candidates, size=n_teachers, replace=False)
        if n_teachers
        else np.zeros(0, np.int64)
    )
    for who in chosen:
        org = int(teaching[rng.integers(len(teaching))])
        full = rng.random() < 0.55
        teaching_since = day(
            int(
                careers.uniform_days(
                    rng,
                    np.array([max(earliest[who], dt.date(2016, 1, 1).toordinal())]),
                    np.array([as_of]),
                )[0]
            )
        )
        chunk.teachers.append(
            (int(who), org, "full" if full else "part", occupation[who], teaching_since)
        )
        if full:
            employer[who] = org
            start[who] = min(start[who], teaching_since.toordinal())

    facts = FactRows(geo.city, chunk.residence)
    for who in np.flatnonzero(employed):
        org = int(employer[who])
        begin = day(int(start[who]))
        where = emp.region.get(org, geo.city)
        chunk.employments.append((int(who), org, occupation[who], where, begin, None))
        facts.person(
            int(who),
            "employment",
            str(org),
            "",
            begin,
            {
                "employer_kind": emp.kind.get(org, "enterprise"),
                "region": where,
                "occupation": occupation[who],
            },
        )
    previous = employed & (rng.random(n) < 0.35) & (start - adult > 400)
    all_enterprises = np.concatenate(list(emp.sector_ids.values()))
    for who in np.flatnonzero(previous):
        last_day = int(start[who]) - int(rng.integers(1, 60))
        first_day = max(int(adult[who]), last_day - int(rng.exponential(3 * 365)) - 30)
        if first_day >= last_day:
            continue
        org = int(all_enterprises[rng.integers(len(all_enterprises))])
        chunk.employments.append(
            (
                int(who),
                org,
                occupation[who],
                emp.region.get(org, geo.city),
                day(first_day),
                day(last_day),
            )
        )
        facts.person(
            int(who),
            "employment",
            str(org),
            "",
            day(first_day),
            {
                "employer_kind": emp.kind.get(org, "enterprise"),
                "region": emp.region.get(org, geo.city),
                "occupation": occupation[who],
                "to": day(last_day).isoformat(),
            },
        )
        start[who] = min(start[who], first_day)  # for insured_since below

    insured = np.where(employed, rng.random(n) < 0.84, rng.random(n) < 0.30)
    unemployed_since = careers.uniform_days(rng, adult.astype(np.int64), np.full(n, as_of))
    since = np.where(employed, np.minimum(start + rng.integers(0, 120, n), as_of), unemployed_since)
    chunk.insured = [bool(x) for x in insured]
    chunk.insured_since = [
        day(int(s)) if ins else None for s, ins in zip(since, insured, strict=True)
    ]
    for who in np.flatnonzero(insured):
        facts.person(
            int(who), "insurance", "pension", "", day(int(since[who])), {"region": geo.city}
        )

    careers.certificates_facts(
        ctx, rng, chunk, facts, certified, top, top_date, earliest, occupation, employer, age
    )
    careers.training_facts(ctx, rng, facts, earliest, occupation, n)
    careers.competitions_facts(ctx, rng, facts, birth, employer, top, certified, n)
    careers.honours_facts(ctx, rng, facts, certified, top, employer, earliest, n)
    careers.apprenticeships_facts(ctx, rng, facts, birth, age, occupation, employer, n)
    rows = facts.rows
    if showcase:  # the showcase people keep their jobs and insurance, and get the rare facts
        rows = [
            r
            for r in rows
            if r[0] is None or r[0] not in showcase or r[2] in ("employment", "insurance")
        ]
        extra = FactRows(geo.city, chunk.residence)
        showcase_facts(ctx, extra, occupation, employer)
        rows.extend(extra.rows)
    chunk.facts = rows
    return chunk
