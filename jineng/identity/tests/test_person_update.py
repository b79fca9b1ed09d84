import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from jineng.audit.models import AuditEntry
from jineng.identity.errors import ValidationFailed
from jineng.identity.models import Person, Role
from jineng.identity.services import employment_record, person_update
from jineng.identity.testing import make_organisation, make_person, make_user, resident_id

pytestmark = pytest.mark.django_db


@pytest.fixture
def person() -> Person:
    return make_person(
        name="陈大文",
        id_number="441900198503010015",
        phone="13812345678",
        education="senior",
        residence_region="441900",
    )


def _audit_count() -> int:
    return AuditEntry.objects.count()


def test_changed_fields_are_saved_and_audited_before_and_after(person: Person) -> None:
    # when
    updated = person_update(actor=None, person=person, education="college", phone="13987654321")
    # then
    stored = Person.objects.get(pk=person.pk)
    assert updated is person
    assert (stored.education, stored.phone) == ("college", "13987654321")
    entry = AuditEntry.objects.filter(action="update", object_type="person").get()
    assert entry.before == {"education": "senior", "phone": "138****5678"}
    assert entry.after == {"education": "college", "phone": "139****4321"}


def test_a_new_id_number_rederives_birth_date_and_sex(person: Person) -> None:
    new_number = resident_id(birth=dt.date(1990, 2, 3), serial=2)
    person_update(actor=None, person=person, id_number=new_number)
    stored = Person.objects.get(pk=person.pk)
    assert (stored.birth_date, stored.sex) == (dt.date(1990, 2, 3), "F")
    entry = AuditEntry.objects.filter(action="update").get()
    assert entry.after is not None
    assert set(entry.after) == {"id_number", "birth_date", "sex"}
    assert entry.after["id_number"] == new_number[:4] + "*" * 10 + new_number[-4:]


def test_nothing_changed_writes_nothing(person: Person) -> None:
    before = _audit_count()
    person_update(actor=None, person=person, education="senior", phone="138 1234 5678")
    assert _audit_count() == before


def test_a_bad_value_changes_nothing(person: Person) -> None:
    before = _audit_count()
    with pytest.raises(ValidationFailed) as excinfo:
        person_update(actor=None, person=person, education="college", phone="12345")
    assert excinfo.value.field == "phone"
    stored = Person.objects.get(pk=person.pk)
    assert (stored.education, stored.phone) == ("senior", "13812345678")
    assert _audit_count() == before


def test_taking_another_persons_document_is_refused(person: Person) -> None:
    other = make_person(id_number="11010519491231002X")
    with pytest.raises(ValidationFailed) as excinfo:
        person_update(actor=None, person=other, id_number="441900198503010015")
    assert excinfo.value.field == "id_number"
    assert Person.objects.get(pk=other.pk).id_number == "11010519491231002X"


def test_unknown_fields_are_refused(person: Person) -> None:
    with pytest.raises(ValidationFailed) as excinfo:
        person_update(actor=None, person=person, birth_date=dt.date(2000, 1, 1))
    assert excinfo.value.field == "birth_date"


def test_a_bureau_officer_in_the_region_may_update(person: Person) -> None:
    officer = make_user(Role.BUREAU_REVIEWER, region="441900")
    person_update(actor=officer, person=person, education="college")
    assert Person.objects.get(pk=person.pk).education == "college"


def test_a_bureau_officer_of_another_region_may_not_and_nothing_changes(person: Person) -> None:
    officer = make_user(Role.BUREAU_REVIEWER, region="330500")
    before = _audit_count()
    with pytest.raises(PermissionDenied):
        person_update(actor=officer, person=person, education="college")
    assert Person.objects.get(pk=person.pk).education == "senior"
    assert _audit_count() == before


def test_a_worker_may_change_their_own_contact_details_only(person: Person) -> None:
    worker = make_user(Role.WORKER, person=person)
    person_update(actor=worker, person=person, phone="13987654321")
    assert Person.objects.get(pk=person.pk).phone == "13987654321"
    with pytest.raises(PermissionDenied):
        person_update(actor=worker, person=person, name="陈小文")
    assert Person.objects.get(pk=person.pk).name == "陈大文"


def test_a_worker_may_not_change_someone_else(person: Person) -> None:
    worker = make_user(Role.WORKER)
    with pytest.raises(PermissionDenied):
        person_update(actor=worker, person=person, phone="13987654321")


def test_an_auditor_may_not_update(person: Person) -> None:
    with pytest.raises(PermissionDenied):
        person_update(actor=make_user(Role.AUDITOR), person=person, education="college")


def test_org_hr_may_update_an_employee_but_not_their_document(person: Person) -> None:
    org = make_organisation()
    employment_record(actor=None, person=person, employer=org, start=dt.date(2020, 1, 1))
    hr = make_user(Role.ORG_HR, organisation=org)
    person_update(actor=hr, person=person, education="college")
    assert Person.objects.get(pk=person.pk).education == "college"
    with pytest.raises(PermissionDenied):
        person_update(actor=hr, person=person, id_number="11010519491231002X")


def test_org_hr_may_not_update_someone_outside_their_organisation(person: Person) -> None:
    hr = make_user(Role.ORG_HR)
    with pytest.raises(PermissionDenied):
        person_update(actor=hr, person=person, education="college")
