import pytest
from django.core.exceptions import PermissionDenied

from jineng.audit.models import AuditEntry
from jineng.identity.errors import ValidationFailed
from jineng.identity.models import Person, Role
from jineng.identity.services import person_reveal
from jineng.identity.testing import make_person, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def person() -> Person:
    return make_person(
        id_number="441900198503010015",
        phone="13812345678",
        bank_account="6222021234567890123",
        residence_region="330502",
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("id_number", "441900198503010015"),
        ("phone", "13812345678"),
        ("bank_account", "6222021234567890123"),
    ],
)
def test_a_bureau_officer_in_scope_sees_the_value_and_it_is_audited(
    person: Person, field: str, value: str
) -> None:
    officer = make_user(Role.BUREAU_REVIEWER, region="330500")

    revealed = person_reveal(actor=officer, person=person, field=field, reason="核对身份")  # type: ignore[arg-type]

    assert revealed == value
    entry = AuditEntry.objects.get(action="reveal")
    assert (entry.actor_id, entry.object_type, entry.object_id) == (
        officer.pk,
        "person",
        str(person.pk),
    )
    assert entry.after == {"field": field}
    assert entry.reason == "核对身份"
    assert value not in str(entry.after)


def test_a_sysadmin_may_reveal(person: Person) -> None:
    admin = make_user(Role.SYSADMIN)
    assert person_reveal(actor=admin, person=person, field="phone") == "13812345678"


def test_a_worker_may_reveal_their_own(person: Person) -> None:
    worker = make_user(Role.WORKER, person=person)
    assert person_reveal(actor=worker, person=person, field="id_number") == "441900198503010015"


@pytest.mark.parametrize(
    ("role", "region"),
    [
        (Role.BUREAU_REVIEWER, "441900"),  # another city
        (Role.BUREAU_FINANCE, "330503"),  # another district of the same city
        (Role.AUDITOR, "330500"),  # in scope but read-only
        (Role.ORG_ADMIN, "330502"),
        (Role.TEACHER, "330502"),
        (Role.WORKER, "330502"),  # another worker
    ],
)
def test_others_are_refused_and_nothing_is_recorded(person: Person, role: str, region: str) -> None:
    actor = make_user(role, region=region)
    before = AuditEntry.objects.count()
    with pytest.raises(PermissionDenied):
        person_reveal(actor=actor, person=person, field="id_number")
    assert AuditEntry.objects.count() == before


def test_only_sensitive_fields_can_be_revealed(person: Person) -> None:
    with pytest.raises(ValidationFailed):
        person_reveal(actor=make_user(Role.SYSADMIN), person=person, field="password")  # type: ignore[arg-type]
