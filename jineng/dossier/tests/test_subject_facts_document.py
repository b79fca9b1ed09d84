import datetime as dt
import json
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from jineng.dossier.selectors import (
    fact_json,
    organisation_subject,
    person_employments,
    person_subject,
    subject_facts,
    subject_facts_document,
)
from jineng.dossier.services import fact_append, fact_correct
from jineng.identity.models import Person
from jineng.identity.services import employment_record
from jineng.identity.testing import make_organisation, make_person, resident_id
from jineng.organisations.models import Organisation
from jineng.policy.engine.schema import FACTS_SCHEMA

pytestmark = pytest.mark.django_db

ON = dt.date(2026, 6, 30)


def test_a_person_document_has_the_subject_attributes_and_every_fact() -> None:
    # given: a man born 1970-05-01, hukou in Hunan, working at a public college since 2015
    person = make_person(
        name="李建国",
        id_number=resident_id(area="430582", birth=dt.date(1970, 5, 1), serial=31),
        hukou_region="430582",
        residence_region="441900",
        insured=True,
        insured_since=dt.date(2012, 3, 1),
    )
    enterprise = make_organisation(kind="enterprise", region="441900")
    college = make_organisation(kind="college", region="441900", ownership="public")
    employment_record(
        actor=None, person=person, employer=enterprise, start=dt.date(2010, 1, 1),
        end=dt.date(2014, 12, 31),
    )  # fmt: skip
    employment_record(actor=None, person=person, employer=college, start=dt.date(2015, 1, 1))
    first = fact_append(
        actor=None, subject=person, kind="certificate", code="6-18-01-01", level="4",
        date=dt.date(2016, 5, 1), issuer=college, source="import",
    )  # fmt: skip
    corrected = fact_correct(actor=None, fact=first, reason="等级错误", level="3")
    medal = fact_append(
        actor=None, subject=person, kind="competition_result", code="city_class1", level="gold",
        date=dt.date(2024, 10, 20), attrs={"role": "player", "prize_fen": 500000},
        source="import",
    )  # fmt: skip
    # when
    document = subject_facts_document(subject=person, on=ON)
    # then
    assert not list(Draft202012Validator(FACTS_SCHEMA).iter_errors(document))
    assert document["subject"] == {
        "id": f"P{person.pk}",
        "kind": "person",
        "region": "441900",
        "birth_date": "1970-05-01",
        "sex": "M",
        "attrs": {
            "insured": True,
            "insured_since": "2012-03-01",
            "public_institution_staff": True,  # a public college is not an enterprise
            "retired": False,
            # 60 in May 2030, after the 2025 reform: +1 month per 4 months of birth since
            # January 1965 → +17 months
            "retirement_date": "2031-10-01",
            "hukou_region": "430582",
            "work_region": "441900",
            "years_in_city": 16,  # 2010-01-01 … 2026-06-30, two jobs back to back
            "education": None,
            "employer_id": f"O{college.pk}",
        },
    }
    assert [f["id"] for f in document["facts"]] == [str(first.pk), str(corrected.pk), str(medal.pk)]
    assert document["facts"][1] == {
        "id": str(corrected.pk),
        "kind": "certificate",
        "code": "6-18-01-01",
        "level": "3",
        "date": "2016-05-01",
        "amount_fen": None,
        "issuer": college.name,
        "region": "441900",
        "attrs": {"issuer_id": f"O{college.pk}"},
        "supersedes": str(first.pk),
    }
    assert document["facts"][2]["attrs"] == {"role": "player", "prize_fen": 500000}


def test_an_enterprise_employee_is_not_public_institution_staff() -> None:
    person = make_person()
    soe = make_organisation(kind="enterprise", ownership="public")
    employment_record(actor=None, person=person, employer=soe, start=dt.date(2020, 1, 1))
    document = subject_facts_document(subject=person, on=ON)
    assert document["subject"]["attrs"]["public_institution_staff"] is False


def test_an_organisation_document() -> None:
    org = make_organisation(kind="institution", region="441900", ownership="private")
    fact = fact_append(
        actor=None, subject=org, kind="training_base", code="public_training_sub_base",
        level="city", date=dt.date(2023, 3, 1), source="import",
    )  # fmt: skip
    document = subject_facts_document(subject=org, on=ON)
    assert not list(Draft202012Validator(FACTS_SCHEMA).iter_errors(document))
    assert document["subject"]["id"] == f"O{org.pk}"
    assert document["subject"]["kind"] == "institution"
    assert document["subject"]["region"] == "441900"
    assert document["subject"]["attrs"]["ownership"] == "private"
    assert [f["id"] for f in document["facts"]] == [str(fact.pk)]


def orm_document(subject: Person | Organisation, on: dt.date) -> dict[str, Any]:
    """The document as the ORM reads it (person_employments, subject_facts, fact_json): what the
    one raw query of subject_facts_document must give, byte for byte."""
    if isinstance(subject, Person):
        head: Any = person_subject(subject, on=on, employments=person_employments(subject))
    else:
        head = organisation_subject(subject)
    return {"subject": head, "facts": [fact_json(f) for f in subject_facts(subject)]}


def test_the_raw_read_gives_byte_for_byte_what_the_orm_gives(
    django_assert_num_queries: Any,
) -> None:
    person = make_person(hukou_region="430582", residence_region="441900", education="bachelor")
    public_college = make_organisation(kind="college", region="330502", ownership="public")
    enterprise = make_organisation(kind="enterprise", region="441900", ownership="private")
    employment_record(  # ended, in another city
        actor=None, person=person, employer=public_college, start=dt.date(2008, 3, 1),
        end=dt.date(2012, 2, 29),
    )  # fmt: skip
    employment_record(  # a region of its own, no employer
        actor=None, person=person, employer=None, employer_name="个体", region="441900",
        start=dt.date(2012, 3, 1), end=dt.date(2019, 12, 31),
    )  # fmt: skip
    employment_record(actor=None, person=person, employer=enterprise, start=dt.date(2019, 6, 1))
    employment_record(  # two jobs starting the same day: the later id is current
        actor=None, person=person, employer=public_college, start=dt.date(2019, 6, 1)
    )
    employment_record(  # not started yet
        actor=None, person=person, employer=enterprise, start=dt.date(2030, 1, 1)
    )
    first = fact_append(
        actor=None, subject=person, kind="certificate", code="6-18-01-01", level="4",
        date=dt.date(2016, 5, 1), issuer=public_college, source="import",
    )  # fmt: skip
    fact_correct(actor=None, fact=first, reason="等级错误", level="3")
    fact_append(
        actor=None, subject=person, kind="competition_result", code="city_class1", level="gold",
        date=dt.date(2016, 5, 1), amount_fen=500_000, region="441900", issuer_name="东莞市人社局",
        attrs={"role": "player", "prize_fen": 500000, "rank": "第一", "issuer_id": "O7"},
        source="import",
    )  # fmt: skip
    bare = make_person(residence_region=None, hukou_region=None)
    org = make_organisation(kind="institution", region="441900", ownership="private")
    fact_append(
        actor=None, subject=org, kind="training_base", code="public_training_sub_base",
        level="city", date=dt.date(2023, 3, 1), source="import", attrs={"seats": 40},
    )  # fmt: skip
    for subject in (person, bare, org, public_college):
        for on in (dt.date(2010, 1, 1), dt.date(2019, 6, 1), ON, dt.date(2031, 1, 1)):
            with django_assert_num_queries(1):
                document = subject_facts_document(subject=subject, on=on)
            expected = orm_document(subject, on)
            assert json.dumps(document, ensure_ascii=False) == json.dumps(
                expected, ensure_ascii=False
            )
            assert not list(Draft202012Validator(FACTS_SCHEMA).iter_errors(document))
    assert subject_facts_document(subject=person, on=ON)["subject"]["attrs"]["employer_id"] == (
        f"O{public_college.pk}"
    )
