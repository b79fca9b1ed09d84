import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from jineng.audit.models import AuditEntry
from jineng.identity.errors import ValidationFailed
from jineng.identity.models import Person, Role
from jineng.identity.testing import make_organisation, make_person, make_user
from jineng.organisations.models import Organisation, OrgKind, Teacher
from jineng.organisations.services import teacher_attach, teacher_detach

pytestmark = pytest.mark.django_db


@pytest.fixture
def school() -> Organisation:
    return make_organisation(kind=OrgKind.TRAINING_INSTITUTION, region="441900")


@pytest.fixture
def person() -> Person:
    return make_person()


def test_a_part_time_teacher_is_attached_and_audited(school: Organisation, person: Person) -> None:
    teacher = teacher_attach(
        actor=None, organisation=school, person=person, kind="part", subject="电工"
    )
    stored = Teacher.objects.get(pk=teacher.pk)
    assert (stored.kind, stored.subject, stored.organisation_id) == ("part", "电工", school.pk)
    assert AuditEntry.objects.get(object_type="teacher").after == {
        "person": person.pk,
        "organisation": school.pk,
        "kind": "part",
        "subject": "电工",
        "start": None,
        "end": None,
    }


def test_attaching_twice_is_refused(school: Organisation, person: Person) -> None:
    teacher_attach(actor=None, organisation=school, person=person, kind="full")
    with pytest.raises(ValidationFailed) as excinfo:
        teacher_attach(actor=None, organisation=school, person=person, kind="part")
    assert excinfo.value.field == "person"
    assert Teacher.objects.count() == 1


@pytest.mark.parametrize(
    ("kind", "org_kind", "field"),
    [("sometimes", OrgKind.TRAINING_INSTITUTION, "kind"), ("full", OrgKind.BUREAU, "organisation")],
)
def test_bad_attachments_are_refused(person: Person, kind: str, org_kind: str, field: str) -> None:
    org = make_organisation(kind=org_kind)
    with pytest.raises(ValidationFailed) as excinfo:
        teacher_attach(actor=None, organisation=org, person=person, kind=kind)
    assert excinfo.value.field == field
    assert not Teacher.objects.exists()


def test_the_organisations_admin_may_attach_another_organisations_may_not(
    school: Organisation, person: Person
) -> None:
    own_admin = make_user(Role.ORG_ADMIN, organisation=school)
    teacher_attach(actor=own_admin, organisation=school, person=person, kind="full")
    other_admin = make_user(Role.ORG_ADMIN)
    with pytest.raises(PermissionDenied):
        teacher_attach(actor=other_admin, organisation=school, person=make_person(), kind="full")
    assert Teacher.objects.count() == 1


def test_detaching_sets_the_end_date(school: Organisation, person: Person) -> None:
    teacher = teacher_attach(
        actor=None, organisation=school, person=person, kind="full", start=dt.date(2020, 9, 1)
    )
    teacher_detach(actor=None, teacher=teacher, end=dt.date(2024, 7, 31))
    assert Teacher.objects.get(pk=teacher.pk).end == dt.date(2024, 7, 31)
    with pytest.raises(ValidationFailed):
        teacher_detach(actor=None, teacher=teacher, end=dt.date(2019, 1, 1))
