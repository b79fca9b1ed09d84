"""The import page for an organisation admin: the template and the accepted columns, update mode
(each change shown masked before it is written, written on confirm, audited), one answer for
numbers outside the scope, a damaged file that is never "待确认", cancel and expiry, and the error
report named after the upload."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook

from jineng.audit.models import AuditEntry
from jineng.identity.models import Person, Role
from jineng.imports import jobs
from jineng.imports.models import ImportJob
from jineng.imports.people import COLUMNS, UNAVAILABLE_MESSAGE
from jineng.web.tests.world import World, login, resident_id

pytestmark = pytest.mark.django_db

Send = Callable[[Callable[[], Any]], Any]


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def send(django_capture_on_commit_callbacks: Any) -> Send:
    def run(call: Callable[[], Any]) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return call()

    return run


def csv_file(name: str, lines: list[str]) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, ("\n".join(lines) + "\n").encode("utf-8-sig"))


def post(client: Client, send: Send, upload: SimpleUploadedFile, **extra: str) -> str:
    resp = send(lambda: client.post("/imports/", {"kind": "people", "file": upload, **extra}))
    assert resp.status_code == 302, resp.content.decode()[:2000]
    return str(resp["Location"])


def test_the_page_offers_the_template_and_lists_the_accepted_columns(world: World) -> None:
    client = login(Client(), world.a.users[Role.ORG_ADMIN])
    body = client.get("/imports/").content.decode()
    assert body.count('data-testid="import-column"') == len(COLUMNS)
    assert all(f">{c.header}<" in body for c in COLUMNS)
    assert 'href="/imports/template/people.xlsx"' in body
    assert "/imports/template/organisations.xlsx" not in body  # not theirs to import
    resp = client.get("/imports/template/people.xlsx")
    assert resp.status_code == 200
    assert f"filename*=UTF-8''{quote('人员导入模板.xlsx')}" in resp["Content-Disposition"]
    book = load_workbook(io.BytesIO(resp.content))
    assert [c.value for c in book.worksheets[0][1]] == [c.header for c in COLUMNS]
    assert book.sheetnames == ["导入数据", "填写说明"]
    assert client.get("/imports/template/organisations.xlsx").status_code == 404
    assert client.get("/imports/template/nonsense.xlsx").status_code == 404


def test_update_mode_shows_each_change_and_writes_it_only_on_confirm(
    world: World, send: Send
) -> None:
    # given an organisation admin and one of their employees
    side = world.a
    admin = side.users[Role.ORG_ADMIN]
    client = login(Client(), admin)
    upload = csv_file(
        "更新名单.csv",
        ["姓名,证件号码,手机号码,学历", f"{side.person.name},{side.id_number},13700137000,本科"],
    )

    # when they upload a changed row in update mode
    report_url = post(client, send, upload, update_existing="on")
    body = client.get(report_url).content.decode()

    # then the page lists each change, old → new, the phone masked; nothing is written yet
    assert body.count('data-testid="import-change"') == 2
    assert "手机号码" in body and "138****8001" in body and "137****7000" in body
    assert "高中/中专/技校" in body and "本科" in body
    assert "13700137000" not in body and side.id_number not in body
    person = Person.objects.get(pk=side.person.pk)
    assert person.phone == side.phone and person.education == "senior"

    # when they confirm, the change is written (audited as their update) and shown as written
    send(lambda: client.post(report_url + "confirm/"))
    body = client.get(report_url).content.decode()
    assert 'data-outcome="imported"' in body and "其中更新已有人员 1 人" in body
    person.refresh_from_db()
    assert (person.phone, person.education) == ("13700137000", "bachelor")
    entry = AuditEntry.objects.filter(
        action="update", object_type="person", object_id=str(person.pk)
    ).get()
    assert entry.actor == admin and entry.after == {"education": "bachelor", "phone": "137****7000"}


def test_a_number_of_another_organisations_worker_gets_the_one_answer(
    world: World, send: Send
) -> None:
    client = login(Client(), world.a.users[Role.ORG_ADMIN])
    other = world.b
    report_url = post(
        client,
        send,
        csv_file("名单.csv", ["姓名,证件号码,单位", f"某人,{other.id_number},{world.a.org.name}"]),
        update_existing="on",
    )
    body = client.get(report_url).content.decode()
    assert UNAVAILABLE_MESSAGE in body
    for secret in (other.person.name, other.org.name, "系统中已有", other.id_number):
        assert secret not in body
    assert AuditEntry.objects.filter(
        action="import_refused", object_id=str(other.person.pk), actor=world.a.users[Role.ORG_ADMIN]
    ).exists()


def test_a_damaged_file_gets_a_chinese_message_and_is_not_awaiting_confirmation(
    world: World, send: Send
) -> None:
    client = login(Client(), world.a.users[Role.ORG_ADMIN])
    damaged = SimpleUploadedFile("名单.xlsx", b"PK\x03\x04\x14\x00 cut short")
    report_url = post(client, send, damaged)
    body = client.get(report_url).content.decode()
    assert "文件无法读取：文件已损坏" in body
    assert "BadZipFile" not in body and "File is not a zip file" not in body
    assert 'data-testid="import-confirm"' not in body
    listing = client.get("/imports/").content.decode()
    assert 'data-state="unreadable"' in listing and "文件无法读取" in listing
    assert "待确认" not in listing


def test_the_error_report_is_named_after_the_upload(world: World, send: Send) -> None:
    client = login(Client(), world.a.users[Role.BUREAU_REVIEWER])
    report_url = post(client, send, csv_file("三月新员工.csv", ["姓名,证件号码", "某人,123"]))
    resp = client.get(report_url + "errors.xlsx")
    disposition = resp["Content-Disposition"]
    assert f"filename*=UTF-8''{quote('三月新员工-错误报告.xlsx')}" in disposition
    assert disposition.startswith('attachment; filename="')


def test_cancel_deletes_the_upload_and_expiry_says_upload_again(world: World, send: Send) -> None:
    client = login(Client(), world.a.users[Role.ORG_ADMIN])
    row = f"新人,{resident_id('44190019950505005')},{world.a.org.name}"
    first = post(client, send, csv_file("a.csv", ["姓名,证件号码,单位", row]))
    job = ImportJob.objects.get(pk=first.strip("/").split("/")[-1])
    assert job.file and 'data-testid="import-cancel"' in client.get(first).content.decode()
    client.post(first + "cancel/")
    job.refresh_from_db()
    assert not job.file
    body = client.get(first).content.decode()
    assert "已取消导入" in body and 'data-testid="import-confirm"' not in body

    second = post(client, send, csv_file("b.csv", ["姓名,证件号码,单位", row]))
    job = ImportJob.objects.get(pk=second.strip("/").split("/")[-1])
    jobs.import_uploads_purge(now=job.created_at + timedelta(hours=25))
    body = client.get(second).content.decode()
    assert "已过期，请重新上传" in body and 'data-testid="import-confirm"' not in body
    assert "已过期，请重新上传" in client.get("/imports/").content.decode()
