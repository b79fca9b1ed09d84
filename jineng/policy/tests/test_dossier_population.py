"""The city from the dossier: column-wise loading equals the per-subject facts documents, and
evaluate over it equals explain of each subject's document."""

from __future__ import annotations

import datetime as dt

import pytest

from jineng.demo.run import seed_city
from jineng.dossier.retirement import retirement_date
from jineng.dossier.selectors import subject_facts_document
from jineng.dossier.services import fact_append, fact_correct
from jineng.identity.models import Person
from jineng.identity.services import employment_record
from jineng.identity.testing import make_organisation, make_person, resident_id
from jineng.organisations.models import Organisation
from jineng.policy.engine.explain import explain_population
from jineng.policy.engine.facts import SubjectFacts, parse_subject_facts
from jineng.policy.engine.loader import load_policies
from jineng.policy.engine.population import subject_facts_of
from jineng.policy.population import load_population_from_dossier, retirement_dates
from jineng.policy.tests.support import evaluate_lines, explain_lines

ON = dt.date(2026, 6, 30)


def _documents(on: dt.date) -> dict[str, SubjectFacts]:
    subjects: list[Person | Organisation] = [*Person.objects.all(), *Organisation.objects.all()]
    docs = [parse_subject_facts(subject_facts_document(subject=s, on=on)) for s in subjects]
    return {d.subject.id: d for d in docs}


def _normalised(sf: SubjectFacts) -> tuple[object, ...]:
    s = sf.subject
    attrs = {k: v for k, v in s.attrs.items() if v is not None}
    facts = sorted(
        (
            f.id,
            f.kind,
            f.code,
            f.level,
            f.date,
            f.amount_fen,
            f.issuer,
            f.region,
            tuple(sorted((k, v) for k, v in f.attrs.items() if v is not None)),
            f.supersedes,
        )
        for f in sf.facts
    )
    return (s.id, s.kind, s.region, s.birth_date, s.sex, tuple(sorted(attrs.items())), tuple(facts))


@pytest.mark.django_db
def test_loading_equals_the_facts_documents() -> None:
    person = make_person(
        id_number=resident_id(area="430582", birth=dt.date(1970, 5, 1), serial=31),
        hukou_region="430582",
        residence_region="441900",
        insured=True,
        insured_since=dt.date(2012, 3, 1),
    )
    enterprise = make_organisation(kind="enterprise", region="441900")
    college = make_organisation(kind="college", region="441900", ownership="public")
    employment_record(
        actor=None,
        person=person,
        employer=enterprise,
        start=dt.date(2010, 1, 1),
        end=dt.date(2014, 12, 31),
    )
    employment_record(actor=None, person=person, employer=college, start=dt.date(2015, 1, 1))
    first = fact_append(
        actor=None,
        subject=person,
        kind="certificate",
        code="6-18-01-01",
        level="4",
        date=dt.date(2016, 5, 1),
        issuer=college,
        source="import",
    )
    fact_correct(actor=None, fact=first, reason="等级错误", level="3")
    fact_append(
        actor=None,
        subject=person,
        kind="competition_result",
        code="city_class1",
        level="gold",
        date=dt.date(2024, 10, 20),
        attrs={"role": "player", "prize_fen": 500000},
        source="import",
    )
    fact_append(
        actor=None,
        subject=college,
        kind="studio",
        code="master_studio",
        level="city",
        date=dt.date(2023, 3, 1),
        source="import",
    )
    other = make_person(residence_region=None, hukou_region="640104", insured=False)
    fact_append(
        actor=None,
        subject=other,
        kind="certificate",
        code="4-01-01-01",
        level="5",
        date=dt.date(2024, 1, 5),
        source="import",
    )

    population = load_population_from_dossier(on=ON)
    loaded = {sf.subject.id: sf for sf in subject_facts_of(population, range(len(population)))}
    documents = _documents(ON)
    assert set(loaded) == set(documents)
    for subject_id, document in documents.items():
        assert _normalised(loaded[subject_id]) == _normalised(document), subject_id

    scoped = load_population_from_dossier(
        on=ON, people=Person.objects.filter(pk=person.pk), organisations=Organisation.objects.none()
    )
    assert scoped.subjects.get_column("subject_id").to_list() == [f"P{person.pk}"]
    assert scoped.facts.height == 3


@pytest.mark.django_db
def test_seeded_city_evaluates_as_it_explains() -> None:
    seed_city(region="441900", workers=60, seed=3, progress=False)
    population = load_population_from_dossier(on=ON)
    documents = list(_documents(ON).values())
    policies = load_policies()
    assert population.facts.height > 0
    assert evaluate_lines(documents, ON, policies) == explain_lines(
        explain_population(documents, ON, policies)
    )
    loaded = subject_facts_of(population, range(len(population)))
    assert evaluate_lines(loaded, ON, policies) == evaluate_lines(documents, ON, policies)


def test_retirement_dates_over_columns_match_the_dossier() -> None:
    import polars as pl

    births = [
        dt.date(1950, 1, 31),
        dt.date(1965, 1, 1),
        dt.date(1966, 2, 28),
        dt.date(1975, 12, 31),
        dt.date(1980, 2, 29),
        dt.date(2000, 7, 15),
    ]
    for sex in ("M", "F"):
        got = (
            pl.DataFrame({"b": births, "s": [sex] * len(births)})
            .select(retirement_dates(pl.col("b"), pl.col("s")))
            .to_series()
            .to_list()
        )
        assert got == [retirement_date(b, sex) for b in births]
