"""A 免申即享 run over a region with towns is split into one child run per town (and one for the
region itself), each its own task (in process here: no broker); the parent sums their progress,
is done when they all are, and a failed child restarts alone."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from jineng.claims.models import Claim, ClaimRun, RunStatus
from jineng.claims.services import claim_run_execute, claim_run_restart, claim_run_start
from jineng.claims.services.runs_shards import shard_regions
from jineng.claims.tests.support import ON, build_world
from jineng.claims.tests.test_runs_chunk import _claims, _run

pytestmark = pytest.mark.django_db


def test_a_region_with_towns_runs_one_child_per_town_with_the_claims_of_one_job(
    settings: Any,
) -> None:
    # given the claims the region makes as one job
    world = build_world()
    with transaction.atomic():
        settings.CLAIMS_RUN_SHARDS = False
        _run(world.reviewer)
        one_job = _claims()
        transaction.set_rollback(True)
    settings.CLAIMS_RUN_SHARDS = True
    # when it runs split by town
    run = _run(world.reviewer)
    children = list(run.children.all())
    # then one child per town and one for the region itself, all done, summed on the parent
    assert sorted(c.region for c in children) == sorted(shard_regions("330500"))
    assert len(children) > 2 and "330502" in {c.region for c in children}
    assert {c.status for c in children} == {RunStatus.DONE}
    assert run.subjects_done == sum(c.subjects_done for c in children) == run.subject_total > 0
    assert run.claims_created == sum(c.claims_created for c in children) == Claim.objects.count()
    assert run.progress == 100
    assert _claims() == one_job
    made_by = ClaimRun.objects.filter(pk__in=Claim.objects.values("run"))
    assert {r.parent_id for r in made_by} == {run.pk}


def test_a_failed_child_fails_the_parent_and_restarts_alone(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a run whose town 330502 dies at its silver medallist
    from jineng.policy.selectors.subjects import explain_facts

    world = build_world()
    real = explain_facts

    def dies_at_silver(subject_facts: Any, **kwargs: Any) -> Any:
        if subject_facts.subject.id == f"P{world.silver.pk}":
            raise RuntimeError("worker killed")
        return real(subject_facts, **kwargs)

    monkeypatch.setattr("jineng.claims.services.runs_chunk.explain_facts", dies_at_silver)
    run = claim_run_start(actor=world.reviewer, region="330500", on=ON)
    claim_run_execute(run_id=run.pk)
    run.refresh_from_db()
    children = {c.region: c for c in run.children.all()}
    # then that child failed, the others are done, and so the parent failed
    assert children["330502"].status == RunStatus.FAILED
    others = [c for code, c in children.items() if code != "330502"]
    assert others and {c.status for c in others} == {RunStatus.DONE}
    assert run.status == RunStatus.FAILED and "1 个" in run.error
    finished = {c.pk: c.finished_at for c in others}
    # when the parent is restarted
    monkeypatch.setattr("jineng.claims.services.runs_chunk.explain_facts", real)
    claim_run_restart(actor=world.reviewer, run=run)
    claim_run_execute(run_id=run.pk)
    run.refresh_from_db()
    # then only the failed child ran again, and every claim exists once
    assert run.status == RunStatus.DONE
    assert {c.pk: c.finished_at for c in ClaimRun.objects.filter(pk__in=finished)} == finished
    assert ClaimRun.objects.get(pk=children["330502"].pk).status == RunStatus.DONE
    keys = list(Claim.objects.values_list("subject_key", "item_id", "fact_id", "instalment"))
    assert keys and len(keys) == len(set(keys)) == run.claims_created
