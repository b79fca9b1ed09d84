"""The voucher and training-record pages through Django's test client: what the bureau, the
institution and the worker submit lands through the services, refusals are shown in Chinese and
change nothing, files come back as files."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from openpyxl import Workbook

from jineng.audit.models import AuditEntry
from jineng.identity.models import Role, User
from jineng.identity.testing import make_organisation, make_person, make_user, otp_login
from jineng.learning.models import TrainingVoucher, VoucherBatch
from jineng.learning.tests.conftest import person_of
from jineng.learning.tests.training_helpers import (
    batch_for,
    class_record,
    designated_school,
    make_unemployed,
)

pytestmark = pytest.mark.django_db


def _client(user: User) -> Client:
    client = Client()
    otp_login(client, user)
    return client


def test_bureau_issues_by_rule_and_sees_the_redemption_rate() -> None:
    make_unemployed(make_person(name="失业者甲"), make_organisation(kind="enterprise"))
    officer = _client(make_user(Role.BUREAU_APPROVER, region="441900"))
    answer = officer.post(
        "/learning/vouchers/batches/issue/",
        {
            "rule-name": "春季培训券",
            "rule-region": "441900",
            "rule-value_yuan": "800.50",
            "rule-occupations": "车工",
            "rule-validity_days": "60",
        },
    )
    batch = VoucherBatch.objects.get()
    assert answer.status_code == 302 and answer["Location"].endswith(f"/batches/{batch.pk}/")
    assert batch.value_fen == 80_050 and (batch.valid_until - batch.valid_from).days == 59
    page = officer.get(f"/learning/vouchers/batches/{batch.pk}/").content.decode()
    assert "失业者甲" in page and "0.0%" in page
    listing = officer.get("/learning/vouchers/batches/").content.decode()
    assert "春季培训券" in listing and "800.50" in listing


def test_a_roster_with_a_bad_row_shows_every_error_and_issues_nothing() -> None:
    known = make_person(name="名单甲")
    wb = Workbook()
    wb.active.append(["姓名", "证件号码"])
    wb.active.append([known.name, known.id_number])
    wb.active.append(["查无此人", "110101199003077777"])
    data = io.BytesIO()
    wb.save(data)
    data.seek(0)
    data.name = "名单.xlsx"
    officer = _client(make_user(Role.BUREAU_REVIEWER, region="441900"))
    answer = officer.post(
        "/learning/vouchers/batches/import/",
        {
            "roster-name": "名单批次",
            "roster-region": "441900",
            "roster-value_yuan": "500",
            "roster-validity_days": "90",
            "roster-roster": data,
        },
    )
    text = answer.content.decode()
    assert answer.status_code == 200
    assert "第3行 证件号码" in text and "本地区未登记该人员" in text
    assert "110101199003077777" not in text
    assert not VoucherBatch.objects.exists()


def test_cancel_on_the_batch_page_needs_a_reason_and_is_audited() -> None:
    person = make_unemployed(make_person(), make_organisation(kind="enterprise"))
    batch_for()
    voucher = TrainingVoucher.objects.get(person=person)
    officer = _client(make_user(Role.BUREAU_REVIEWER, region="441900"))
    officer.post(f"/learning/vouchers/{voucher.pk}/cancel/", {"reason": ""})
    voucher.refresh_from_db()
    assert voucher.status == "issued"
    auditor = _client(make_user(Role.AUDITOR, region="441900"))
    auditor.post(f"/learning/vouchers/{voucher.pk}/cancel/", {"reason": "审计员试图作废"})
    voucher.refresh_from_db()
    assert voucher.status == "issued"
    officer.post(f"/learning/vouchers/{voucher.pk}/cancel/", {"reason": "本人放弃"})
    voucher.refresh_from_db()
    assert voucher.status == "cancelled"
    assert AuditEntry.objects.get(action="voucher_cancel").reason == "本人放弃"


def test_a_voucher_of_another_region_is_not_found_at_the_desk() -> None:
    far = make_unemployed(
        make_person(name="湖州持券人", residence_region="330502"),
        make_organisation(kind="enterprise"),
    )
    batch_for("330500")
    voucher = TrainingVoucher.objects.get(person=far)
    from jineng.learning.services import voucher_claim

    voucher_claim(actor=None, voucher=voucher)
    school = designated_school()
    desk = _client(make_user(Role.TEACHER, organisation=school))
    answer = desk.get(f"/learning/vouchers/verify/?code={voucher.code}")
    assert "湖州持券人" not in answer.content.decode()
    assert "未找到可核验的培训券" in answer.content.decode()
    posted = desk.post("/learning/vouchers/verify/", {"code": voucher.code})
    assert posted.status_code == 404
    voucher.refresh_from_db()
    assert voucher.status == "claimed"


def test_files_pdf_and_ledger_export() -> None:
    school = designated_school()
    worker = make_user(Role.WORKER)
    class_record(person_of(worker), school)
    pdf = _client(worker).get("/learning/training-record/pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    officer = _client(make_user(Role.BUREAU_FINANCE, region="441900"))
    export = officer.get("/learning/ledger/export.xlsx")
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    assert export.content[:2] == b"PK"
    assert AuditEntry.objects.filter(action="training_record_export").count() == 1
    page = officer.get("/learning/ledger/").content.decode()
    assert person_of(worker).name in page
