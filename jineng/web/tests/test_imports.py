"""The import page: upload → background job (dry run, with progress) → report (row, column,
reason, masked value) → .xlsx download → confirm (a second job), all or nothing unless the user
skips the bad rows.

The jobs' Celery tasks run in-process when the request's transaction commits, as the eager
configuration does without REDIS_URL; tests run them with `django_capture_on_commit_callbacks`."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook

from jineng.identity.models import Person, Role
from jineng.imports.models import ImportJob
from jineng.web.tests.world import World, login, resident_id

pytestmark = pytest.mark.django_db

GOOD_1 = resident_id("44190019920202002")
GOOD_2 = resident_id("44190019930303003")
BAD = GOOD_2[:-1] + ("0" if GOOD_2[-1] != "0" else "1")  # wrong check digit

Send = Callable[[Callable[[], Any]], Any]


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def send(django_capture_on_commit_callbacks: Any) -> Send:
    """Make a request and run the jobs it queued (their on-commit callbacks)."""

    def run(call: Callable[[], Any]) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return call()

    return run


def people_csv() -> SimpleUploadedFile:
    rows = [
        "姓名,证件号码,常住地,学历",
        f"黎晓东,{GOOD_1},441900,大专",
        f"梁嘉欣,{GOOD_2},441900,本科",
        f"何錯誤,{BAD},441900,本科",
    ]
    data = ("\n".join(rows) + "\n").encode("utf-8-sig")
    return SimpleUploadedFile("people.csv", data, content_type="text/csv")


def upload(client: Client, send: Send) -> str:
    resp = send(lambda: client.post("/imports/", {"kind": "people", "file": people_csv()}))
    assert resp.status_code == 302, resp.content.decode()[:2000]
    return str(resp["Location"])


def test_dry_run_reports_every_bad_row_and_writes_nothing(world: World, send: Send) -> None:
    client = login(Client(), world.a.users[Role.BUREAU_REVIEWER])
    before = Person.objects.count()
    report_url = upload(client, send)
    body = client.get(report_url).content.decode()
    assert Person.objects.count() == before
    assert 'data-status="done"' in body and 'data-outcome="dry_run"' in body
    assert "共 3 行，其中有错误 1 行" in body
    assert 'data-testid="import-error"' in body
    assert "证件号码" in body and ">4<" in body  # row 4 (the header is row 1), the column
    assert BAD not in body  # the value is shown masked
    assert 'http-equiv="refresh"' not in body  # finished: no more refreshing
    xlsx = client.get(report_url + "errors.xlsx")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(xlsx.content))["问题明细"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("行号", "列")
    assert [(r[0], r[1]) for r in rows[1:]] == [(4, "证件号码")]


def test_a_queued_job_shows_progress_and_refreshes_itself(world: World) -> None:
    client = login(Client(), world.a.users[Role.BUREAU_REVIEWER])
    # without running the on-commit callback, the job stays queued
    resp = client.post("/imports/", {"kind": "people", "file": people_csv()})
    job = ImportJob.objects.get()
    assert resp["Location"] == f"/imports/{job.pk}/"
    ImportJob.objects.filter(pk=job.pk).update(status="running", rows_total=3, rows_checked=2)
    body = client.get(resp["Location"]).content.decode()
    assert 'http-equiv="refresh"' in body and 'data-running="true"' in body
    assert "已校验 2 / 3 行" in body
    assert 'data-testid="import-confirm"' not in body
    assert client.post(resp["Location"] + "confirm/").status_code == 302
    job.refresh_from_db()
    assert job.status == "running" and job.dry_run  # a running job cannot be confirmed


def test_confirm_is_all_or_nothing_unless_bad_rows_are_skipped(world: World, send: Send) -> None:
    client = login(Client(), world.a.users[Role.BUREAU_REVIEWER])
    before = Person.objects.count()
    report_url = upload(client, send)
    resp = send(lambda: client.post(report_url + "confirm/"))
    assert resp["Location"] == report_url
    assert Person.objects.count() == before
    body = client.get(report_url).content.decode()
    assert "未导入任何数据" in body and 'data-outcome="refused"' in body
    assert 'data-testid="import-confirm"' in body  # may still choose to skip the bad rows
    send(lambda: client.post(report_url + "confirm/", {"skip_bad": "1"}))
    body = client.get(report_url).content.decode()
    assert 'data-outcome="imported"' in body and "已导入 2 行" in body
    assert Person.objects.count() == before + 2
    assert set(
        Person.objects.filter(name__in=["黎晓东", "梁嘉欣"]).values_list("name", flat=True)
    ) == {"黎晓东", "梁嘉欣"}
    job = ImportJob.objects.get()
    assert job.imported and not job.file  # the uploaded file is not kept once imported
    assert 'data-testid="import-confirm"' not in body
    send(lambda: client.post(report_url + "confirm/", {"skip_bad": "1"}))
    assert Person.objects.count() == before + 2  # confirming again does nothing
    assert "people.csv" in client.get("/imports/").content.decode()  # listed among my jobs


def test_a_job_belongs_to_its_uploader(world: World, send: Send) -> None:
    owner = login(Client(), world.a.users[Role.BUREAU_REVIEWER])
    report_url = upload(owner, send)
    for other in (world.a.users[Role.BUREAU_APPROVER], world.b.users[Role.BUREAU_REVIEWER]):
        client = login(Client(), other)
        assert client.get(report_url).status_code == 404
        assert client.get(report_url + "errors.xlsx").status_code == 404
        assert client.post(report_url + "confirm/", {"skip_bad": "1"}).status_code == 404
        assert "people.csv" not in client.get("/imports/").content.decode()
    # the same account in another session (e.g. on a phone) sees it
    again = login(Client(), world.a.users[Role.BUREAU_REVIEWER])
    assert again.get(report_url).status_code == 200


@pytest.mark.parametrize("role", [Role.ORG_ADMIN, Role.ORG_HR])
def test_organisation_admins_and_hr_may_import_people_only(
    world: World, role: str, send: Send
) -> None:
    client = login(Client(), world.a.users[role])
    page = client.get("/imports/").content.decode()
    assert 'value="people"' in page and 'value="organisations"' not in page
    csv = SimpleUploadedFile("orgs.csv", "名称\n某公司\n".encode(), content_type="text/csv")
    resp = client.post("/imports/", {"kind": "organisations", "file": csv})
    assert resp.status_code == 200  # the form refuses the choice
    assert upload(client, send).startswith("/imports/")


def test_only_spreadsheets_are_accepted(world: World) -> None:
    client = login(Client(), world.a.users[Role.BUREAU_REVIEWER])
    pdf = SimpleUploadedFile("people.pdf", b"%PDF-1.4", content_type="application/pdf")
    resp = client.post("/imports/", {"kind": "people", "file": pdf})
    assert resp.status_code == 200
    assert "只接受 .xlsx 或 .csv 文件" in resp.content.decode()
    assert not ImportJob.objects.exists()


def test_the_job_page_speaks_english_too(world: World, send: Send) -> None:
    client = login(Client(), world.a.users[Role.BUREAU_REVIEWER])
    report_url = upload(client, send)
    client.post("/i18n/setlang/", {"language": "en", "next": "/imports/"})
    body = client.get(report_url).content.decode()
    assert "Dry-run report" in body and "3 rows, 1 with errors, 0 warnings." in body
    assert "Dry run: 2 rows can be imported; nothing was written." in body
    assert "My imports" in client.get("/imports/").content.decode()
