"""Property test of the voucher state machine: whatever sequence of issue, claim, verify, redeem,
expiry and cancellation is attempted on one person's vouchers, no voucher is redeemed twice or
after it expired or was cancelled, the person never holds two active vouchers, and every status a
voucher went through is a declared edge (read back from the audit trail)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from jineng.audit.models import AuditEntry
from jineng.core.errors import DomainError
from jineng.identity.models import Person
from jineng.identity.testing import make_organisation, make_person
from jineng.learning.models import (
    ACTIVE_VOUCHER_STATUSES,
    TrainingRecord,
    TrainingVoucher,
    VoucherStatus,
)
from jineng.learning.models.vouchers import VOUCHER_STATES
from jineng.learning.services import (
    voucher_batch_issue_by_rule,
    voucher_cancel,
    voucher_claim,
    voucher_redeem,
    voucher_verify,
    vouchers_expire,
)
from jineng.learning.tests.training_helpers import (
    OCCUPATION,
    class_record,
    designated_school,
    make_unemployed,
)
from jineng.organisations.models import Organisation

pytestmark = pytest.mark.django_db

OPS = ("issue", "claim", "verify", "redeem", "expire", "cancel", "wait")
plans = st.lists(st.tuples(st.sampled_from(OPS), st.integers(0, 2)), min_size=1, max_size=14)


def _attempt(
    op: str, pick: int, *, person: Person, school: Organisation, day: list[dt.date], n: list[int]
) -> None:
    vouchers = list(TrainingVoucher.objects.filter(person=person).order_by("pk"))
    voucher = vouchers[pick % len(vouchers)] if vouchers else None
    if op == "issue":
        voucher_batch_issue_by_rule(
            actor=None, region="441900", name="性质测试", value_fen=100, validity_days=30,
            occupations=[OCCUPATION], on=day[0],
        )  # fmt: skip
    elif op == "wait":
        day[0] += dt.timedelta(days=20)
    elif op == "expire":
        vouchers_expire(today=day[0])
    elif voucher is None:
        return
    elif op == "claim":
        voucher_claim(actor=None, voucher=voucher)
    elif op == "verify":
        voucher_verify(
            actor=None, voucher=voucher, institution=school, occupation=OCCUPATION, on=day[0]
        )
    elif op == "redeem":
        n[0] += 1
        record = class_record(person, school, ref=f"班 {n[0]}")
        voucher_redeem(actor=None, voucher=voucher, training_record=record)
    elif op == "cancel":
        voucher_cancel(actor=None, voucher=voucher, reason="性质测试")


@hsettings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plan=plans)
def test_voucher_machine_invariants(plan: list[tuple[str, int]]) -> None:
    with transaction.atomic():
        school = designated_school(days=400)
        person = make_unemployed(make_person(), make_organisation(kind="enterprise"))
        day = [timezone.localdate()]
        n = [0]
        for op, pick in plan:
            try:
                with transaction.atomic():
                    _attempt(op, pick, person=person, school=school, day=day, n=n)
            except DomainError:
                pass
            active = TrainingVoucher.objects.filter(
                person=person, status__in=ACTIVE_VOUCHER_STATUSES
            ).count()
            assert active <= 1
        for voucher in TrainingVoucher.objects.filter(person=person):
            moves = list(
                AuditEntry.objects.filter(object_type="learning.voucher", object_id=str(voucher.pk))
                .exclude(action="create")
                .order_by("pk")
                .values_list("before", "after")
            )
            path = [VoucherStatus.ISSUED.value] + [str((a or {}).get("status")) for _, a in moves]
            for was, became in zip(path, path[1:], strict=False):
                assert VOUCHER_STATES.allows(was, became), path
            assert path.count(VoucherStatus.REDEEMED) <= 1
            if VoucherStatus.REDEEMED in path:
                assert path[-1] == VoucherStatus.REDEEMED
                assert VoucherStatus.EXPIRED not in path and VoucherStatus.CANCELLED not in path
            assert voucher.status == path[-1]
        redeemed = TrainingVoucher.objects.filter(person=person, status="redeemed")
        assert all(v.redeemed_record_id is not None for v in redeemed)
        assert TrainingRecord.objects.filter(voucher__isnull=False).count() == redeemed.count()
        transaction.set_rollback(True)
