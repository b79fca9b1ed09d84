"""Real racing workers (PostgreSQL, where workers run side by side): of eight deliveries of the
same task, exactly one claims the job, and of eight requests for the same move, exactly one wins
and is audited once. SQLite has one writer at a time (BEGIN IMMEDIATE), so there is no race."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import pytest
from django.conf import settings
from django.db import connection

from jineng.audit.models import AuditEntry
from jineng.core.jobs import JobLifecycle
from jineng.core.states import TransitionRefused, transition
from jineng.core.tests.machines import CHORE_STATES, Chore, Ticket, TicketStatus

POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
# Marked transactional only on PostgreSQL: a skipped transactional test would still have the
# project's teardown reload reference data into a test database never created.
pytestmark = (
    [pytest.mark.django_db(transaction=True)]
    if POSTGRES
    else [pytest.mark.skip(reason="PostgreSQL: workers in parallel")]
)
WORKERS = 8


@pytest.fixture
def tables(_machine_tables: None) -> Iterator[None]:
    yield
    Chore.objects.all().delete()  # committed rows: the flush does not know these tables
    Ticket.objects.all().delete()


def race(work: Callable[[], bool]) -> list[bool]:
    barrier = threading.Barrier(WORKERS)
    results: list[bool] = []
    lock = threading.Lock()

    def run() -> None:
        try:
            barrier.wait()
            won = work()
            with lock:
                results.append(won)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(WORKERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_eight_deliveries_of_one_task_claim_the_job_once(tables: None) -> None:
    jobs = JobLifecycle(CHORE_STATES)
    chore = Chore.objects.create()
    results = race(lambda: jobs.claim(chore.pk))
    assert sorted(results) == [False] * (WORKERS - 1) + [True]
    assert Chore.objects.get(pk=chore.pk).status == "running"


def test_eight_requests_for_one_move_make_it_once_and_audit_it_once(tables: None) -> None:
    ticket = Ticket.objects.create(title="并发", status=TicketStatus.SUBMITTED)

    def approve() -> bool:
        held = Ticket.objects.get(pk=ticket.pk)
        try:
            transition(obj_or_queryset=held, to=TicketStatus.APPROVED, actor=None)
        except TransitionRefused:
            return False
        return True

    results = race(approve)
    assert sorted(results) == [False] * (WORKERS - 1) + [True]
    entries = AuditEntry.objects.filter(object_type="core_tests.ticket", object_id=str(ticket.pk))
    assert entries.count() == 1
