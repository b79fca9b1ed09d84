"""The back office for people, accounts and roles: masked, searched by blind index, audited."""

import pytest
from django.test import Client

from jineng.audit.models import AuditEntry
from jineng.identity.models import Person, Role, RoleAssignment, User
from jineng.identity.testing import make_person, make_user, otp_login

pytestmark = pytest.mark.django_db

NUMBER = "441900198503010015"
PEOPLE = "/admin/identity/person/"


@pytest.fixture
def admin_client(client: Client) -> Client:
    otp_login(client, make_user(Role.SYSADMIN, username="root"))
    return client


@pytest.fixture
def person() -> Person:
    return make_person(name="陈大文", id_number=NUMBER, phone="13812345678")


def test_the_list_shows_masked_numbers_only(admin_client: Client, person: Person) -> None:
    body = admin_client.get(PEOPLE).content.decode()
    assert "4419**********0015" in body
    assert "138****5678" in body
    assert NUMBER not in body
    assert "13812345678" not in body


def test_the_change_form_shows_masked_numbers_only(admin_client: Client, person: Person) -> None:
    body = admin_client.get(f"{PEOPLE}{person.pk}/change/").content.decode()
    assert "4419**********0015" in body
    assert NUMBER not in body
    assert "13812345678" not in body


def test_a_full_number_in_the_search_box_finds_nobody(admin_client: Client, person: Person) -> None:
    # ?q= lands in the address and the access log: numbers go through 按证件号查找 (POST).
    body = admin_client.get(PEOPLE, {"q": "441900198503010015"}).content.decode()
    assert "陈大文" not in body
    assert "按证件号查找" in body


def test_find_by_document_is_a_post_that_opens_the_person(
    admin_client: Client, person: Person
) -> None:
    url = f"{PEOPLE}find-by-document/"
    make_person(name="李四")
    assert NUMBER not in admin_client.get(url).content.decode()
    resp = admin_client.post(url, {"id_type": "resident", "id_number": NUMBER})
    assert resp.status_code == 302
    assert resp["Location"] == f"{PEOPLE}{person.pk}/change/"
    entry = AuditEntry.objects.filter(action="person_search_document").get()
    assert entry.after is not None and entry.after["id_number"] == "4419**********0015"
    missing = admin_client.post(url, {"id_type": "resident", "id_number": "11010519491231002X"})
    assert missing.status_code == 200
    assert "没有找到符合条件的人员" in missing.content.decode()
    assert "11010519491231002X" not in missing.content.decode()


def test_a_partial_number_finds_nobody(admin_client: Client, person: Person) -> None:
    body = admin_client.get(PEOPLE, {"q": "4419001985"}).content.decode()
    assert "陈大文" not in body


def test_search_by_name_still_works(admin_client: Client, person: Person) -> None:
    assert "陈大文" in admin_client.get(PEOPLE, {"q": "大文"}).content.decode()


def test_the_reveal_action_asks_why_then_shows_and_audits(
    admin_client: Client, person: Person
) -> None:
    action = {"action": "reveal_id_numbers", "_selected_action": [person.pk]}
    # first the reason is asked, nothing is shown or recorded
    asked = admin_client.post(PEOPLE, action).content.decode()
    assert "查看原因" in asked
    assert NUMBER not in asked
    assert not AuditEntry.objects.filter(action="reveal").exists()
    # then, with a reason, the number is shown and the reveal recorded
    response = admin_client.post(PEOPLE, {**action, "confirm": "1", "reveal_reason": "核对档案"})
    assert NUMBER in response.content.decode()
    assert "no-cache" in response["Cache-Control"]
    entry = AuditEntry.objects.get(action="reveal")
    assert (entry.object_id, entry.after, entry.reason) == (
        str(person.pk),
        {"field": "id_number"},
        "核对档案",
    )


def test_adding_a_person_goes_through_the_service(admin_client: Client) -> None:
    response = admin_client.post(
        f"{PEOPLE}add/",
        {
            "name": "王芳",
            "id_type": "resident",
            "new_id_number": "11010519491231002X",
            "new_phone": "13987654321",
            "new_bank_account": "",
            "education": "",
            "insured_since": "",
        },
    )
    assert response.status_code == 302
    person = Person.objects.get(name="王芳")
    assert (person.sex, person.phone) == ("F", "13987654321")
    entry = AuditEntry.objects.get(object_type="person", action="create")
    assert entry.actor is not None and entry.actor.username == "root"


def test_a_bad_id_number_is_shown_beside_the_field(admin_client: Client) -> None:
    response = admin_client.post(
        f"{PEOPLE}add/",
        {"name": "王芳", "id_type": "resident", "new_id_number": "11010519491231002Y"},
    )
    assert response.status_code == 200
    assert "身份证号码前17位应为数字" in response.content.decode()
    assert not Person.objects.filter(name="王芳").exists()


def test_changing_a_person_goes_through_the_service(admin_client: Client, person: Person) -> None:
    admin_client.post(
        f"{PEOPLE}{person.pk}/change/",
        {
            "name": "陈大文",
            "id_type": "resident",
            "new_id_number": "",
            "new_phone": "13900001111",
            "new_bank_account": "",
            "residence_region": "441900",
            "education": "college",
            "insured_since": "",
        },
    )
    person.refresh_from_db()
    assert (person.phone, person.education, person.id_number) == ("13900001111", "college", NUMBER)
    entry = AuditEntry.objects.get(object_type="person", action="update")
    assert entry.after == {"education": "college", "phone": "139****1111"}


def test_people_cannot_be_deleted_from_the_admin(admin_client: Client, person: Person) -> None:
    assert admin_client.post(f"{PEOPLE}{person.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Person.objects.filter(pk=person.pk).exists()


def test_granting_a_role_in_the_admin_is_audited(admin_client: Client) -> None:
    account = User.objects.create_user("zhang.san", password="x" * 12)
    response = admin_client.post(
        "/admin/identity/roleassignment/add/",
        {"user": account.pk, "role": "bureau_reviewer", "region": "441900", "organisation": ""},
    )
    assert response.status_code == 302
    assert RoleAssignment.objects.filter(user=account, role="bureau_reviewer").exists()
    assert AuditEntry.objects.filter(action="grant", object_id=str(account.pk)).exists()


def test_a_bureau_role_without_region_is_refused_in_the_admin(admin_client: Client) -> None:
    account = User.objects.create_user("zhang.san", password="x" * 12)
    response = admin_client.post(
        "/admin/identity/roleassignment/add/",
        {"user": account.pk, "role": "bureau_reviewer", "region": "", "organisation": ""},
    )
    assert response.status_code == 200
    assert "必须指定管辖区域" in response.content.decode()
    assert not RoleAssignment.objects.filter(user=account).exists()


def test_revoking_a_role_in_the_admin_is_audited(admin_client: Client) -> None:
    officer = make_user(Role.AUDITOR, region="441900")
    assignment = RoleAssignment.objects.get(user=officer)
    admin_client.post(f"/admin/identity/roleassignment/{assignment.pk}/delete/", {"post": "yes"})
    assert not RoleAssignment.objects.filter(pk=assignment.pk).exists()
    assert AuditEntry.objects.filter(action="revoke", object_id=str(officer.pk)).exists()


def test_deactivating_an_account_is_audited(admin_client: Client) -> None:
    account = make_user(Role.WORKER, username="worker.a")
    response = admin_client.post(
        f"/admin/identity/user/{account.pk}/change/",
        {
            "username": "worker.a",
            "display_name": "",
            "person": account.person_id,
            "email": "",
            "roles-TOTAL_FORMS": "1",
            "roles-INITIAL_FORMS": "1",
            "roles-MIN_NUM_FORMS": "0",
            "roles-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    account.refresh_from_db()
    assert not account.is_active
    entry = AuditEntry.objects.get(object_type="user", action="update")
    assert (entry.before, entry.after) == ({"is_active": True}, {"is_active": False})


def test_the_audit_trail_is_read_only_in_the_admin(admin_client: Client, person: Person) -> None:
    entry = AuditEntry.objects.first()
    assert entry is not None
    assert admin_client.get("/admin/audit/auditentry/").status_code == 200
    assert admin_client.get("/admin/audit/auditentry/add/").status_code == 403
    assert admin_client.post(f"/admin/audit/auditentry/{entry.pk}/delete/").status_code == 403
    detail = admin_client.get(f"/admin/audit/auditentry/{entry.pk}/change/").content.decode()
    assert 'type="submit"' not in detail or "保存" not in detail
