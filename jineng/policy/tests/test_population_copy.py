"""On PostgreSQL the population is read with COPY into Polars; it must be exactly the population
the row reader (`values_list`/`fetchmany`, the SQLite path) gives: same frames, dtypes, column and
row order — for the whole city, a region, and scoped querysets."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from polars.testing import assert_frame_equal

from jineng.demo.run import seed_city
from jineng.dossier import columnar as columnar_module
from jineng.dossier.services import fact_append, fact_correct
from jineng.identity.models import Person
from jineng.identity.services import employment_record
from jineng.identity.testing import make_organisation, make_person
from jineng.organisations.models import Organisation
from jineng.policy.population import load_population_from_dossier

ON = dt.date(2026, 6, 30)

postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL-only")


def _city() -> None:
    """A small seeded city, plus values the CSV must carry exactly: '' beside NULL, quotes,
    commas and a newline in text, JSON attributes, a correction, an organisation's own fact."""
    seed_city(region="441900", workers=40, seed=5, progress=False)
    college = make_organisation(kind="college", region="441900", ownership="public")
    bare = make_organisation(kind="enterprise", region="441900", ownership="")
    person = make_person(residence_region=None, hukou_region="640104", insured=False)
    Person.objects.filter(pk=person.pk).update(sex="", birth_date=None)
    employment_record(actor=None, person=person, employer=bare, start=dt.date(2020, 1, 1))
    first = fact_append(
        actor=None,
        subject=person,
        kind="certificate",
        code="6-18-01-01",
        level="4",
        date=dt.date(2016, 5, 1),
        issuer=college,
        issuer_name='东莞"技师",学院\n第二校区',
        attrs={"role": "player, captain", "prize_fen": 500000, "note": 'a "quoted"\nline'},
        source="import",
    )
    fact_correct(actor=None, fact=first, reason="等级错误", level="3")
    fact_append(
        actor=None,
        subject=person,
        kind="training",
        code="",
        level="",
        date=dt.date(2024, 1, 5),
        region="",
        source="import",
    )
    fact_append(
        actor=None,
        subject=college,
        kind="studio",
        code="master_studio",
        level="city",
        date=dt.date(2023, 3, 1),
        amount_fen=0,
        source="import",
    )


def _assert_same(**kwargs: Any) -> None:
    rows = load_population_from_dossier(on=ON, via="rows", **kwargs)
    copied = load_population_from_dossier(on=ON, via="copy", **kwargs)
    assert copied.facts_sorted and rows.facts_sorted
    assert_frame_equal(copied.subjects, rows.subjects)
    assert_frame_equal(copied.facts, rows.facts)


@postgresql
@pytest.mark.django_db
def test_copy_reads_what_the_rows_read() -> None:
    _city()
    whole = load_population_from_dossier(on=ON)  # PostgreSQL: COPY by default
    assert whole.subjects.height == Person.objects.count() + Organisation.objects.count()
    assert whole.facts.height > 100
    assert whole.facts.get_column("issuer").str.contains("\n").any()
    assert whole.facts.get_column("supersedes").is_not_null().any()
    _assert_same()
    _assert_same(region="4419")
    _assert_same(region="6401")
    residents = Person.objects.filter(residence_region__code__startswith="4419")
    _assert_same(people=residents, organisations=Organisation.objects.filter(kind="college"))
    _assert_same(
        people=Person.objects.order_by("-pk")[:7], organisations=Organisation.objects.none()
    )
    _assert_same(people=Person.objects.none(), organisations=Organisation.objects.all())
    _assert_same(people=Person.objects.none(), organisations=Organisation.objects.none())
    _assert_same(people=Person.objects.filter(name__contains="%"))  # a parameter with a %


@postgresql
@pytest.mark.django_db(transaction=True)
def test_concurrent_copies_share_one_snapshot(monkeypatch: pytest.MonkeyPatch) -> None:
    """Outside a transaction the COPYs run on their own connections (which see only committed
    rows, hence a transactional test) and give the same population."""
    _city()
    started: list[str] = []
    copy_in_snapshot = columnar_module._copy_in_snapshot

    def spy(alias: str, snapshot: str, sql: str, schema: dict[str, Any]) -> Any:
        started.append(snapshot)
        return copy_in_snapshot(alias, snapshot, sql, schema)

    monkeypatch.setattr(columnar_module, "_copy_in_snapshot", spy)
    _assert_same()
    assert len(started) == 3 and len(set(started)) == 1
    _assert_same(people=Person.objects.filter(residence_region__code__startswith="4419"))


@pytest.mark.skipif(connection.vendor == "postgresql", reason="the other databases")
@pytest.mark.django_db
def test_copy_needs_postgresql() -> None:
    with pytest.raises(ValueError, match="PostgreSQL"):
        load_population_from_dossier(on=ON, via="copy")
