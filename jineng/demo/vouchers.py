"""The demo city's training vouchers and training records (issue 8 §6, §7), small and fast: two
batches of the Dongguan bureau over a few dozen residents, some claimed, verified at a designated
training institution and redeemed by a completed class, one cancelled; the demo worker holds a
redeemed voucher of the first batch (with its training record) and a claimed one of the second
(its QR on 我的培训券). Once, into a database without voucher batches."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from jineng.identity.models import Person
from jineng.learning.models import TrainingVoucher, VoucherBatch
from jineng.learning.services import (
    training_record_issue,
    voucher_cancel,
    voucher_claim,
    voucher_verify,
)
from jineng.learning.services.vouchers import voucher_batch_issue_to_people
from jineng.organisations.models import Organisation, OrgKind
from jineng.organisations.services import organisation_designate

TURNER = "6-18-01-01"  # 车工
PEOPLE = 24


def _institution(region: str) -> Organisation:
    """A training institution of the city designated today (the first one; designated if none is)."""
    today = timezone.localdate()
    found = [
        o
        for o in Organisation.objects.filter(
            kind=OrgKind.TRAINING_INSTITUTION,
            region__code__startswith=region[:4],
            designated_training=True,
        ).order_by("pk")[:20]
        if o.is_designated_on(today)
    ]
    if found:
        return found[0]
    school = (
        Organisation.objects.filter(
            kind=OrgKind.TRAINING_INSTITUTION, region__code__startswith=region[:4]
        )
        .order_by("pk")
        .first()
    )
    if school is None:
        raise RuntimeError("数据库中没有培训机构")
    return organisation_designate(
        actor=None,
        organisation=school,
        valid_from=today - dt.timedelta(days=365),
        valid_to=today + dt.timedelta(days=730),
    )


def _complete(person: Person, voucher: TrainingVoucher, school: Organisation, ref: str) -> None:
    voucher_claim(actor=None, voucher=voucher)
    voucher_verify(
        actor=None, voucher=voucher, institution=school, occupation=TURNER,
        on=timezone.localdate(), enrolment_ref=ref,
    )  # fmt: skip
    training_record_issue(
        actor=None, person=person, occupation=TURNER, level="5", hours=64, institution=school,
        completed_on=timezone.localdate(), result="passed", subsidised=True, source="class",
        class_ref=ref, voucher=voucher,
    )  # fmt: skip


@transaction.atomic
def seed_demo_vouchers(*, worker: Person, region: str) -> None:
    if VoucherBatch.objects.exists():
        return
    school = _institution(region)
    others = list(
        Person.objects.filter(residence_region__code__startswith=region[:4])
        .exclude(pk=worker.pk)
        .order_by("pk")[:PEOPLE]
    )
    first = voucher_batch_issue_to_people(
        actor=None, region=region, name="2026年第一批职业培训券（车工）", value_fen=120_000,
        people=[worker, *others[:12]], occupations=[TURNER], rule="名单发放：车工培训意向人员",
    )  # fmt: skip
    vouchers = {v.person_id: v for v in first.vouchers.all()}
    _complete(worker, vouchers[worker.pk], school, "车工初级班（2026年第1期）")
    for i, person in enumerate(others[:12]):
        voucher = vouchers[person.pk]
        if i < 4:
            _complete(person, voucher, school, "车工初级班（2026年第1期）")
        elif i < 7:
            voucher_claim(actor=None, voucher=voucher)
        elif i == 7:
            voucher_cancel(actor=None, voucher=voucher, reason="本人已就业，放弃培训")
    second = voucher_batch_issue_to_people(
        actor=None, region=region, name="2026年第二批职业培训券", value_fen=80_000,
        people=[worker, *others[12:]], rule="名单发放：参保失业人员",
    )  # fmt: skip
    for voucher in second.vouchers.filter(
        person_id__in=[worker.pk, *[p.pk for p in others[12:16]]]
    ):
        voucher_claim(actor=None, voucher=voucher)
