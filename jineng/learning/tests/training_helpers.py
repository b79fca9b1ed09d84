"""What the training-record and voucher tests share: a designated institution, an insured
unemployed worker, a batch with one voucher, and a voucher walked to `verified`."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from jineng.identity.models import Person
from jineng.identity.services import employment_record
from jineng.identity.testing import make_organisation
from jineng.learning.models import TrainingRecord, TrainingVoucher, VoucherBatch
from jineng.learning.services import (
    training_record_issue,
    voucher_batch_issue_by_rule,
    voucher_claim,
    voucher_verify,
)
from jineng.organisations.models import Organisation
from jineng.organisations.services import organisation_designate

OCCUPATION = "6-18-01-01"  # 车工


def designated_school(
    *, name: str | None = None, region: str = "441900003", days: int = 365
) -> Organisation:
    org = make_organisation(name=name, region=region)
    today = timezone.localdate()
    organisation_designate(
        actor=None,
        organisation=org,
        valid_from=today - dt.timedelta(days=30),
        valid_to=today + dt.timedelta(days=days),
    )
    org.refresh_from_db()
    return org


def make_unemployed(person: Person, employer: Organisation) -> Person:
    """`person` insured, with a job that ended last month (an insured unemployed person)."""
    today = timezone.localdate()
    employment_record(
        actor=None,
        person=person,
        employer=employer,
        start=today - dt.timedelta(days=400),
        end=today - dt.timedelta(days=30),
    )
    Person.objects.filter(pk=person.pk).update(
        insured=True, insured_since=today - dt.timedelta(days=400)
    )
    person.refresh_from_db()
    return person


def batch_for(region: str = "441900", *, value_fen: int = 80_000) -> VoucherBatch:
    return voucher_batch_issue_by_rule(
        actor=None, region=region, name="2026年第一批职业培训券", value_fen=value_fen,
        occupations=[OCCUPATION],
    )  # fmt: skip


def verified_voucher(person: Person, school: Organisation) -> TrainingVoucher:
    voucher = TrainingVoucher.objects.get(person=person, status="issued")
    voucher_claim(actor=None, voucher=voucher)
    return voucher_verify(
        actor=None,
        voucher=voucher,
        institution=school,
        occupation=OCCUPATION,
        on=timezone.localdate(),
        enrolment_ref="班级报名 1",
    )


def class_record(
    person: Person, school: Organisation, *, ref: str = "车工班 2026-01", result: str = "passed"
) -> TrainingRecord:
    return training_record_issue(
        actor=None,
        person=person,
        occupation=OCCUPATION,
        level="5",
        hours=40,
        institution=school,
        completed_on=timezone.localdate(),
        result=result,
        subsidised=True,
        source="class",
        class_ref=ref,
    )
