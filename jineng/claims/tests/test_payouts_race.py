"""Nothing is paid twice: 50 simultaneous attempts to pay one claim (PostgreSQL, each on its own
connection, each into its own batch) produce exactly one payout line."""

from __future__ import annotations

import threading

import pytest

from jineng.claims.models import ClaimStatus, PayoutBatch, PayoutLine
from jineng.claims.services import payout_line_add
from jineng.claims.tests.race import race
from jineng.claims.tests.support import POSTGRES, REGION, bare_claim, build_world, to_payable
from jineng.core.errors import Conflict

pytestmark = (
    [pytest.mark.django_db(transaction=True)]
    if POSTGRES
    else [pytest.mark.skip(reason="PostgreSQL: workers in parallel")]
)
ATTEMPTS = 50


def test_fifty_parallel_attempts_to_pay_one_claim_make_one_line() -> None:
    world = build_world()
    claim = to_payable(world, bare_claim(world.gold))
    batches = iter(
        [PayoutBatch.objects.create(region=REGION, title=f"第{n}批") for n in range(ATTEMPTS)]
    )
    lock = threading.Lock()

    def pay() -> int:
        with lock:
            batch = next(batches)
        return payout_line_add(actor=world.finance, batch=batch, claim=claim).pk

    outcomes = race(pay, ATTEMPTS)
    won = [o for o in outcomes if isinstance(o, int)]
    lost = [o for o in outcomes if not isinstance(o, int)]
    assert len(won) == 1
    assert len(lost) == ATTEMPTS - 1 and all(isinstance(e, Conflict) for e in lost)
    assert PayoutLine.objects.filter(claim=claim).count() == 1
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PAYING
