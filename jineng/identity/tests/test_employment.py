import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from jineng.audit.models import AuditEntry
from jineng.identity.errors import ValidationFailed
from jineng.identity.models import Employment, Person, Role
from jineng.identity.services import employment_end, employment_record
from jineng.identity.testing import make_organisation, make_person, make_user
from jineng.organisations.models import Organisation, OrgKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def person() -> Person:
    return make_person(residence_region="441900")


@pytest.fixture
def employer() -> Organisation:
    return make_organisation(kind=OrgKind.ENTERPRISE, name="东莞精密制造有限公司", region="441900")


def test_an_employment_is_recorded_with_occupation_and_audited(
    person: Person, employer: Organisation
) -> None:
    employment = employment_record(
        actor=None,
        person=person,
        employer=employer,
        occupation="6-18-01-01",
        start=dt.date(2019, 3, 1),
    )
    stored = Employment.objects.get(pk=employment.pk)
    assert (stored.employer_name, stored.occupation_id, stored.region_id, stored.end) == (
        "东莞精密制造有限公司",
        "6-18-01-01",
        "441900",
        None,
    )
    assert AuditEntry.objects.get(object_type="employment").after == {
        "person": person.pk,
        "employer": employer.pk,
        "employer_name": "东莞精密制造有限公司",
        "occupation": "6-18-01-01",
        "region": "441900",
        "start": "2019-03-01",
        "end": None,
    }


def test_an_employer_outside_the_platform_is_recorded_by_name(person: Person) -> None:
    employment = employment_record(
        actor=None, person=person, employer_name="外省某厂", start=dt.date(2010, 1, 1)
    )
    assert (employment.employer_id, employment.employer_name) == (None, "外省某厂")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"employer_name": ""}, "employer"),
        ({"employer_name": "某厂", "occupation": "9-99-99-99"}, "occupation"),
        ({"employer_name": "某厂", "end": dt.date(2018, 12, 31)}, "end"),
    ],
)
def test_bad_employments_are_refused(person: Person, kwargs: dict, field: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(ValidationFailed) as excinfo:
        employment_record(actor=None, person=person, start=dt.date(2019, 1, 1), **kwargs)
    assert excinfo.value.field == field
    assert not Employment.objects.exists()


def test_ending_an_employment(person: Person, employer: Organisation) -> None:
    employment = employment_record(
        actor=None, person=person, employer=employer, start=dt.date(2019, 3, 1)
    )
    employment_end(actor=None, employment=employment, end=dt.date(2023, 6, 30))
    assert Employment.objects.get(pk=employment.pk).end == dt.date(2023, 6, 30)
    entry = AuditEntry.objects.get(object_type="employment", action="update")
    assert (entry.before, entry.after) == ({"end": None}, {"end": "2023-06-30"})


def test_hr_of_the_employer_may_record_hr_elsewhere_may_not(
    person: Person, employer: Organisation
) -> None:
    hr = make_user(Role.ORG_HR, organisation=employer)
    employment_record(actor=hr, person=person, employer=employer, start=dt.date(2020, 1, 1))
    other_hr = make_user(Role.ORG_HR)
    with pytest.raises(PermissionDenied):
        employment_record(
            actor=other_hr, person=person, employer=employer, start=dt.date(2021, 1, 1)
        )
    assert Employment.objects.filter(person=person).count() == 1
