"""免申即享: a run over the bureau's region on a date creates a claim for every eligible line not
yet claimed, tells each beneficiary (inbox + recorded SMS), and running it again creates nothing
new; a failed run restarts from where it stopped."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from jineng.audit.models import AuditEntry
from jineng.claims.models import Claim, ClaimRun, ClaimSource, Message, RunStatus, SmsRecord
from jineng.claims.services import claim_run_execute, claim_run_restart, claim_run_start
from jineng.claims.tests.support import MEDAL, ON, build_world, medal_fen
from jineng.identity.models import Role, User
from jineng.identity.testing import make_user

pytestmark = pytest.mark.django_db


def run_now(actor: User, region: str = "330500") -> ClaimRun:
    run = claim_run_start(actor=actor, region=region, on=ON)
    claim_run_execute(run_id=run.pk)  # as the task would, after commit
    run.refresh_from_db()
    return run


def test_a_run_claims_every_eligible_line_and_tells_each_beneficiary() -> None:
    world = build_world()
    run = run_now(world.reviewer)
    assert run.status == RunStatus.DONE
    medals = Claim.objects.filter(item_id=MEDAL).order_by("amount_fen")
    assert [(c.person_id, c.amount_fen) for c in medals] == [
        (world.silver.pk, medal_fen("silver")),
        (world.gold.pk, medal_fen("gold")),
    ]
    assert {c.source for c in medals} == {ClaimSource.AUTOMATIC}
    made_by = ClaimRun.objects.filter(pk__in=[c.run_id for c in medals])
    assert {r.parent_id or r.pk for r in made_by} == {run.pk}  # by its town's run
    assert run.claims_created == Claim.objects.count() >= 2
    assert run.subjects_done == run.subject_total >= 2  # those the evaluation named
    assert run.progress == 100
    assert not Claim.objects.filter(person=world.nobody).exists()
    assert Message.objects.filter(person=world.gold).count() == 1
    assert "世界技能大赛" in Message.objects.get(person=world.gold).body
    assert not Message.objects.filter(person=world.nobody).exists()


def test_the_sms_is_recorded_with_the_phone_masked_after_commit(
    django_capture_on_commit_callbacks: Any,
) -> None:
    world = build_world()
    with django_capture_on_commit_callbacks(execute=True):
        run = claim_run_start(actor=world.reviewer, region="330500", on=ON)
    run.refresh_from_db()
    assert run.status == RunStatus.DONE  # the task ran (eager) after the start committed
    sms = SmsRecord.objects.get(person=world.gold)
    assert "13800138000" not in sms.phone_masked and sms.phone_masked.endswith("8000")
    assert not SmsRecord.objects.filter(person=world.silver).exists()  # no phone on file


def test_running_twice_creates_nothing_new() -> None:
    world = build_world()
    first = run_now(world.reviewer)
    before = sorted(Claim.objects.values_list("pk", "amount_fen"))
    messages = Message.objects.count()
    second = run_now(world.approver)
    assert second.status == RunStatus.DONE
    assert second.claims_created == 0 and first.claims_created == len(before)
    assert sorted(Claim.objects.values_list("pk", "amount_fen")) == before
    assert Message.objects.count() == messages


def test_a_failed_run_restarts_after_its_cursor(settings: Any) -> None:
    settings.CLAIMS_RUN_SHARDS = False  # one job over the region (test_runs_shards.py: split)
    world = build_world()
    run = claim_run_start(actor=world.reviewer, region="330500", on=ON)
    # The worker died after the gold medallist (the first subject): failed, cursor on them.
    ClaimRun.objects.filter(pk=run.pk).update(
        status=RunStatus.FAILED, cursor=f"P{world.gold.pk}", subjects_done=1, error="中断"
    )
    run.refresh_from_db()
    claim_run_restart(actor=world.reviewer, run=run)
    claim_run_execute(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == RunStatus.DONE and run.error == ""
    # Resumed after the cursor: the gold medallist was not visited again by this run.
    assert not Claim.objects.filter(person=world.gold).exists()
    assert Claim.objects.filter(person=world.silver, item_id=MEDAL).exists()
    assert run.subjects_done == run.subject_total
    assert AuditEntry.objects.filter(action="claim_run_restart", object_id=str(run.pk)).count() == 1


def test_a_redelivered_task_does_nothing() -> None:
    world = build_world()
    run = run_now(world.reviewer)
    count = Claim.objects.count()
    claim_run_execute(run_id=run.pk)  # done, not queued: nothing
    assert Claim.objects.count() == count


def test_only_the_bureau_in_its_region_starts_a_run() -> None:
    world = build_world()
    with pytest.raises(PermissionDenied):
        claim_run_start(actor=world.worker, region="330500", on=ON)
    other = make_user(Role.BUREAU_REVIEWER, region="441900")
    with pytest.raises(PermissionDenied):
        claim_run_start(actor=other, region="330500", on=ON)
    auditor = make_user(Role.AUDITOR, region="330500")
    with pytest.raises(PermissionDenied):
        claim_run_start(actor=auditor, region="330500", on=ON)
    assert not ClaimRun.objects.exists()


def _claim_keys() -> list[tuple[object, ...]]:
    """Each claim's key, amount, clause and frozen explanation."""
    fields = ("subject_key", "item_id", "fact_id", "instalment", "amount_fen", "citation")
    return sorted(
        (*row[:-1], json.dumps(row[-1], sort_keys=True, ensure_ascii=False))
        for row in Claim.objects.values_list(*fields, "explanation")
    )


def test_only_the_subjects_the_evaluation_names_are_explained_and_the_claims_are_the_same(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given the region explained subject by subject, everyone (the run without the prefilter)
    from jineng.policy.selectors.subjects import read_subject_facts as real

    world = build_world()
    explained: list[object] = []

    def counting(subject: Any, on: Any) -> Any:
        explained.append(subject.pk)
        return real(subject, on)

    monkeypatch.setattr("jineng.claims.services.runs.read_subject_facts", counting)
    monkeypatch.setattr("jineng.claims.services.runs_chunk.read_subject_facts", counting)
    settings.CLAIMS_RUN_PREFILTER = False
    run_now(world.reviewer)
    everyone, all_explained = _claim_keys(), len(explained)
    Message.objects.all().delete()
    Claim.objects.all().delete()
    # when the run evaluates the region first (the default)
    explained.clear()
    settings.CLAIMS_RUN_PREFILTER = True
    run = run_now(world.reviewer)
    # then it creates the same claims (with the same frozen explanations), explaining only the subjects that get one
    assert _claim_keys() == everyone and everyone
    assert world.nobody.pk not in explained
    assert len(explained) == run.subject_total < all_explained


def test_one_subject_with_one_claim_costs_a_bounded_number_of_queries() -> None:
    # given a queued run and the gold medallist, who is owed one claim
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from jineng.claims.services.runs import _process

    world = build_world()
    run = claim_run_start(actor=world.reviewer, region="330500", on=ON)
    # when the run processes them
    with CaptureQueriesContext(connection) as queries:
        created = _process(run, world.gold)
    # then one claim is made with a fixed number of statements (facts and existing claims read
    # once per subject, not per claim)
    assert len(created) == 1
    assert len(queries) <= QUERIES_PER_CLAIMED_SUBJECT, [q["sql"][:80] for q in queries]


QUERIES_PER_CLAIMED_SUBJECT = 20  # measured on SQLite; PostgreSQL the same
