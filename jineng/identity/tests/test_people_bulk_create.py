"""people_bulk_create: the bulk twin of person_create — same checks, same stored values, one audit
entry per person and per employment, all or nothing."""

import datetime as dt
import json

import pytest
from django.core.exceptions import PermissionDenied
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from jineng.audit.models import AuditEntry
from jineng.identity.errors import ValidationFailed
from jineng.identity.models import Employment, Person, Role
from jineng.identity.services import (
    NewEmployment,
    NewPerson,
    people_bulk_create,
    person_create,
    person_find_by_document,
    person_snapshot,
)
from jineng.identity.testing import make_organisation, make_user, resident_id

pytestmark = pytest.mark.django_db

ZHANG = resident_id(birth=dt.date(1985, 3, 1), serial=1)  # a man
LI = resident_id(birth=dt.date(1992, 7, 9), serial=2)  # a woman


def counts() -> tuple[int, int, int]:
    return Person.objects.count(), Employment.objects.count(), AuditEntry.objects.count()


def test_people_are_stored_encrypted_indexed_and_audited_masked() -> None:
    # given
    employer = make_organisation(kind="enterprise", name="东莞市华鑫电子科技有限公司")
    rows = [
        NewPerson(
            name="张伟",
            id_number=ZHANG,
            phone="138 1234 5678",
            residence_region="441900",
            education="college",
            insured=True,
            insured_since=dt.date(2019, 7, 1),
            employment=NewEmployment(
                start=dt.date(2020, 1, 2), employer_id=employer.pk, occupation="6-18-01-01"
            ),
        ),
        NewPerson(name="李娜", id_number=LI),
    ]
    audited_before = AuditEntry.objects.count()
    # when
    zhang, li = people_bulk_create(actor=None, rows=rows, reason="导入 people.xlsx")
    # then: derived, normalised, findable by blind index
    assert (zhang.birth_date, zhang.sex, zhang.phone) == (dt.date(1985, 3, 1), "M", "13812345678")
    assert (li.sex, li.residence_region_id) == ("F", None)
    assert person_find_by_document(id_number=ZHANG) == zhang
    assert Person.objects.filter(phone_index=zhang.phone_index).get() == zhang
    job = Employment.objects.get(person=zhang)
    # the employer's name and region fill what the row left empty
    assert (job.employer_name, job.region_id) == ("东莞市华鑫电子科技有限公司", "441900")
    assert not Employment.objects.filter(person=li).exists()
    # one entry per record, the reason on each, nothing in clear
    entries = AuditEntry.objects.order_by("pk")[audited_before:]
    assert [(e.action, e.object_type, e.object_id) for e in entries] == [
        ("create", "person", str(zhang.pk)),
        ("create", "person", str(li.pk)),
        ("create", "employment", str(job.pk)),
    ]
    assert {e.reason for e in entries} == {"导入 people.xlsx"}
    assert entries[0].after == person_snapshot(zhang)
    trail = json.dumps([e.after for e in entries], ensure_ascii=False)
    assert ZHANG not in trail and "13812345678" not in trail


def test_a_bad_record_is_named_and_nothing_is_written() -> None:
    before = counts()
    rows = [
        NewPerson(name="张伟", id_number=ZHANG),
        NewPerson(name="李娜", id_number=LI[:17] + ("0" if LI[17] != "0" else "1")),
    ]
    with pytest.raises(ValidationFailed) as caught:
        people_bulk_create(actor=None, rows=rows)
    assert caught.value.field == "id_number"
    assert caught.value.message.startswith("第2条记录：")
    assert counts() == before


def test_a_number_twice_in_the_batch_names_both_records() -> None:
    before = counts()
    rows = [NewPerson(name="张伟", id_number=ZHANG), NewPerson(name="张伟伟", id_number=ZHANG)]
    with pytest.raises(ValidationFailed) as caught:
        people_bulk_create(actor=None, rows=rows)
    assert caught.value.message == "第2条记录：与第1条记录证件号码重复"
    assert ZHANG not in str(caught.value.value)
    assert counts() == before


@pytest.mark.parametrize(
    ("row", "field"),
    [
        (NewPerson(name="张伟", id_number=ZHANG, residence_region="999999"), "residence_region"),
        (NewPerson(name="张伟", id_number=ZHANG, education="phd"), "education"),
        (NewPerson(name="张伟", id_number=ZHANG, phone="12345"), "phone"),
        (NewPerson(name=" ", id_number=ZHANG), "name"),
        (
            NewPerson(
                name="张伟",
                id_number=ZHANG,
                employment=NewEmployment(start=dt.date(2020, 1, 1), occupation="9-99-99-99"),
            ),
            "occupation",
        ),
        (
            NewPerson(
                name="张伟", id_number=ZHANG, employment=NewEmployment(start=dt.date(2020, 1, 1))
            ),
            "employer",
        ),
    ],
)
def test_each_field_is_checked_as_one_at_a_time(row: NewPerson, field: str) -> None:
    before = counts()
    with pytest.raises(ValidationFailed) as caught:
        people_bulk_create(actor=None, rows=[row])
    assert (caught.value.field, caught.value.message[:6]) == (field, "第1条记录：")
    assert counts() == before


def test_organisation_staff_register_people_only_with_their_own_organisation() -> None:
    hr = make_user(Role.ORG_HR)
    own = hr.roles.get().organisation
    other = make_organisation(kind="enterprise")
    assert own is not None
    job = NewEmployment(start=dt.date(2021, 1, 1), employer_id=own.pk)
    [person] = people_bulk_create(
        actor=hr, rows=[NewPerson(name="张伟", id_number=ZHANG, employment=job)]
    )
    assert Employment.objects.get(person=person).employer == own
    before = counts()
    elsewhere = NewEmployment(start=dt.date(2021, 1, 1), employer_id=other.pk)
    with pytest.raises(PermissionDenied):
        people_bulk_create(
            actor=hr, rows=[NewPerson(name="李娜", id_number=LI, employment=elsewhere)]
        )
    assert counts() == before


def test_a_worker_or_a_teacher_cannot_register_people() -> None:
    actors = [make_user(Role.WORKER), make_user(Role.TEACHER)]
    before = counts()
    for actor in actors:
        with pytest.raises(PermissionDenied):
            people_bulk_create(actor=actor, rows=[NewPerson(name="李娜", id_number=LI)])
    assert counts() == before


births = st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2006, 12, 31))
phones = st.one_of(st.just(""), st.from_regex(r"1[3-9]\d{9}", fullmatch=True))
educations = st.sampled_from(["", "primary", "junior", "senior", "college", "bachelor"])


class BulkTwinProperty(TestCase):
    """Whatever the values, a person registered in bulk is stored and audited exactly like the
    same person registered one at a time."""

    @settings(max_examples=30, deadline=None)
    @given(birth=births, serial=st.integers(0, 998), phone=phones, education=educations)
    def test_bulk_equals_one_at_a_time(
        self, birth: dt.date, serial: int, phone: str, education: str
    ) -> None:
        one = person_create(
            actor=None,
            name="测试",
            id_number=resident_id(birth=birth, serial=serial),
            phone=phone,
            education=education,
            residence_region="441900",
        )
        [bulk] = people_bulk_create(
            actor=None,
            rows=[
                NewPerson(
                    name="测试",
                    id_number=resident_id(birth=birth, serial=serial + 1),
                    phone=phone,
                    education=education,
                    residence_region="441900",
                )
            ],
        )
        bulk.refresh_from_db()
        fields = ("birth_date", "phone", "phone_index", "education", "residence_region_id")
        assert [getattr(bulk, f) for f in fields] == [getattr(one, f) for f in fields]
        assert bulk.sex != one.sex  # odd and even serials
        assert person_find_by_document(id_number=bulk.id_number) == bulk
        entries = {
            e.object_id: e.after or {}
            for e in AuditEntry.objects.filter(object_type="person", action="create")
        }
        ignored = ("id_number", "sex")  # the two that differ by construction
        shape = {k: v for k, v in entries[str(one.pk)].items() if k not in ignored}
        assert {k: v for k, v in entries[str(bulk.pk)].items() if k not in ignored} == shape
