import pytest
from django.core.exceptions import PermissionDenied

from jineng.audit.models import AuditEntry
from jineng.identity.errors import ValidationFailed
from jineng.identity.models import Role, User
from jineng.identity.services import account_create
from jineng.identity.testing import make_person, make_user

pytestmark = pytest.mark.django_db


def test_an_account_is_created_for_a_person_and_audited() -> None:
    person = make_person()
    user = account_create(
        actor=None, username="chen.dawen", password="Gongjiang-2024-xyz", person=person
    )
    assert user.check_password("Gongjiang-2024-xyz")
    assert user.person == person
    assert AuditEntry.objects.get(object_type="user", action="create").after == {
        "username": "chen.dawen",
        "person": person.pk,
    }


@pytest.mark.parametrize(
    "password", ["short-pw-1", "123456789012345", "password1234", "chen.dawen.1"]
)
def test_weak_passwords_are_refused(password: str) -> None:
    with pytest.raises(ValidationFailed) as excinfo:
        account_create(actor=None, username="chen.dawen", password=password)
    assert excinfo.value.field == "password"
    assert not User.objects.filter(username="chen.dawen").exists()


def test_a_taken_username_is_refused() -> None:
    account_create(actor=None, username="chen.dawen", password="Gongjiang-2024-xyz")
    with pytest.raises(ValidationFailed) as excinfo:
        account_create(actor=None, username="chen.dawen", password="Gongjiang-2024-xyz")
    assert excinfo.value.field == "username"


def test_only_sysadmins_create_accounts() -> None:
    with pytest.raises(PermissionDenied):
        account_create(
            actor=make_user(Role.BUREAU_REVIEWER), username="x.y", password="Gongjiang-2024-xyz"
        )
    assert not User.objects.filter(username="x.y").exists()
