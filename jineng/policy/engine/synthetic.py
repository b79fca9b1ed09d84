"""A synthetic city population as columns (NumPy, deterministic seed) for benchmarks and demos.

The mix: about 97% persons and 3% organisations across the five jurisdictions (Dongguan, Huzhou,
Jiangmen, Ningxia, and the parameter city 5204 for 002); persons hold on average ~0.9 skill
certificates (mostly 初级–高级), most are insured and employed, some trained, ~1% have competition
results, ~0.5% titles; organisations hold bases, studios, evaluation filings, events and
apprentices. Boolean attributes that policies test on events (evaluated, accepted …) are True for
70% of the facts that carry them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np
import polars as pl

from jineng.policy.engine.dates import to_days
from jineng.policy.engine.population import Population

REGIONS = {
    "441900": 0.30,
    "330502": 0.05,
    "330503": 0.05,
    "330521": 0.05,
    "330522": 0.05,
    "440703": 0.07,
    "440704": 0.07,
    "440781": 0.06,
    "640104": 0.06,
    "640202": 0.05,
    "640402": 0.05,
    "640522": 0.04,
    "520402": 0.06,
    "520421": 0.04,
}
XX_CITY = "5204"

ORG_KINDS = {
    "enterprise": 0.6,
    "college": 0.1,
    "institution": 0.2,
    "association": 0.05,
    "evaluation_org": 0.05,
}
CERT_LEVELS = {"5": 0.30, "4": 0.30, "3": 0.25, "2": 0.10, "1": 0.04, "S": 0.01}
COMPETITIONS = {
    "city_class1": 0.30,
    "city_class2": 0.25,
    "provincial_class1": 0.15,
    "provincial_class2": 0.12,
    "national_class1": 0.06,
    "national_class2": 0.05,
    "chinaskills": 0.03,
    "worldskills_selection": 0.03,
    "worldskills": 0.01,
}
MEDALS = {
    "gold": 0.1,
    "silver": 0.15,
    "bronze": 0.2,
    "excellence": 0.25,
    "participant": 0.28,
    "national_team": 0.02,
}
ROLES = {
    "player": 0.78,
    "coach": 0.1,
    "expert": 0.05,
    "trainer": 0.03,
    "team_unit": 0.02,
    "host": 0.02,
}
TITLES = [
    "huzhou_craftsman",
    "huzhou_grand_craftsman",
    "huzhou_rural_craftsman",
    "huzhou_youth_craftsman",
    "zhejiang_craftsman",
    "zhejiang_grand_craftsman",
    "zhejiang_youth_craftsman",
    "jiangmen_chief_technician",
    "national_technical_expert",
    "nx_technical_expert",
    "city_technical_expert",
    "guangdong_technical_expert",
    "dongguan_technical_expert",
    "dongguan_skill_leader",
    "zhonghua_skills_award",
    "national_model_worker",
    "government_special_allowance",
]
APPOINTMENTS = ["chief_technician", "skill_leader_class1", "skill_leader_class2"]
TRAINING = ["employment_skills", "yuecai", "skill_upgrade", "new_apprentice"]
BASES = [
    ("high_skill_training_base", ["city", "provincial", "national"]),
    ("public_training_base", ["provincial"]),
    ("public_training_sub_base", ["city"]),
    ("school_enterprise_base", ["city"]),
    ("worldskills_training_base", ["city", "provincial", "national"]),
    ("yuecai_training_base", ["city"]),
]
STUDIOS = ["master_studio", "famous_teacher_studio", "yuecai_master_studio"]
ORG_EVENTS = [
    "certification_annual_total",
    "college_training_report",
    "high_skill_course_developed",
    "institution_quality_evaluation",
    "international_certificate_sponsored",
    "international_course_class",
    "public_training_course",
    "question_bank_filed",
    "shortage_occupation_evaluation",
    "social_training_income",
    "standard_developed",
    "subsidised_training_net_income",
    "technician_introduced",
    "vocational_education_investment",
    "yuecai_course_developed",
    "teacher_roster",
]
EVENT_BOOLS = [
    "accepted",
    "contract_signed",
    "contracts_signed",
    "effect_recognised",
    "evaluated",
    "face_checkin",
    "from_outside_city",
    "local_high_skill",
    "passed",
    "province_approved",
    "qualifying",
    "real_name",
    "selected",
    "task_completed",
    "video_monitored",
    "volume_met",
]
START = to_days(date(2016, 1, 1))
END = to_days(date(2025, 6, 30))


def _pick(rng: np.random.Generator, table: dict[str, float] | Sequence[str], n: int) -> pl.Series:
    """n draws from a vocabulary (weighted when a dict), as a String series (built by gather:
    polars would be slow to convert millions of numpy strings)."""
    keys = list(table)
    if isinstance(table, dict):
        p = np.array([table[k] for k in keys], dtype=np.float64)  # probabilities, not money
        idx = rng.choice(len(keys), size=n, p=p / p.sum())
    else:
        idx = rng.integers(0, len(keys), n)
    return pl.Series(keys, dtype=pl.String).gather(pl.Series(idx, dtype=pl.UInt32))


def _dates(rng: np.random.Generator, n: int, start: int = START, end: int = END) -> np.ndarray:
    return rng.integers(start, end, size=n, dtype=np.int32)


def _where(valid: np.ndarray, values: np.ndarray | pl.Series) -> pl.Series:
    """values where valid, else null."""
    return pl.select(pl.when(pl.Series(valid)).then(pl.Series(values))).to_series()


def _frame(
    sids: np.ndarray,
    kind: str,
    codes: pl.Series,
    levels: pl.Series | None,
    days: np.ndarray,
    **attrs: np.ndarray | pl.Series,
) -> pl.DataFrame:
    n = len(sids)
    return pl.DataFrame(
        {
            "sid": pl.Series(sids, dtype=pl.UInt32),
            "kind": pl.repeat(kind, n, dtype=pl.String, eager=True),
            "code": codes,
            "level": levels
            if levels is not None
            else pl.repeat(None, n, dtype=pl.String, eager=True),
            "date": pl.Series(days, dtype=pl.Int32).cast(pl.Date),
            **{"a." + name: pl.Series(values) for name, values in attrs.items()},
        }
    )


def _same(value: str, n: int) -> pl.Series:
    return pl.repeat(value, n, dtype=pl.String, eager=True)


OCCUPATIONS = [f"6-18-01-{i:02d}" for i in range(1, 200)]
EMPLOYERS = [f"E{i}" for i in range(50_000)]


def synthetic_population(n_subjects: int = 1_000_000, seed: int = 20240601) -> Population:
    rng = np.random.default_rng(seed)
    n = n_subjects
    is_org = rng.random(n) < 0.03
    person = ~is_org
    org_kind = _pick(rng, ORG_KINDS, n)
    kinds = pl.select(
        pl.when(pl.Series(is_org)).then(org_kind).otherwise(pl.lit("person"))
    ).to_series()
    regions = _pick(rng, REGIONS, n)
    elsewhere = _pick(rng, REGIONS, n)
    birth = rng.integers(to_days(date(1958, 1, 1)), to_days(date(2006, 1, 1)), n).astype(np.int32)
    enterprise = (kinds == "enterprise").to_numpy()
    subjects = pl.DataFrame(
        {
            "sid": pl.Series(np.arange(n, dtype=np.uint32)),
            "subject_id": "S" + pl.Series(np.arange(n)).cast(pl.String).str.zfill(7),
            "kind": kinds,
            "region": regions,
            "sex": _where(person, _pick(rng, {"M": 0.55, "F": 0.45}, n)),
            "birth_date": _where(person, birth).cast(pl.Date),
            "s.insured": _where(person & (rng.random(n) < 0.5), rng.random(n) < 0.85),
            "s.public_institution_staff": _where(person, rng.random(n) < 0.05),
            "s.work_region": _where(
                person,
                pl.select(
                    pl.when(pl.Series(rng.random(n) < 0.9)).then(regions).otherwise(elsewhere)
                ).to_series(),
            ),
            "s.years_in_city": _where(person, rng.integers(0, 21, n).astype(np.int64)),
            "s.ownership": _where(is_org, _pick(rng, {"public": 0.4, "private": 0.6}, n)),
            "s.enterprise_size": _where(enterprise, _pick(rng, ["large", "medium", "small"], n)),
        }
    )
    persons = np.flatnonzero(person).astype(np.uint32)
    orgs = np.flatnonzero(is_org).astype(np.uint32)
    frames = []
    # certificates: ~0.9 per person
    sid = np.repeat(persons, rng.poisson(0.9, persons.size))
    m = sid.size
    frames.append(
        _frame(
            sid,
            "certificate",
            _pick(rng, OCCUPATIONS, m),
            _pick(rng, CERT_LEVELS, m),
            _dates(rng, m),
            shortage=rng.random(m) < 0.1,
            international=rng.random(m) < 0.01,
        )
    )
    # insurance and employment
    ins = persons[rng.random(persons.size) < 0.85]
    frames.append(
        _frame(
            ins,
            "insurance",
            _same("pension", ins.size),
            None,
            _dates(rng, ins.size, to_days(date(2008, 1, 1)), START),
        )
    )
    emp = persons[rng.random(persons.size) < 0.7]
    frames.append(
        _frame(
            emp,
            "employment",
            _pick(rng, EMPLOYERS, emp.size),
            None,
            _dates(rng, emp.size, to_days(date(2010, 1, 1)), END),
        )
    )
    # training
    tr = persons[rng.random(persons.size) < 0.3]
    frames.append(
        _frame(
            tr,
            "training",
            _pick(rng, TRAINING, tr.size),
            _pick(rng, {"5": 0.5, "4": 0.3, "3": 0.2}, tr.size),
            _dates(rng, tr.size),
            hours=rng.integers(8, 200, tr.size),
            passed=rng.random(tr.size) < 0.8,
        )
    )
    # competition results, titles, appointments, studios led
    cr = persons[rng.random(persons.size) < 0.01]
    prize = np.where(rng.random(cr.size) < 0.2, rng.integers(1, 50, cr.size) * 1_000_000, 0)
    frames.append(
        _frame(
            cr,
            "competition_result",
            _pick(rng, COMPETITIONS, cr.size),
            _pick(rng, MEDALS, cr.size),
            _dates(rng, cr.size),
            role=_pick(rng, ROLES, cr.size),
            prize_fen=prize.astype(np.int64),
            represented_region=regions.gather(pl.Series(cr)),
        )
    )
    ti = persons[rng.random(persons.size) < 0.005]
    frames.append(_frame(ti, "title", _pick(rng, TITLES, ti.size), None, _dates(rng, ti.size)))
    ap = persons[rng.random(persons.size) < 0.002]
    frames.append(
        _frame(
            ap,
            "appointment",
            _pick(rng, APPOINTMENTS, ap.size),
            None,
            _dates(rng, ap.size),
            months=rng.integers(1, 60, ap.size),
        )
    )
    st = persons[rng.random(persons.size) < 0.001]
    frames.append(
        _frame(
            st,
            "studio",
            _pick(rng, STUDIOS, st.size),
            _pick(rng, {"city": 0.7, "provincial": 0.2, "national": 0.1}, st.size),
            _dates(rng, st.size),
        )
    )
    # organisations
    tb = orgs[rng.random(orgs.size) < 0.05]
    which = rng.integers(0, len(BASES), tb.size)
    frames.append(
        _frame(
            tb,
            "training_base",
            pl.Series([BASES[i][0] for i in which], dtype=pl.String),
            pl.Series(
                [BASES[i][1][rng.integers(0, len(BASES[i][1]))] for i in which], dtype=pl.String
            ),
            _dates(rng, tb.size),
            trainees=rng.integers(10, 500, tb.size),
            task_completed=rng.random(tb.size) < 0.7,
        )
    )
    so = orgs[rng.random(orgs.size) < 0.05]
    frames.append(
        _frame(
            so,
            "studio",
            _pick(rng, STUDIOS, so.size),
            _pick(rng, {"city": 0.7, "provincial": 0.2, "national": 0.1}, so.size),
            _dates(rng, so.size),
        )
    )
    ef = orgs[rng.random(orgs.size) < 0.1]
    frames.append(
        _frame(
            ef,
            "evaluation_filing",
            _pick(rng, {"enterprise_self_evaluation": 0.9, "social_evaluation_org": 0.1}, ef.size),
            _pick(rng, {"national": 0.2, "provincial": 0.8}, ef.size),
            _dates(rng, ef.size),
            certified_count=rng.integers(0, 2000, ef.size),
            certified_technician_count=rng.integers(0, 200, ef.size),
            certified_high_skill_count=rng.integers(0, 300, ef.size),
            effect_recognised=rng.random(ef.size) < 0.5,
        )
    )
    ev = np.repeat(orgs, rng.poisson(1.5, orgs.size))
    frames.append(
        _frame(
            ev,
            "event",
            _pick(rng, ORG_EVENTS, ev.size),
            _pick(rng, {"1": 0.3, "2": 0.7}, ev.size),
            _dates(rng, ev.size),
            students=rng.integers(5, 60, ev.size),
            certified_count=rng.integers(0, 1500, ev.size),
            months=rng.integers(1, 36, ev.size),
            **{name: rng.random(ev.size) < 0.7 for name in EVENT_BOOLS},
        )
    )
    aps = orgs[enterprise[orgs] & (rng.random(orgs.size) < 0.2)]
    frames.append(
        _frame(
            aps,
            "apprenticeship",
            _same("6-18-01-01", aps.size),
            None,
            _dates(rng, aps.size),
            months=rng.integers(3, 24, aps.size),
            contract_years=rng.integers(0, 4, aps.size),
            # the filed period (备案月数) the months are held to: sometimes shorter than trained
            filed_months=rng.integers(3, 24, aps.size),
        )
    )
    facts = pl.concat(frames, how="diagonal_relaxed")
    is_event = (facts.get_column("kind") == "event").to_numpy()
    facts = facts.with_columns(
        _where(is_event, rng.integers(0, 10_000_000, facts.height))
        .cast(pl.Int64)
        .alias("amount_fen"),
        pl.lit(None, dtype=pl.String).alias("issuer"),
        regions.gather(facts.get_column("sid")).alias("region"),
        pl.lit(None, dtype=pl.List(pl.String)).alias("supersedes"),
    )
    # Facts in the canonical order (sid, date, fact_id): ids numbered after sorting by (sid, date).
    facts = facts.sort("sid", "date").with_row_index("n")
    facts = facts.with_columns(
        ("f" + pl.col("n").cast(pl.String).str.zfill(8)).alias("fact_id")
    ).drop("n")
    return Population(subjects, facts, facts_sorted=True)
