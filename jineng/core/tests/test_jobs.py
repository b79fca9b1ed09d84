"""The one job lifecycle (`jineng.core.jobs`), once for every job: claim by a status-checked
update (a re-delivered task does nothing), progress and heartbeat, finish, a masked failure,
stale detection with the one time limit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jineng.audit.models import AuditEntry
from jineng.core.jobs import (
    JOB_TIME_LIMIT,
    TASK_TIME_LIMIT,
    JobLifecycle,
    job_transitions,
    masked_message,
)
from jineng.core.states import StateMachine
from jineng.core.tests.machines import CHORE_STATES, TICKET_STATES, Chore, ChoreStatus

pytestmark = pytest.mark.usefixtures("machine_tables")

JOBS = JobLifecycle(CHORE_STATES, heartbeat_field="beat_at", error_limit=200)
ID_NUMBER, PHONE = "110101199003071234", "13800138000"


def status(chore: Chore) -> str:
    return str(Chore.objects.values_list("status", flat=True).get(pk=chore.pk))


def test_one_time_limit_for_tasks_and_stale_detection() -> None:
    assert TASK_TIME_LIMIT == JOB_TIME_LIMIT.total_seconds() == 3600
    assert JOBS.time_limit == JOB_TIME_LIMIT


def test_a_job_is_claimed_once_and_a_redelivered_task_does_nothing() -> None:
    chore = Chore.objects.create()
    assert JOBS.claim(chore.pk, done_count=0)
    chore.refresh_from_db()
    assert chore.status == "running" and chore.started_at is not None
    assert chore.beat_at == chore.started_at
    started = chore.started_at
    assert not JOBS.claim(chore.pk, done_count=5)  # the second delivery
    chore.refresh_from_db()
    assert (chore.status, chore.started_at, chore.done_count) == ("running", started, 0)
    assert not JOBS.claim(10**9)  # an unknown job: nothing to do


def test_progress_is_written_only_while_the_job_runs() -> None:
    chore = Chore.objects.create()
    assert not JOBS.progress(chore.pk, done_count=3)  # still queued
    JOBS.claim(chore.pk)
    assert JOBS.progress(chore.pk, done_count=3)
    assert JOBS.heartbeat(chore.pk)
    assert JOBS.finish(chore.pk, result="好")
    assert not JOBS.progress(chore.pk, done_count=9)  # finished: a late worker writes nothing
    chore.refresh_from_db()
    assert (chore.status, chore.done_count, chore.result) == ("done", 3, "好")
    assert chore.finished_at is not None


def test_a_queued_job_may_fail_before_it_runs_and_is_then_never_claimed() -> None:
    chore = Chore.objects.create()
    assert JOBS.fail(chore.pk, "已过期")  # e.g. its upload expired while it waited
    assert not JOBS.claim(chore.pk)  # the task arrives late: nothing happens
    chore.refresh_from_db()
    assert (chore.status, chore.error, chore.started_at) == ("failed", "已过期", None)


def test_only_a_running_job_finishes() -> None:
    chore = Chore.objects.create()
    assert not JOBS.finish(chore.pk, result="不该写")
    chore.refresh_from_db()
    assert (chore.status, chore.result, chore.finished_at) == ("queued", "", None)


def test_a_failure_is_stored_masked_and_cut_short() -> None:
    chore = Chore.objects.create()
    JOBS.claim(chore.pk)
    message = f"ValueError: 证件号码 {ID_NUMBER} 手机 {PHONE} 无法处理" + "。" * 500
    assert JOBS.fail(chore.pk, message)
    chore.refresh_from_db()
    assert chore.status == "failed" and chore.finished_at is not None
    assert ID_NUMBER not in chore.error and PHONE not in chore.error
    assert chore.error.startswith("ValueError: 证件号码 1101**********1234 手机 138****8000")
    assert len(chore.error) == 200
    assert not JOBS.fail(chore.pk, "again")  # already failed: the first message stays
    chore.refresh_from_db()
    assert chore.error.startswith("ValueError")


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(alphabet="0123456789 -+Xx号码甲", max_size=60))
def test_a_masked_message_never_holds_a_whole_id_number_or_phone(text: str) -> None:
    for secret in (ID_NUMBER, PHONE):
        masked = masked_message(f"{text} {secret} {text}")
        assert secret not in masked


def test_a_job_whose_worker_died_is_stale_and_failed_by_whoever_looks() -> None:
    now = timezone.now()
    long_ago = now - JOB_TIME_LIMIT - timedelta(minutes=1)
    dead = Chore.objects.create(status=ChoreStatus.RUNNING, started_at=long_ago)
    assert JOBS.is_stale(dead, now=now)
    assert list(JOBS.stale(now=now)) == [dead]
    assert JOBS.fail_if_stale(dead, f"中断 {PHONE}", now=now)
    assert (dead.status, dead.error, dead.finished_at) == ("failed", "中断 138****8000", now)
    assert not JOBS.fail_if_stale(dead, "again", now=now)


def test_a_job_within_the_limit_or_with_a_recent_heartbeat_stays_running() -> None:
    now = timezone.now()
    long_ago = now - JOB_TIME_LIMIT - timedelta(minutes=1)
    recent = Chore.objects.create(status=ChoreStatus.RUNNING, started_at=now - timedelta(minutes=5))
    beating = Chore.objects.create(
        status=ChoreStatus.RUNNING, started_at=long_ago, beat_at=now - timedelta(minutes=1)
    )
    queued = Chore.objects.create(started_at=long_ago)
    for chore in (recent, beating, queued):
        assert not JOBS.is_stale(chore, now=now)
        assert not JOBS.fail_if_stale(chore, "中断", now=now)
    assert [status(c) for c in (recent, beating, queued)] == ["running", "running", "queued"]
    assert list(JOBS.stale(now=now)) == []
    assert set(Chore.objects.filter(JOBS.alive(now=now))) == {recent, beating}
    # without a heartbeat field, the start is the last sign of life
    no_beat = JobLifecycle(CHORE_STATES)
    assert no_beat.is_stale(beating, now=now) and not no_beat.heartbeat(queued.pk)


def test_a_stale_copy_in_memory_does_not_fail_a_job_that_beat_meanwhile() -> None:
    now = timezone.now()
    long_ago = now - JOB_TIME_LIMIT - timedelta(minutes=1)
    chore = Chore.objects.create(status=ChoreStatus.RUNNING, started_at=long_ago)
    Chore.objects.filter(pk=chore.pk).update(beat_at=now)  # the worker beat after we read it
    assert JOBS.is_stale(chore, now=now)  # judged on the copy…
    assert not JOBS.fail_if_stale(chore, "中断", now=now)  # …but checked again in the UPDATE
    assert status(chore) == "running"


def test_a_job_failed_as_stale_whose_worker_finishes_after_all_is_done() -> None:
    chore = Chore.objects.create()
    JOBS.claim(chore.pk)
    JOBS.fail(chore.pk, "中断")
    assert JOBS.finish(chore.pk, result="写完了")
    assert status(chore) == "done"


def test_job_moves_are_not_audited_and_a_workflow_may_add_its_own() -> None:
    before = AuditEntry.objects.count()
    chore = Chore.objects.create()
    JOBS.claim(chore.pk)
    JOBS.finish(chore.pk)
    assert AuditEntry.objects.count() == before
    assert CHORE_STATES.allows("done", "queued")  # the extra move the chore declared
    assert "done" not in job_transitions()  # terminal unless a workflow says otherwise
    assert job_transitions(done=frozenset({"queued"}))["running"] == {"done", "failed"}


def test_a_lifecycle_needs_the_four_job_statuses() -> None:
    with pytest.raises(ValueError, match="no statuses"):
        JobLifecycle(TICKET_STATES)
    assert isinstance(CHORE_STATES, StateMachine)
