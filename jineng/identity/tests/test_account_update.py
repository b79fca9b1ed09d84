"""account_update, and the admin's user pages writing through account_create / account_update."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from jineng.audit.models import AuditEntry
from jineng.identity.errors import ValidationFailed
from jineng.identity.models import Role, User
from jineng.identity.services import account_create, account_update
from jineng.identity.testing import make_person, make_user, otp_login

pytestmark = pytest.mark.django_db

STRONG = "correct-horse-battery-staple-42"
ROLES_FORMSET = {  # the read-only inline of role assignments
    "roles-TOTAL_FORMS": "0",
    "roles-INITIAL_FORMS": "0",
    "roles-MIN_NUM_FORMS": "0",
    "roles-MAX_NUM_FORMS": "1000",
}


def test_only_the_changed_fields_are_written_and_audited() -> None:
    admin = make_user(Role.SYSADMIN)
    account = account_create(actor=None, username="wang.fang", password=None)
    person = make_person()
    account_update(actor=admin, user=account, display_name="王芳", person=person, email="")
    account.refresh_from_db()
    assert (account.display_name, account.person_id) == ("王芳", person.pk)
    entry = AuditEntry.objects.filter(object_type="user", action="update").get()
    assert entry.actor == admin
    assert (entry.before, entry.after) == (
        {"display_name": "", "person": None},
        {"display_name": "王芳", "person": person.pk},
    )


def test_nothing_changed_writes_nothing() -> None:
    account = account_create(actor=None, username="wang.fang", password=None)
    before = AuditEntry.objects.count()
    account_update(actor=None, user=account, username=" wang.fang ", is_active=True)
    assert AuditEntry.objects.count() == before


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"username": "li.si"}, "username", "用户名已被使用"),
        ({"username": "  "}, "username", "用户名不能为空"),
        ({"is_staff": True}, "is_staff", "不能通过此操作修改字段：is_staff"),
    ],
)
def test_refusals_name_the_field_and_change_nothing(
    fields: dict[str, object], field: str, message: str
) -> None:
    account_create(actor=None, username="li.si", password=None)
    account = account_create(actor=None, username="wang.fang", password=None)
    before = AuditEntry.objects.count()
    with pytest.raises(ValidationFailed) as caught:
        account_update(actor=None, user=account, **fields)
    assert (caught.value.field, caught.value.message) == (field, message)
    account.refresh_from_db()
    assert (account.username, account.is_staff, AuditEntry.objects.count()) == (
        "wang.fang",
        False,
        before,
    )


def test_a_person_already_holding_an_account_is_refused() -> None:
    worker = make_user(Role.WORKER)
    other = account_create(actor=None, username="wang.fang", password=None)
    with pytest.raises(ValidationFailed) as caught:
        account_update(actor=None, user=other, person=worker.person)
    assert caught.value.field == "person"
    other.refresh_from_db()
    assert other.person_id is None


def test_only_a_system_administrator_changes_accounts() -> None:
    account = account_create(actor=None, username="wang.fang", password=None)
    for role in (Role.BUREAU_REVIEWER, Role.ORG_ADMIN, Role.AUDITOR):
        with pytest.raises(PermissionDenied):
            account_update(actor=make_user(role), user=account, is_active=False)
    account.refresh_from_db()
    assert account.is_active


def test_the_admin_add_form_creates_the_account_through_the_service(client: Client) -> None:
    otp_login(client, make_user(Role.SYSADMIN, username="root"))
    response = client.post(
        "/admin/identity/user/add/",
        {
            "username": "zhao.liu",
            "display_name": "赵六",
            "person": "",
            "password1": STRONG,
            "password2": STRONG,
            **ROLES_FORMSET,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    account = User.objects.get(username="zhao.liu")
    assert account.check_password(STRONG)
    assert account.display_name == "赵六"
    entry = AuditEntry.objects.get(object_type="user", action="create", object_id=str(account.pk))
    assert entry.actor is not None and entry.actor.username == "root"
    assert entry.after == {"username": "zhao.liu", "person": None}
    assert STRONG not in str(entry.after)


def test_the_admin_change_form_renames_through_the_service(client: Client) -> None:
    otp_login(client, make_user(Role.SYSADMIN, username="root"))
    account = account_create(actor=None, username="wang.fang", password=None)
    response = client.post(
        f"/admin/identity/user/{account.pk}/change/",
        {
            "username": "wang.fang2",
            "display_name": "",
            "person": "",
            "email": "",
            "is_active": "on",
            **ROLES_FORMSET,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    account.refresh_from_db()
    assert account.username == "wang.fang2"
    entry = AuditEntry.objects.get(object_type="user", action="update")
    assert (entry.before, entry.after) == ({"username": "wang.fang"}, {"username": "wang.fang2"})
