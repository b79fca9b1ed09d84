"""On PostgreSQL: 50 redemptions of one voucher at once, each with its own completed training
record of the holder, on 50 connections — exactly one succeeds, the other 49 are refused with the
Chinese "moved by another request" conflict, and one redemption is audited."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection, connections

from jineng.audit.models import AuditEntry
from jineng.core.states import TransitionRefused
from jineng.dossier.models import Fact
from jineng.identity.testing import make_organisation, make_person
from jineng.learning.models import TrainingVoucher
from jineng.learning.services import voucher_redeem
from jineng.learning.tests.training_helpers import (
    batch_for,
    class_record,
    designated_school,
    make_unemployed,
    verified_voucher,
)

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent connections"),
    pytest.mark.django_db(transaction=True),
]

RACERS = 50


def race(jobs: list[Callable[[], object]]) -> tuple[list[object], list[BaseException]]:
    barrier = threading.Barrier(len(jobs))
    results: list[object] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run(job: Callable[[], object]) -> None:
        try:
            barrier.wait()
            outcome = job()
            with lock:
                results.append(outcome)
        except BaseException as exc:  # collected for the assertions
            with lock:
                errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, errors


def test_fifty_parallel_redemptions_exactly_one_succeeds() -> None:
    school = designated_school()
    person = make_unemployed(make_person(), make_organisation(kind="enterprise"))
    batch_for()
    voucher_id = verified_voucher(person, school).pk
    records = [class_record(person, school, ref=f"车工班 {i}") for i in range(RACERS)]

    def redeem(record_index: int) -> Callable[[], object]:
        def job() -> object:
            voucher = TrainingVoucher.objects.select_related("verified_institution").get(
                pk=voucher_id
            )
            return voucher_redeem(
                actor=None, voucher=voucher, training_record=records[record_index]
            )

        return job

    results, errors = race([redeem(i) for i in range(RACERS)])
    assert len(results) == 1, errors[:3]
    assert len(errors) == RACERS - 1
    assert all(isinstance(e, TransitionRefused) for e in errors), errors[:3]
    assert all(
        "已被其他操作改为「已兑付」" in e.message
        for e in errors
        if isinstance(e, TransitionRefused)
    )
    voucher = TrainingVoucher.objects.get(pk=voucher_id)
    assert voucher.status == "redeemed" and voucher.redeemed_record_id is not None
    assert (
        AuditEntry.objects.filter(action="voucher_redeem", object_id=str(voucher_id)).count() == 1
    )
    # one record, and only one, is marked as paid with the voucher
    marked = [f for f in Fact.objects.filter(person=person, kind="training") if f.attrs["voucher"]]
    assert len(marked) == 1
