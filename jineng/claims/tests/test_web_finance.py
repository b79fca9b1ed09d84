"""Finance's pages: build a batch from 待拨付, export it (accounts in full only in the file,
masked on the page), mark it sent, import the bank's result, reconcile and close; the budget page
with its chart and export."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook

from jineng.claims.models import BatchStatus, ClaimStatus, PayoutBatch
from jineng.claims.tests.support import bare_claim, build_world, to_payable
from jineng.identity.models import Role, User
from jineng.identity.testing import make_user, otp_login

pytestmark = pytest.mark.django_db
ACCOUNT = "6222020200112233445"


def client_for(user: User) -> Client:
    client = Client()
    otp_login(client, user)
    return client


def test_finance_builds_exports_imports_and_closes_a_batch() -> None:
    world = build_world()
    claim = to_payable(world, bare_claim(world.gold))
    client = client_for(world.finance)
    page = client.get("/claims/batches/")
    assert page.status_code == 200 and "编制新批次" in page.content.decode()
    built = client.post(
        "/claims/batches/", {"region": "330502", "due_by": "2023-06-30", "title": "六月拨付"}
    )
    batch = PayoutBatch.objects.get(title="六月拨付")
    assert built.status_code == 302 and built["Location"] == f"/claims/batches/{batch.pk}/"
    text = client.get(f"/claims/batches/{batch.pk}/").content.decode()
    assert "沈一鸣" in text and ACCOUNT not in text and ACCOUNT[-4:] in text
    exported = client.post(f"/claims/batches/{batch.pk}/export/", {"format": "xlsx"})
    assert exported.status_code == 200
    sheet = load_workbook(io.BytesIO(exported.content)).active
    assert sheet is not None and sheet["C2"].value == ACCOUNT and sheet["E2"].value == "3000.00"
    csv_file = client.post(f"/claims/batches/{batch.pk}/export/", {"format": "csv"})
    assert ACCOUNT in csv_file.content.decode("utf-8-sig")
    client.post(f"/claims/batches/{batch.pk}/", {"action": "send"})
    batch.refresh_from_db()
    assert batch.status == BatchStatus.SENT
    line = batch.lines.get()
    upload = SimpleUploadedFile("结果.csv", f"明细编号,结果,说明\n{line.pk},成功,\n".encode())
    answer = client.post(f"/claims/batches/{batch.pk}/import/", {"file": upload}, follow=True)
    assert "到账 1 笔" in answer.content.decode()
    again = SimpleUploadedFile("结果.csv", f"明细编号,结果,说明\n{line.pk},成功,\n".encode())
    answer = client.post(f"/claims/batches/{batch.pk}/import/", {"file": again}, follow=True)
    assert "本次未作任何改动" in answer.content.decode()
    batch.refresh_from_db()
    claim.refresh_from_db()
    assert batch.status == BatchStatus.CLOSED and claim.status == ClaimStatus.PAID
    assert "已对平" in answer.content.decode()


def test_a_bad_result_row_is_reported_in_chinese_and_changes_nothing() -> None:
    world = build_world()
    to_payable(world, bare_claim(world.gold))
    client = client_for(world.finance)
    client.post("/claims/batches/", {"region": "330500", "due_by": "2023-06-30"})
    batch = PayoutBatch.objects.get()
    client.post(f"/claims/batches/{batch.pk}/", {"action": "send"})
    upload = SimpleUploadedFile("r.csv", "明细编号,结果\n1x,成功\n".encode())
    answer = client.post(f"/claims/batches/{batch.pk}/import/", {"file": upload}, follow=True)
    assert "第2行“明细编号”：应为数字" in answer.content.decode()
    assert batch.lines.get().status == "pending"


def test_the_reviewer_reads_batches_but_cannot_export_or_build() -> None:
    world = build_world()
    to_payable(world, bare_claim(world.gold))
    finance = client_for(world.finance)
    finance.post("/claims/batches/", {"region": "330500", "due_by": "2023-06-30"})
    batch = PayoutBatch.objects.get()
    reviewer = client_for(world.reviewer)
    assert "编制新批次" not in reviewer.get("/claims/batches/").content.decode()
    assert reviewer.post("/claims/batches/", {"region": "330500"}).status_code == 403
    answer = reviewer.post(f"/claims/batches/{batch.pk}/export/", {"format": "csv"}, follow=True)
    assert ACCOUNT not in answer.content.decode() and "无权导出" in answer.content.decode()
    other = make_user(Role.BUREAU_FINANCE, region="441900")
    assert client_for(other).get(f"/claims/batches/{batch.pk}/").status_code == 404


def test_the_budget_page_shows_committed_and_paid_with_a_chart_and_exports() -> None:
    world = build_world()
    to_payable(world, bare_claim(world.gold))
    client = client_for(world.approver)
    text = client.get("/claims/budget/").content.decode()
    assert "测试事项" in text and "¥3,000.00" in text and "<svg" in text and "<script" not in text
    assert "个人" in text
    exported = client.get("/claims/budget/export/")
    book = load_workbook(io.BytesIO(exported.content))
    assert book.sheetnames == ["按事项和年度", "按镇街", "按受益类别"]
    rows = list(book["按事项和年度"].iter_rows(values_only=True))
    assert rows[1][:4] == ("测试事项", 2023, "3000.00", "0.00")
