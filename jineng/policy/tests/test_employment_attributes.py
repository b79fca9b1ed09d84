"""`work_region` and `years_in_city` derived from the subject's `employment` facts on the judgement
date when the subject does not state them (issue 6 §5): "a Jiangmen employment since 2014 means
more than a year in the city". Stated attributes win (the dossier states both). Every case runs
through explain and evaluate (support.both); a Hypothesis property holds the two paths equal and
the explain path equal to a plain reference computation."""

from __future__ import annotations

import tempfile
from datetime import date, timedelta
from functools import cache
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from jineng.policy.engine.facts import AttrValue, Fact, SubjectFacts, subject_attribute
from jineng.policy.engine.loader import DATA_DIR, load_policies
from jineng.policy.engine.model import Policies
from jineng.policy.tests.support import both, ents, subject

# Two items reading the attributes: one needs a year in Jiangmen, one a work region in Jiangmen.
ITEMS = """
document: {id: ze-doc, prefix: ze, title: T, issuer: I, jurisdiction: '4407', source: s,
           status: in_force, effective: {from: 2010-01-01, to: null}}
items:
  - id: ze.year_in_city
    title: t
    kind: money
    citation: {file: f, quote: q}
    beneficiary: person
    trigger: {kind: certificate}
    conditions:
      - attr: {name: years_in_city, op: ge, value: 1}
    amount: {form: fixed, value: 100}
  - id: ze.works_here
    title: t
    kind: money
    citation: {file: f, quote: q}
    beneficiary: person
    trigger: {kind: certificate}
    conditions:
      - attr: {name: work_region, op: under, value: "4407"}
    amount: {form: fixed, value: 200}
"""


@cache
def policies() -> Policies:
    path = Path(tempfile.mkdtemp(prefix="ze-")) / "ze.yaml"
    path.write_text(ITEMS, encoding="utf-8")
    return load_policies([DATA_DIR / "national_base.yaml", path])


def job(fact_id: str, start: str, region: str, to: str | None = None) -> Fact:
    attrs: dict[str, AttrValue] = {} if to is None else {"to": to}
    return Fact(
        id=fact_id,
        kind="employment",
        date=date.fromisoformat(start),
        code="O1",
        region=region,
        attrs=attrs,
    )


CERT = Fact(id="C1", kind="certificate", date=date(2020, 1, 1), code="6-18-01-01", level="3")


def person(
    facts: list[Fact], work_region: str | None = None, years_in_city: int | None = None
) -> list[SubjectFacts]:
    if work_region is None and years_in_city is None:
        return [subject("P1", [CERT, *facts], region="440703")]
    return [
        subject(
            "P1",
            [CERT, *facts],
            region="440703",
            work_region=work_region,
            years_in_city=years_in_city,
        )
    ]


def statuses(population: list[SubjectFacts], on: str = "2020-06-30") -> tuple[str, str]:
    x = both(population, on, policies())["P1"]
    return (
        str(ents(x, "ze.year_in_city")[0].status),
        str(ents(x, "ze.works_here")[0].status),
    )


def test_a_jiangmen_employment_since_2014_is_more_than_a_year_in_the_city() -> None:
    # before: neither attribute was derived, so both conditions failed without stated attrs
    assert statuses(person([job("E1", "2014-03-01", "440703")])) == ("paid", "paid")


def test_years_count_in_the_city_of_the_work_region_and_the_region_condition_decides() -> None:
    # six years in Dongguan are six years in *its* city (the dossier's reading of years_in_city);
    # the work-region condition is what keeps a Dongguan worker out of a Jiangmen item
    population = person([job("E1", "2014-03-01", "441900")])
    (sf,) = population
    assert subject_attribute(sf.subject, sf.facts, "work_region", date(2020, 6, 30)) == "441900"
    assert statuses(population) == ("paid", "condition_failed")


def test_an_ended_employment_counts_its_years_but_is_no_longer_the_work_region() -> None:
    population = person([job("E1", "2014-03-01", "440703", to="2019-12-31")])
    assert statuses(population) == ("paid", "condition_failed")


def test_less_than_a_year_in_the_city_is_not_a_year() -> None:
    population = person([job("E1", "2019-09-01", "440703")])
    assert statuses(population) == ("condition_failed", "paid")


def test_stated_attributes_win_over_the_employment_facts() -> None:
    population = person([job("E1", "2014-03-01", "440703")], work_region="441900", years_in_city=0)
    assert statuses(population) == ("condition_failed", "condition_failed")


def test_overlapping_jobs_count_once() -> None:
    # two jobs over the same eight months: 243 days, not 486 (which would be a year)
    population = person(
        [
            job("E1", "2019-05-01", "440703", to="2019-12-31"),
            job("E2", "2019-05-01", "440704", to="2019-12-31"),
        ]
    )
    (sf,) = population
    assert subject_attribute(sf.subject, sf.facts, "years_in_city", date(2020, 6, 30)) == 0
    assert statuses(population)[0] == "condition_failed"


# ----------------------------------------------------------------------------- property

DAY0 = date(2010, 1, 1)
days = st.integers(0, 12 * 365).map(lambda n: DAY0 + timedelta(days=n))
regions = st.sampled_from(["440703", "440704", "441900", ""])


@st.composite
def a_job(draw: st.DrawFn, i: int) -> Fact:
    start = draw(days)
    to = draw(
        st.one_of(
            st.none(),
            st.just(""),
            st.just("not a date"),
            st.integers(0, 5 * 365).map(lambda n: (start + timedelta(days=n)).isoformat()),
        )
    )
    return job(f"E{i}", start.isoformat(), draw(regions), to)


def reference_years(facts: list[Fact], city: str, on: date) -> int | None:
    """Day by day: a day counts when some job in the city covers it (start ≤ day < end)."""
    jobs = [f for f in facts if f.kind == "employment" and f.date <= on]
    if not jobs:
        return None
    covered: set[date] = set()
    for f in jobs:
        region = f.region or ""
        if not city or not region.startswith(city):
            continue
        to = f.attrs.get("to")
        end = on
        if isinstance(to, str) and len(to) == 10 and to[4] == "-":
            end = min(date.fromisoformat(to), on)
        day = f.date
        while day < end:
            covered.add(day)
            day += timedelta(days=1)
    return len(covered) // 365


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.integers(0, 3), min_size=0, max_size=4).flatmap(
        lambda ns: st.tuples(*(a_job(i) for i in range(len(ns))))
    ),
    days,
)
def test_both_paths_agree_and_match_a_day_by_day_count(jobs: tuple[Fact, ...], on: date) -> None:
    population = person(list(jobs))
    both(population, on.isoformat(), policies())  # asserts explain == evaluate, line by line
    (sf,) = population
    work = subject_attribute(sf.subject, sf.facts, "work_region", on)
    city = ((work if isinstance(work, str) else "") or "440703")[:4]
    visible = [f for f in sf.facts if f.date <= on]
    assert subject_attribute(sf.subject, visible, "years_in_city", on) == reference_years(
        visible, city, on
    )
