"""The demo city has payout batches for the finance pages: one closed (one line failed and was
paid again after the payee's correction), one sent, one open; a second setup adds none."""

from __future__ import annotations

import pytest

from jineng.claims.models import (
    BatchStatus,
    Claim,
    ClaimObjection,
    ClaimStatus,
    LineStatus,
    PayoutBatch,
    PayoutLine,
)
from jineng.claims.services.payouts import batch_reconciliation
from jineng.demo.claims import seed_payouts
from jineng.demo.demo import demo_setup

pytestmark = pytest.mark.django_db


def test_the_demo_city_has_paid_sent_and_open_batches() -> None:
    demo_setup(workers=200, seed=1, progress=False)
    statuses = sorted(PayoutBatch.objects.values_list("status", flat=True))
    assert statuses == sorted([BatchStatus.CLOSED, BatchStatus.SENT, BatchStatus.OPEN])
    closed = PayoutBatch.objects.get(status=BatchStatus.CLOSED)
    assert batch_reconciliation(closed).balanced and closed.failed_lines == 1
    failed = closed.lines.get(status=LineStatus.FAILED)
    again = PayoutLine.objects.get(claim=failed.claim, status=LineStatus.PENDING)
    assert again.batch.status == BatchStatus.SENT and again.account != failed.account
    assert seed_payouts() == 0


def test_the_demo_city_has_a_claim_in_publicity_with_an_open_objection() -> None:
    demo_setup(workers=200, seed=1, progress=False)
    objection = ClaimObjection.objects.get()
    assert objection.claim.status == ClaimStatus.PUBLICITY and objection.answered_at is None
    assert not Claim.objects.filter(pk=objection.claim_id, payout_lines__isnull=False).exists()
