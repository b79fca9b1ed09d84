"""Two 免申即享 runs over the same region at the same time (PostgreSQL, where workers run side by
side) create each claim once: the database's unique key decides, the loser skips the line."""

from __future__ import annotations

import threading
from collections import Counter

import pytest

from jineng.claims.models import Claim, ClaimRun, RunStatus
from jineng.claims.services import claim_run_execute, claim_run_start
from jineng.claims.tests.race import race
from jineng.claims.tests.support import ON, POSTGRES, build_world

pytestmark = (
    [pytest.mark.django_db(transaction=True)]
    if POSTGRES
    else [pytest.mark.skip(reason="PostgreSQL: workers in parallel")]
)


def test_two_concurrent_runs_create_each_claim_once() -> None:
    world = build_world()
    runs = [
        claim_run_start(actor=u, region="330500", on=ON) for u in (world.reviewer, world.approver)
    ]
    pks = iter([r.pk for r in runs])
    lock = threading.Lock()

    def work() -> None:
        with lock:
            pk = next(pks)
        claim_run_execute(run_id=pk)

    outcomes = race(work, 2)
    assert [o for o in outcomes if isinstance(o, BaseException)] == []
    keys = Counter(
        Claim.objects.values_list("subject_key", "item_id", "fact_id", "instalment", "kind")
    )
    assert keys and max(keys.values()) == 1
    done = ClaimRun.objects.filter(pk__in=[r.pk for r in runs], status=RunStatus.DONE)
    assert done.count() == 2
    assert sum(r.claims_created for r in done) == Claim.objects.count()
