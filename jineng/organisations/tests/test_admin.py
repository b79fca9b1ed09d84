"""The back office for organisations and teachers: through the services, held codes filterable."""

import pytest
from django.test import Client

from jineng.audit.models import AuditEntry
from jineng.identity.models import Role
from jineng.identity.testing import make_organisation, make_person, make_user, otp_login
from jineng.organisations.models import Organisation, OrgKind, Teacher

pytestmark = pytest.mark.django_db

ORGS = "/admin/organisations/organisation/"


@pytest.fixture
def admin_client(client: Client) -> Client:
    otp_login(client, make_user(Role.SYSADMIN))
    return client


def _form(**overrides: str) -> dict[str, str]:
    return {
        "kind": "enterprise",
        "name": "东莞精密制造有限公司",
        "uscc": "",
        "region": "441900",
        "ownership": "",
        "designated_from": "",
        "designated_to": "",
        "self_evaluation_filed_on": "",
        **overrides,
    }


def test_a_failing_code_added_in_the_admin_is_held_not_rejected(admin_client: Client) -> None:
    response = admin_client.post(f"{ORGS}add/", _form(uscc="91350100M000100Y44"))
    assert response.status_code == 302
    org = Organisation.objects.get(name="东莞精密制造有限公司")
    assert (org.uscc_status, org.uscc_review_reason) == (
        "held",
        "统一社会信用代码校验位错误（应为3）",
    )
    assert AuditEntry.objects.filter(object_type="organisation", action="create").exists()


def test_the_held_filter_lists_only_codes_awaiting_review(admin_client: Client) -> None:
    make_organisation(kind=OrgKind.ENTERPRISE, name="待核验厂", uscc="91350100M000100Y44")
    make_organisation(kind=OrgKind.ENTERPRISE, name="正常厂", uscc="91350100M000100Y43")
    body = admin_client.get(ORGS, {"uscc_review": "held"}).content.decode()
    assert "待核验厂" in body
    assert "正常厂" not in body
    assert "代码核验" in body


def test_a_duplicate_valid_code_is_shown_beside_the_field(admin_client: Client) -> None:
    make_organisation(kind=OrgKind.ENTERPRISE, name="甲厂", uscc="91350100M000100Y43")
    response = admin_client.post(f"{ORGS}add/", _form(uscc="91350100M000100Y43"))
    assert response.status_code == 200
    assert "已被“甲厂”使用" in response.content.decode()
    assert Organisation.objects.count() == 1


def test_attaching_a_teacher_in_the_admin_is_audited(admin_client: Client) -> None:
    school = make_organisation()
    person = make_person()
    response = admin_client.post(
        "/admin/organisations/teacher/add/",
        {
            "person": person.pk,
            "organisation": school.pk,
            "kind": "part",
            "subject": "电工",
            "start": "",
            "end": "",
        },
    )
    assert response.status_code == 302
    assert Teacher.objects.filter(person=person, organisation=school).exists()
    assert AuditEntry.objects.filter(object_type="teacher", action="create").exists()


def test_the_organisation_list_is_in_chinese(admin_client: Client) -> None:
    make_organisation(name="培训学校")
    body = admin_client.get(ORGS).content.decode()
    assert "统一社会信用代码" in body
    assert "机构类型" in body
