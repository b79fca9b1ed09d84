"""The import page: upload → dry-run report (row, column, reason, masked value) → .xlsx download →
confirm, all or nothing unless the user chooses to skip the bad rows."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook

from jineng.identity.models import Person, Role
from jineng.web.tests.world import World, login, resident_id

pytestmark = pytest.mark.django_db

GOOD_1 = resident_id("44190019920202002")
GOOD_2 = resident_id("44190019930303003")
BAD = GOOD_2[:-1] + ("0" if GOOD_2[-1] != "0" else "1")  # wrong check digit


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


def people_csv() -> SimpleUploadedFile:
    rows = [
        "姓名,证件号码,常住地,学历",
        f"黎晓东,{GOOD_1},441900,大专",
        f"梁嘉欣,{GOOD_2},441900,本科",
        f"何錯誤,{BAD},441900,本科",
    ]
    data = ("\n".join(rows) + "\n").encode("utf-8-sig")
    return SimpleUploadedFile("people.csv", data, content_type="text/csv")


def upload(client: Client) -> str:
    resp = client.post("/imports/", {"kind": "people", "file": people_csv()})
    assert resp.status_code == 302, resp.content.decode()[:2000]
    return str(resp["Location"])


def test_dry_run_reports_every_bad_row_and_writes_nothing(world: World) -> None:
    client = login(Client(), world.a.users[Role.BUREAU_REVIEWER])
    before = Person.objects.count()
    report_url = upload(client)
    body = client.get(report_url).content.decode()
    assert Person.objects.count() == before
    assert 'data-testid="import-error"' in body
    assert "证件号码" in body and ">4<" in body  # row 4 (the header is row 1), the column
    assert BAD not in body  # the value is shown masked
    xlsx = client.get(report_url + "errors.xlsx")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(xlsx.content))["问题明细"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("行号", "列")
    assert [(r[0], r[1]) for r in rows[1:]] == [(4, "证件号码")]


def test_confirm_is_all_or_nothing_unless_bad_rows_are_skipped(world: World) -> None:
    client = login(Client(), world.a.users[Role.BUREAU_REVIEWER])
    before = Person.objects.count()
    report_url = upload(client)
    resp = client.post(report_url + "confirm/", follow=True)
    assert Person.objects.count() == before
    assert "未导入任何数据" in resp.content.decode()
    resp = client.post(report_url + "confirm/", {"skip_bad": "1"}, follow=True)
    assert resp.redirect_chain[-1][0] == "/imports/"
    assert Person.objects.count() == before + 2
    assert set(
        Person.objects.filter(name__in=["黎晓东", "梁嘉欣"]).values_list("name", flat=True)
    ) == {
        "黎晓东",
        "梁嘉欣",
    }
    assert client.get(report_url).status_code == 404  # the upload is gone once imported


def test_an_upload_belongs_to_its_session(world: World) -> None:
    owner = login(Client(), world.a.users[Role.BUREAU_REVIEWER])
    report_url = upload(owner)
    for other in (world.a.users[Role.BUREAU_APPROVER], world.b.users[Role.BUREAU_REVIEWER]):
        client = login(Client(), other)
        assert client.get(report_url).status_code == 404
        assert client.get(report_url + "errors.xlsx").status_code == 404
        assert client.post(report_url + "confirm/", {"skip_bad": "1"}).status_code == 404


@pytest.mark.parametrize("role", [Role.ORG_ADMIN, Role.ORG_HR])
def test_organisation_admins_and_hr_may_import_people_only(world: World, role: str) -> None:
    client = login(Client(), world.a.users[role])
    page = client.get("/imports/").content.decode()
    assert 'value="people"' in page and 'value="organisations"' not in page
    csv = SimpleUploadedFile("orgs.csv", "名称\n某公司\n".encode(), content_type="text/csv")
    resp = client.post("/imports/", {"kind": "organisations", "file": csv})
    assert resp.status_code == 200  # the form refuses the choice
    assert upload(client).startswith("/imports/")


def test_only_spreadsheets_are_accepted(world: World) -> None:
    client = login(Client(), world.a.users[Role.BUREAU_REVIEWER])
    pdf = SimpleUploadedFile("people.pdf", b"%PDF-1.4", content_type="application/pdf")
    resp = client.post("/imports/", {"kind": "people", "file": pdf})
    assert resp.status_code == 200
    assert "只接受 .xlsx 或 .csv 文件" in resp.content.decode()
