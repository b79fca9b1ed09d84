"""The set-based paths of payouts: building a batch and importing the bank's result take the
same number of statements for 3 claims as for 12 on PostgreSQL (chunked UPDATEs and bulk inserts, no query per
line), and still leave one audit entry per claim moved and per line added, with who, when and
why; a failed line returns its claim with the bank's reason; a second import changes nothing."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jineng.audit.models import AuditEntry
from jineng.claims.models import Claim, ClaimStatus, LineStatus, PayoutBatch
from jineng.claims.services import (
    BankResult,
    payout_batch_create,
    payout_batch_send,
    payout_reconcile,
)
from jineng.claims.tests.support import ON, REGION, World, bare_claim, build_world

pytestmark = pytest.mark.django_db


def _per_row(claims: int) -> int:
    """Statements that grow with the claims: none where rows can be locked (PostgreSQL: one
    status-checked UPDATE per chunk); on SQLite the state machine's compare-and-set per row."""
    return 0 if connection.features.has_select_for_update else claims


def _payable(world: World, count: int) -> list[Claim]:
    return [
        bare_claim(
            world.gold if n % 2 else world.silver,
            status=ClaimStatus.PAYABLE,
            reviewer=world.reviewer,
            approver=world.approver,
        )
        for n in range(count)
    ]


def _build(world: World) -> tuple[PayoutBatch, int]:
    with CaptureQueriesContext(connection) as queries:
        batch = payout_batch_create(actor=world.finance, region=REGION, due_by=ON)
    return batch, len(queries)


def _import(
    world: World, batch: PayoutBatch, results: list[BankResult]
) -> tuple[dict[str, int], int]:
    with CaptureQueriesContext(connection) as queries:
        outcome = payout_reconcile(actor=world.finance, batch=batch, results=results)
    return outcome, len(queries)


def _claim_entries(pks: list[int], to: str) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(
            object_type="claim", object_id__in=[str(pk) for pk in pks], after__status=to
        )
    )


def test_building_a_batch_takes_the_same_statements_for_3_claims_as_for_12() -> None:
    world = build_world()
    small = _payable(world, 3)
    _, few = _build(world)
    large = _payable(world, 12)
    batch, many = _build(world)
    assert many - few == _per_row(12 - 3)
    lines = {line.claim_id: line for line in batch.lines.all()}
    assert set(lines) == {c.pk for c in large}
    assert all(line.account and line.amount_fen == 300_000 for line in lines.values())
    assert set(Claim.objects.filter(pk__in=lines).values_list("status", "payer")) == {
        (ClaimStatus.PAYING, world.finance.pk)
    }
    # one entry per claim moved and per line added, naming finance and the batch
    moved = _claim_entries(list(lines), ClaimStatus.PAYING)
    assert sorted(int(e.object_id) for e in moved) == sorted(lines)
    assert {(e.actor_id, e.reason) for e in moved} == {
        (world.finance.pk, f"列入拨付批次「{batch.title}」")
    }
    added = AuditEntry.objects.filter(object_type="payout_line", action="payout_line_add")
    assert added.filter(object_id__in=[str(line.pk) for line in lines.values()]).count() == 12
    assert {e.region for e in added} == {"330502"}
    assert len({c.pk for c in small} & set(lines)) == 0


def test_an_import_is_set_based_with_one_failed_line_and_changes_nothing_the_second_time() -> None:
    world = build_world()
    statements: list[int] = []
    for count in (3, 12):
        _payable(world, count)
        batch, _ = _build(world)
        payout_batch_send(actor=world.finance, batch=batch)
        lines = list(batch.lines.order_by("pk"))
        failed = lines[0]
        results = [BankResult(failed.pk, False, "账户已销户")] + [
            BankResult(line.pk, True) for line in lines[1:]
        ]
        outcome, n = _import(world, batch, results)
        statements.append(n)
        assert outcome == {"paid": count - 1, "failed": 1}
    assert statements[1] - statements[0] == _per_row(12 - 3)
    # the last batch: its failed line carries the bank's words, its claim is back in 待拨付
    failed.refresh_from_db()
    assert (failed.status, failed.bank_reason) == (LineStatus.FAILED, "账户已销户")
    back = _claim_entries([failed.claim_id], ClaimStatus.PAYABLE)
    assert [(e.actor_id, "账户已销户" in e.reason) for e in back] == [(world.finance.pk, True)]
    paid = [line.claim_id for line in lines[1:]]
    assert Claim.objects.filter(pk__in=paid, status=ClaimStatus.PAID).count() == 11
    entries = _claim_entries(paid, ClaimStatus.PAID)
    assert sorted(int(e.object_id) for e in entries) == sorted(paid)
    assert all(e.actor_id == world.finance.pk and e.at for e in entries)
    # the same file again: nothing moves, nothing is written to the trail
    before = AuditEntry.objects.count()
    again, _ = _import(world, batch, results)
    assert again == {"paid": 0, "failed": 0}
    assert AuditEntry.objects.count() == before
    failed.refresh_from_db()
    assert failed.status == LineStatus.FAILED
