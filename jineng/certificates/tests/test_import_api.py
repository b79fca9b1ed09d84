"""Uploading historical certificates through the API: all rows or none, every bad row listed in
Chinese by row and column, the bureau in region only, a keeper out of scope is 404."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from jineng.api.services import api_token_issue
from jineng.audit.models import AuditEntry
from jineng.certificates.models import Certificate
from jineng.certificates.tests.conftest import TURNER
from jineng.certificates.tests.test_imports import LEGACY, SOURCE, _csv
from jineng.identity.models import Person, Role, User
from jineng.identity.testing import make_user
from jineng.organisations.models import Organisation

pytestmark = pytest.mark.django_db
URL = "/api/v1/certificates/imports"


def _client(user: User) -> Client:
    _, raw = api_token_issue(user=user)
    return Client(headers={"authorization": f"Bearer {raw}"})


def _post(client: Client, keeper: int, data: bytes) -> object:
    upload = SimpleUploadedFile("历史证书.csv", data, content_type="text/csv")
    return client.post(URL, {"file": upload, "keeper": keeper, "source": SOURCE})


def test_a_good_file_imports_every_row(evaluation_org: Organisation, holder: Person) -> None:
    client = _client(make_user(Role.BUREAU_REVIEWER, region="441900"))
    data = _csv(f"{LEGACY},邓志明,{holder.id_number},{TURNER},四级/中级工,东莞市劳动局,2012-06-30")
    response = _post(client, evaluation_org.pk, data)
    assert response.status_code == 200, response.content  # type: ignore[attr-defined]
    body = response.json()  # type: ignore[attr-defined]
    assert body["imported"] == 1
    assert body["certificates"][0]["number"] == LEGACY
    assert body["certificates"][0]["level"] == "中级工（四级）"
    assert Certificate.objects.get(number=LEGACY).source == SOURCE
    assert AuditEntry.objects.filter(action="certificate_import").count() == 1


def test_a_bad_row_refuses_the_file_listing_each_row_and_field(
    evaluation_org: Organisation, holder: Person
) -> None:
    client = _client(make_user(Role.BUREAU_REVIEWER, region="441900"))
    data = _csv(
        f"{LEGACY},邓志明,{holder.id_number},{TURNER},四级,东莞市劳动局,2012-06-30",
        f"1419000000654321,邓志强,{holder.id_number},{TURNER},九级,东莞市劳动局,2012-06-30",
    )
    before = AuditEntry.objects.count()
    response = _post(client, evaluation_org.pk, data)
    assert response.status_code == 400  # type: ignore[attr-defined]
    body = response.json()  # type: ignore[attr-defined]
    assert body["detail"].startswith("未导入任何记录")
    assert [e["field"] for e in body["errors"]] == ["姓名", "等级"]
    assert body["errors"][0]["message"] == "第3行“姓名”：姓名与该证件号码登记的姓名不一致"
    assert body["errors"][1]["message"].startswith("第3行“等级”：等级“九级”无法识别")
    assert not Certificate.objects.exists()  # the good row was not written either
    assert AuditEntry.objects.count() == before


def test_the_bureau_elsewhere_and_an_organisation_may_not(
    evaluation_org: Organisation, holder: Person
) -> None:
    data = _csv(f"{LEGACY},邓志明,{holder.id_number},{TURNER},四级,东莞市劳动局,2012-06-30")
    elsewhere = _post(
        _client(make_user(Role.BUREAU_REVIEWER, region="330500")), evaluation_org.pk, data
    )
    assert elsewhere.status_code == 404  # type: ignore[attr-defined]
    own = _post(
        _client(make_user(Role.ORG_ADMIN, organisation=evaluation_org)), evaluation_org.pk, data
    )
    assert own.status_code == 403  # type: ignore[attr-defined]
    assert not Certificate.objects.exists()
