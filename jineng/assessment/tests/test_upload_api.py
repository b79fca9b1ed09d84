"""Uploading items through the API: the page's importer, all or nothing, every bad row named in
Chinese by row and column; out of scope is 404, an outsider's upload changes nothing."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from jineng.api.services import api_token_issue
from jineng.assessment.models import Item, ItemStatus
from jineng.assessment.tests.support import World, make_world
from jineng.assessment.tests.test_import import GOOD, _xlsx
from jineng.audit.models import AuditEntry
from jineng.core.xlsx import CellValue
from jineng.identity.models import Role, User
from jineng.identity.testing import make_organisation, make_user
from jineng.organisations.models import OrgKind

pytestmark = pytest.mark.django_db
A = "/api/v1/assessment/manage"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def world() -> World:
    return make_world()


def _client(user: User) -> Client:
    _, raw = api_token_issue(user=user)
    return Client(headers={"authorization": f"Bearer {raw}"})


def _upload(client: Client, bank_id: int, data: bytes, **form: str) -> object:
    return client.post(
        f"{A}/banks/{bank_id}/items/import",
        {"file": SimpleUploadedFile("试题.xlsx", data, content_type=XLSX), **form},
    )


def test_a_good_file_writes_every_item_as_a_draft(world: World) -> None:
    response = _upload(_client(world.admin), world.bank.pk, _xlsx(GOOD))
    assert response.status_code == 200, response.content  # type: ignore[attr-defined]
    assert response.json() == {  # type: ignore[attr-defined]
        "total_rows": 6,
        "written": 6,
        "dry_run": False,
        "warnings": [],
    }
    items = Item.objects.filter(bank=world.bank)
    assert items.count() == 6 and {i.status for i in items} == {ItemStatus.DRAFT}
    assert AuditEntry.objects.filter(object_type="question_bank", action="import").count() == 1


def test_a_dry_run_checks_and_writes_nothing(world: World) -> None:
    response = _upload(_client(world.admin), world.bank.pk, _xlsx(GOOD), dry_run="true")
    assert response.json()["written"] == 0 and response.json()["dry_run"] is True  # type: ignore[attr-defined]
    assert not Item.objects.exists()


def test_a_bad_row_refuses_the_file_listing_row_and_column(world: World) -> None:
    rows: list[list[CellValue]] = [
        *GOOD,
        ["1", "单选", "中等", "答案越界", "甲", "乙", "", "D", "", ""],  # row 8
        ["1", "问答", "中等", "题型不对", "", "", "", "", "", ""],  # row 9
    ]
    client = _client(world.admin)
    before = AuditEntry.objects.count()
    response = _upload(client, world.bank.pk, _xlsx(rows))
    assert response.status_code == 400  # type: ignore[attr-defined]
    body = response.json()  # type: ignore[attr-defined]
    assert body["errors"] == [
        {"field": "答案", "message": "第8行 答案（D）：答案应为选项字母（A至B）"},
        {
            "field": "题型",
            "message": "第9行 题型（问答）：题型应为单选、多选、判断、填空、简答或操作",
        },
    ]
    assert body["detail"].startswith("未导入任何试题") and body["field"] == "答案"
    assert not Item.objects.exists() and AuditEntry.objects.count() == before


def test_an_unreadable_file_is_a_file_error(world: World) -> None:
    response = _upload(_client(world.admin), world.bank.pk, b"not a spreadsheet")
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert response.json()["field"] == "file"  # type: ignore[attr-defined]
    assert not Item.objects.exists()


def test_another_organisations_bank_is_404_and_a_reader_is_403(world: World) -> None:
    stranger = make_user(
        Role.ORG_ADMIN, organisation=make_organisation(kind=OrgKind.EVALUATION_ORG)
    )
    assert _upload(_client(stranger), world.bank.pk, _xlsx(GOOD)).status_code == 404  # type: ignore[attr-defined]
    assert _upload(_client(world.admin), 999_999, _xlsx(GOOD)).status_code == 404  # type: ignore[attr-defined]
    reader = make_user(Role.AUDITOR, region="441900")
    response = _upload(_client(reader), world.bank.pk, _xlsx(GOOD))
    assert response.status_code in (403, 404)  # type: ignore[attr-defined]
    assert not Item.objects.exists()
