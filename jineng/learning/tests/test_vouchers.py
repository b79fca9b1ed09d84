"""Training vouchers (issue 8 §7): issue by rule and by roster, claim by the holder only, verify
at a designated institution on a date within both validities and the occupation scope, redeem by
the holder's completed training once, expire, cancel — every move audited."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.db import IntegrityError, transaction
from django.test import override_settings
from django.utils import timezone
from openpyxl import Workbook

from jineng.audit.models import AuditEntry
from jineng.core.errors import DomainError
from jineng.core.states import TransitionRefused
from jineng.dossier.models import Fact
from jineng.identity.models import Role
from jineng.identity.testing import make_organisation, make_person, make_user
from jineng.learning.models import TrainingVoucher, VoucherBatch
from jineng.learning.selectors_vouchers import batch_stats
from jineng.learning.services import (
    VoucherImportRefused,
    VoucherInvalid,
    VoucherRefused,
    voucher_batch_import,
    voucher_batch_issue_by_rule,
    voucher_cancel,
    voucher_claim,
    voucher_redeem,
    voucher_verify,
    vouchers_expire,
)
from jineng.learning.tests.conftest import person_of
from jineng.learning.tests.training_helpers import (
    OCCUPATION,
    batch_for,
    class_record,
    designated_school,
    make_unemployed,
    verified_voucher,
)

pytestmark = pytest.mark.django_db


def test_rule_issues_to_insured_unemployed_people_of_the_region_only() -> None:
    employer = make_organisation(kind="enterprise", region="441900")
    unemployed = make_unemployed(make_person(name="失业甲"), employer)
    make_person(name="未参保乙")  # no job history, not insured
    employed = make_person(name="在职丙", insured=True, insured_since=dt.date(2020, 1, 1))
    from jineng.identity.services import employment_record

    employment_record(actor=None, person=employed, employer=employer, start=dt.date(2020, 1, 1))
    elsewhere = make_unemployed(make_person(name="湖州丁", residence_region="330502"), employer)
    batch = batch_for("441900")
    holders = set(TrainingVoucher.objects.filter(batch=batch).values_list("person_id", flat=True))
    assert holders == {unemployed.pk}
    assert elsewhere.pk not in holders
    voucher = TrainingVoucher.objects.get(batch=batch)
    assert voucher.value_fen == 80_000 and voucher.status == "issued" and len(voucher.code) == 12
    assert (voucher.valid_until - voucher.valid_from).days == 89  # 90 days, first day included
    assert AuditEntry.objects.filter(action="voucher_batch_issue", object_id=str(batch.pk)).exists()
    # the rule skips whoever already holds an active voucher
    second = batch_for("441900")
    assert not TrainingVoucher.objects.filter(batch=second).exists()


def test_one_active_voucher_per_person_is_a_database_constraint() -> None:
    employer = make_organisation(kind="enterprise")
    person = make_unemployed(make_person(), employer)
    batch = batch_for()
    voucher = TrainingVoucher.objects.get(person=person)
    with pytest.raises(IntegrityError), transaction.atomic():
        TrainingVoucher.objects.create(
            batch=batch, person=person, code="X" * 12, value_fen=1,
            valid_from=voucher.valid_from, valid_until=voucher.valid_until,
        )  # fmt: skip
    voucher_cancel(actor=None, voucher=voucher, reason="重复发放")
    batch_for()  # cancelled: a new one may be issued
    assert TrainingVoucher.objects.filter(person=person, status="issued").count() == 1


@override_settings(LEARNING_VOUCHER_VALIDITY_DAYS=90)
def test_validity_and_value_are_checked() -> None:
    with pytest.raises(VoucherInvalid) as refused:
        voucher_batch_issue_by_rule(
            actor=None, region="441900", name="券", value_fen=100, validity_days=91
        )
    assert refused.value.field == "validity_days" and "90" in refused.value.message
    with pytest.raises(VoucherInvalid) as refused:
        voucher_batch_issue_by_rule(actor=None, region="441900", name="券", value_fen=0)
    assert refused.value.field == "value_fen"
    assert not VoucherBatch.objects.exists()


def test_only_a_bureau_officer_of_the_region_issues() -> None:
    for actor in (
        make_user(Role.BUREAU_REVIEWER, region="330500"),
        make_user(Role.AUDITOR),
        make_user(Role.ORG_ADMIN),
        make_user(Role.WORKER),
    ):
        with pytest.raises(DomainError) as refused:
            voucher_batch_issue_by_rule(actor=actor, region="441900", name="券", value_fen=100)
        assert refused.value.status == 403
    assert not VoucherBatch.objects.exists()
    officer = make_user(Role.BUREAU_APPROVER, region="441900")
    voucher_batch_issue_by_rule(actor=officer, region="441900", name="券", value_fen=100)
    assert VoucherBatch.objects.count() == 1


def _roster(rows: list[tuple[str, str]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(["姓名", "证件号码"])
    for row in rows:
        ws.append(list(row))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_roster_import_is_all_or_nothing_with_row_errors_in_chinese() -> None:
    a = make_person(name="名单甲")
    b = make_person(name="名单乙")
    far = make_person(name="湖州丙", residence_region="330502")
    bad = _roster(
        [
            (a.name, a.id_number),
            ("错的名字", b.id_number),
            (far.name, far.id_number),
            (a.name, a.id_number),
        ]
    )
    with pytest.raises(VoucherImportRefused) as refused:
        voucher_batch_import(
            actor=None, region="441900", name="名单批次", value_fen=50_000, file=bad,
            filename="名单.xlsx",
        )  # fmt: skip
    issues = [str(i) for i in refused.value.issues]
    assert any(i.startswith("第3行 姓名") and "姓名与证件号码不符" in i for i in issues)
    assert any(i.startswith("第4行 证件号码") and "本地区未登记该人员" in i for i in issues)
    assert any(i.startswith("第5行 证件号码") and "与第2行重复" in i for i in issues)
    assert far.id_number not in refused.value.message  # masked
    assert not VoucherBatch.objects.exists() and not TrainingVoucher.objects.exists()
    good = _roster([(a.name, a.id_number), (b.name, b.id_number)])
    batch = voucher_batch_import(
        actor=None, region="441900", name="名单批次", value_fen=50_000, file=good,
        filename="名单.xlsx",
    )  # fmt: skip
    assert set(batch.vouchers.values_list("person_id", flat=True)) == {a.pk, b.pk}
    # a second roster with a holder is refused as a whole
    with pytest.raises(VoucherImportRefused) as refused:
        voucher_batch_import(
            actor=None, region="441900", name="再发", value_fen=50_000,
            file=_roster([(a.name, a.id_number)]), filename="再发.csv.xlsx",
        )  # fmt: skip
    assert "已有一张未使用的培训券" in refused.value.message


def test_roster_csv_is_read() -> None:
    a = make_person(name="逗号甲")
    data = f"姓名,证件号码\n{a.name},{a.id_number}\n".encode()
    batch = voucher_batch_import(
        actor=None, region="441900", name="CSV 批次", value_fen=100, file=data, filename="a.csv"
    )
    assert batch.vouchers.count() == 1


def test_claim_is_the_holders_only() -> None:
    worker = make_user(Role.WORKER)
    other = make_user(Role.WORKER)
    make_unemployed(person_of(worker), make_organisation(kind="enterprise"))
    batch_for()
    voucher = TrainingVoucher.objects.get(person=person_of(worker))
    with pytest.raises(DomainError) as refused:
        voucher_claim(actor=other, voucher=voucher)
    assert refused.value.status == 403
    voucher_claim(actor=worker, voucher=voucher)
    voucher.refresh_from_db()
    assert voucher.status == "claimed" and voucher.claimed_at is not None
    entry = AuditEntry.objects.get(action="voucher_claim", object_id=str(voucher.pk))
    assert entry.after == {"status": "claimed"}


def _claimed(*, region: str = "441900") -> TrainingVoucher:
    person = make_unemployed(make_person(), make_organisation(kind="enterprise"))
    batch_for(region)
    voucher = TrainingVoucher.objects.get(person=person)
    voucher_claim(actor=None, voucher=voucher)
    return voucher


def test_verify_needs_a_designation_valid_on_the_date() -> None:
    voucher = _claimed()
    today = timezone.localdate()
    plain = make_organisation(name="未定点培训学校")
    with pytest.raises(VoucherRefused) as refused:
        voucher_verify(
            actor=None, voucher=voucher, institution=plain, occupation=OCCUPATION, on=today
        )
    assert "不是定点培训机构" in refused.value.message
    lapsed = designated_school(name="资质过期学校", days=-1)  # valid until yesterday
    with pytest.raises(VoucherRefused):
        voucher_verify(
            actor=None, voucher=voucher, institution=lapsed, occupation=OCCUPATION, on=today
        )
    school = designated_school()
    with pytest.raises(VoucherRefused) as refused:
        voucher_verify(
            actor=None, voucher=voucher, institution=school, occupation="4-01-02-01", on=today
        )
    assert refused.value.field == "occupation"
    with pytest.raises(VoucherRefused) as refused:
        voucher_verify(
            actor=None, voucher=voucher, institution=school, occupation=OCCUPATION,
            on=voucher.valid_until + dt.timedelta(days=1),
        )  # fmt: skip
    assert refused.value.field == "on"
    with pytest.raises(VoucherRefused) as refused:
        voucher_verify(
            actor=None, voucher=voucher, institution=school, occupation=OCCUPATION, on=today,
            person=make_person(),
        )  # fmt: skip
    assert "不能转让" in refused.value.message
    outsider = make_user(Role.ORG_ADMIN)
    with pytest.raises(DomainError) as denied:
        voucher_verify(
            actor=outsider, voucher=voucher, institution=school, occupation=OCCUPATION, on=today
        )
    assert denied.value.status == 403
    voucher.refresh_from_db()
    assert voucher.status == "claimed"
    staff = make_user(Role.ORG_ADMIN, organisation=school)
    voucher_verify(
        actor=staff, voucher=voucher, institution=school, occupation=OCCUPATION, on=today,
        enrolment_ref="车工班报名 7",
    )  # fmt: skip
    voucher.refresh_from_db()
    assert voucher.status == "verified" and voucher.verified_institution_id == school.pk
    assert voucher.enrolment_ref == "车工班报名 7"


def test_redeem_once_by_the_holders_passed_training_and_the_fact_says_voucher() -> None:
    school = designated_school()
    person = make_unemployed(make_person(), make_organisation(kind="enterprise"))
    batch_for()
    voucher = verified_voucher(person, school)
    someone = class_record(make_person(), school, ref="别人的班")
    with pytest.raises(VoucherRefused) as refused:
        voucher_redeem(actor=None, voucher=voucher, training_record=someone)
    assert "不能转让" in refused.value.message
    failed = class_record(person, school, ref="没考过的班", result="failed")
    with pytest.raises(VoucherRefused):
        voucher_redeem(actor=None, voucher=voucher, training_record=failed)
    record = class_record(person, school)
    voucher_redeem(actor=None, voucher=voucher, training_record=record)
    voucher.refresh_from_db()
    assert voucher.status == "redeemed" and voucher.redeemed_record_id == record.pk
    with pytest.raises(TransitionRefused):
        voucher_redeem(actor=None, voucher=voucher, training_record=record)
    current = Fact.objects.filter(person=person, kind="training", attrs__class="车工班 2026-01")
    assert current.latest("pk").attrs["voucher"] is True
    assert (
        AuditEntry.objects.filter(action="voucher_redeem", object_id=str(voucher.pk)).count() == 1
    )


def test_record_issued_with_a_voucher_redeems_it_in_one_go() -> None:
    school = designated_school()
    person = make_unemployed(make_person(), make_organisation(kind="enterprise"))
    batch_for()
    voucher = verified_voucher(person, school)
    from jineng.learning.services import training_record_issue

    record = training_record_issue(
        actor=None, person=person, occupation=OCCUPATION, level="5", hours=40,
        institution=school, completed_on=timezone.localdate(), result="passed",
        subsidised=True, source="class", class_ref="券班", voucher=voucher,
    )  # fmt: skip
    voucher.refresh_from_db()
    assert voucher.status == "redeemed" and voucher.redeemed_record_id == record.pk
    assert Fact.objects.filter(person=person, kind="training").count() == 1
    assert Fact.objects.get(person=person, kind="training").attrs["voucher"] is True


def test_expiry_job_is_idempotent_and_spares_verified_vouchers() -> None:
    school = designated_school()
    stale = _claimed()
    p = make_unemployed(make_person(), make_organisation(kind="enterprise"))
    batch_for()
    enrolled = verified_voucher(p, school)
    later = stale.valid_until + dt.timedelta(days=1)
    assert vouchers_expire(today=stale.valid_until) == 0
    assert vouchers_expire(today=later) == 1
    assert vouchers_expire(today=later) == 0
    stale.refresh_from_db()
    enrolled.refresh_from_db()
    assert stale.status == "expired" and enrolled.status == "verified"
    with pytest.raises(TransitionRefused):
        voucher_claim(actor=None, voucher=stale)


def test_cancel_needs_a_reason_and_the_region() -> None:
    voucher = _claimed()
    with pytest.raises(VoucherInvalid):
        voucher_cancel(actor=None, voucher=voucher, reason="  ")
    with pytest.raises(DomainError) as denied:
        voucher_cancel(
            actor=make_user(Role.BUREAU_REVIEWER, region="330500"), voucher=voucher, reason="错发"
        )
    assert denied.value.status == 403
    voucher_cancel(actor=make_user(Role.BUREAU_REVIEWER), voucher=voucher, reason="本人放弃")
    voucher.refresh_from_db()
    assert voucher.status == "cancelled" and voucher.cancel_reason == "本人放弃"
    entry = AuditEntry.objects.get(action="voucher_cancel", object_id=str(voucher.pk))
    assert entry.reason == "本人放弃"


def test_redemption_rate_per_batch() -> None:
    school = designated_school()
    people = [
        make_unemployed(make_person(), make_organisation(kind="enterprise")) for _ in range(3)
    ]
    batch = batch_for()
    voucher = verified_voucher(people[0], school)
    voucher_redeem(actor=None, voucher=voucher, training_record=class_record(people[0], school))
    stats = batch_stats([batch.pk])[batch.pk]
    assert (stats.issued, stats.claimed, stats.redeemed) == (3, 1, 1)
    assert stats.redemption_rate == "33.3%"
