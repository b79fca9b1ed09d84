"""The set-based 免申即享 run (services/runs_chunk.py) against the run as first built, subject by
subject (`CLAIMS_RUN_CHUNK = 0`): the same claims with the same frozen explanations, the same
difference claims, audit entries and messages; a run killed mid-way and restarted creates each
claim once; a chunk costs a fixed number of statements besides one facts read per subject."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from jineng.audit.models import AuditEntry
from jineng.claims.models import Claim, ClaimRun, Message, RunStatus
from jineng.claims.services import claim_run_execute, claim_run_restart, claim_run_start
from jineng.claims.tests.support import MEDAL, ON, World, build_world
from jineng.identity.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _one_job(settings: Any) -> None:
    settings.CLAIMS_RUN_SHARDS = False  # the chunks of one job (test_runs_shards.py: split)


# What may differ between two runs making the same claim: its row id, its run, its times.
_NOT_COMPARED = {"id", "run", "created_at", "updated_at", "original", "status_changed_at"}


def _claims() -> list[str]:
    """Every claim as JSON (all its columns but ids and times; an adjustment names its
    original by key), sorted."""
    names = [f.attname for f in Claim._meta.concrete_fields if f.name not in _NOT_COMPARED]
    out = []
    for claim in Claim.objects.select_related("original"):
        row = {name: getattr(claim, name) for name in names}
        row["original"] = claim.original.subject_key if claim.original else None
        out.append(json.dumps(row, sort_keys=True, default=str, ensure_ascii=False))
    return sorted(out)


def _messages() -> list[tuple[object, ...]]:
    return sorted(
        Message.objects.values_list(
            "person_id", "organisation_id", "title", "body", "claim__item_id"
        )
    )


def _audit() -> list[str]:
    entries = AuditEntry.objects.filter(action="claim_create")
    by_claim = {str(c.pk): c.subject_key for c in Claim.objects.all()}
    out = []
    for e in entries:
        after = dict(e.after or {})
        if after.get("original") is not None:  # by key: ids differ between the two runs
            after["original"] = by_claim[str(after["original"])]
        out.append(json.dumps([by_claim[e.object_id], e.region, after], sort_keys=True))
    return sorted(out)


def _snapshot() -> tuple[list[str], list[tuple[object, ...]], list[str]]:
    return _claims(), _messages(), _audit()


def _run(actor: User) -> ClaimRun:
    run = claim_run_start(actor=actor, region="330500", on=ON)
    claim_run_execute(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == RunStatus.DONE, run.error
    return run


def _both_ways(settings: Any, world: World, before: Any = None) -> list[Any]:
    """The snapshot after a run one by one and after a run in chunks of 2, each from the same
    start (`before` run first) and rolled back."""
    results = []
    for chunk in (0, 2):
        with transaction.atomic():
            if before is not None:
                before()
            settings.CLAIMS_RUN_CHUNK = chunk
            run = _run(world.reviewer)
            results.append((_snapshot(), run.claims_created, run.subjects_done))
            transaction.set_rollback(True)
    return results


def test_chunks_create_the_claims_messages_and_audit_of_one_by_one(settings: Any) -> None:
    # given the region, processed one by one and then in chunks
    world = build_world()
    one_by_one, chunked = _both_ways(settings, world)
    # then both make the same claims, frozen explanations, messages and audit entries
    assert one_by_one == chunked
    (claims, messages, audit), created, _ = chunked
    assert created == len(claims) == len(audit) >= 2 and messages


def test_chunks_adjust_a_changed_amount_as_one_by_one(settings: Any) -> None:
    # given a first run whose gold medal claim was then stored lower than the engine states
    world = build_world()

    def first_run_then_change() -> None:
        settings.CLAIMS_RUN_CHUNK = 2
        _run(world.approver)
        Claim.objects.filter(person=world.gold, item_id=MEDAL).update(amount_fen=100)
        Message.objects.all().delete()

    one_by_one, chunked = _both_ways(settings, world, before=first_run_then_change)
    # then the second run adds the same difference claim either way, and nothing else
    assert one_by_one == chunked
    claims, messages, _ = chunked[0]
    assert sum('"kind": "difference"' in c for c in claims) == 1
    assert chunked[1] == 1 and len(messages) == 1


def test_a_run_killed_mid_way_and_restarted_creates_each_claim_once(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given the claims a run makes uninterrupted, a subject per chunk
    from jineng.policy.selectors.subjects import explain_facts

    world = build_world()
    reference = _both_ways(settings, world)[1][0][0]
    real = explain_facts
    calls = {"n": 0}

    def dies_on_the_second(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("worker killed")
        return real(*args, **kwargs)

    monkeypatch.setattr("jineng.claims.services.runs_chunk.explain_facts", dies_on_the_second)
    settings.CLAIMS_RUN_CHUNK = 1
    run = claim_run_start(actor=world.reviewer, region="330500", on=ON)
    # when it dies in its second chunk
    with pytest.raises(RuntimeError):
        claim_run_execute(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and run.subjects_done == 1 and run.cursor
    first = Claim.objects.count()
    # and is restarted
    claim_run_restart(actor=world.reviewer, run=run)
    claim_run_execute(run_id=run.pk)
    run.refresh_from_db()
    # then every claim exists once, as in the uninterrupted run, counted once on the run
    assert run.status == RunStatus.DONE
    assert 0 < first < Claim.objects.count()
    assert _claims() == reference
    assert run.claims_created == Claim.objects.count()
    assert run.subjects_done == run.subject_total
    assert AuditEntry.objects.filter(action="claim_create").count() == Claim.objects.count()


def test_a_chunk_costs_a_fixed_number_of_statements_besides_one_facts_read_per_subject(
    settings: Any,
) -> None:
    # given a queued run over the region's subjects in one chunk
    from jineng.claims.services.runs import _subjects
    from jineng.claims.services.runs_chunk import process_chunk

    world = build_world()
    run = claim_run_start(actor=world.reviewer, region="330500", on=ON)
    subjects = list(_subjects("330500", ""))
    # when the chunk is processed
    with CaptureQueriesContext(connection) as queries:
        created = process_chunk(run, subjects)
    # then its statements do not grow with its claims
    assert len(created) >= 2
    assert len(queries) <= len(subjects) + STATEMENTS_PER_CHUNK, [q["sql"][:80] for q in queries]


STATEMENTS_PER_CHUNK = 16  # facts, originals, insert, read back, audit (8), messages (3): SQLite
