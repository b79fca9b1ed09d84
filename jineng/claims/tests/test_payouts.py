"""Payout batches: claims in 待拨付 gathered for finance; a bank result marks lines paid or failed
(a failed one returns its claim to 待拨付), imported twice changes nothing; finance is neither
reviewer nor approver; nothing is paid twice."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from jineng.audit.models import AuditEntry
from jineng.claims.models import (
    BatchStatus,
    ClaimStatus,
    FlagKind,
    LineStatus,
    PayoutBatch,
    PayoutLine,
)
from jineng.claims.services import (
    BankResult,
    claim_account_confirm,
    claim_recover,
    claim_review,
    parse_bank_result_csv,
    payout_batch_cancel,
    payout_batch_create,
    payout_batch_send,
    payout_line_add,
    payout_reconcile,
)
from jineng.claims.services.payouts import batch_totals
from jineng.claims.tests.support import ON, REGION, bare_claim, build_world, to_payable
from jineng.core.errors import Conflict, DomainError, Forbidden
from jineng.core.states import TransitionRefused
from jineng.identity.models import Role
from jineng.identity.services import person_update, role_grant
from jineng.reference.models import Region

pytestmark = pytest.mark.django_db


def test_a_batch_is_paid_with_one_failure_corrected_and_reconciles() -> None:
    world = build_world()
    a = to_payable(world, bare_claim(world.gold))
    b = to_payable(
        world, bare_claim(world.silver, amount_fen=150_000, min_fen=150_000, max_fen=150_000)
    )
    batch = payout_batch_create(actor=world.finance, region=REGION, due_by=ON)
    lines = {line.claim_id: line for line in batch.lines.all()}
    assert set(lines) == {a.pk, b.pk}
    a.refresh_from_db()
    assert a.status == ClaimStatus.PAYING and a.payer == world.finance
    payout_batch_send(actor=world.finance, batch=batch)
    results = [BankResult(lines[a.pk].pk, True), BankResult(lines[b.pk].pk, False, "户名不符")]
    assert payout_reconcile(actor=world.finance, batch=batch, results=results) == {
        "paid": 1,
        "failed": 1,
    }
    entries = AuditEntry.objects.count()
    assert payout_reconcile(actor=world.finance, batch=batch, results=results) == {
        "paid": 0,
        "failed": 0,
    }
    assert AuditEntry.objects.count() == entries
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.status == ClaimStatus.PAID and b.status == ClaimStatus.PAYABLE
    batch.refresh_from_db()
    assert batch.status == BatchStatus.CLOSED
    totals = batch_totals(batch)
    assert totals["lines"] == totals["paid_lines"] + totals["failed_lines"] == 2
    assert totals["fen"] == totals["paid_fen"] + totals["failed_fen"] == 450_000
    # The failed one, its account corrected (the person's own, on file too), goes into a new
    # batch and is paid.
    person_update(actor=None, person=world.silver, bank_account="6222020200998877000")
    claim_account_confirm(actor=world.finance, claim=b, account="6222020200998877000")
    again = payout_batch_create(actor=world.finance, region=REGION, due_by=ON)
    (line,) = again.lines.all()
    assert line.claim_id == b.pk and line.account == "6222020200998877000"
    payout_batch_send(actor=world.finance, batch=again)
    payout_reconcile(actor=world.finance, batch=again, results=[BankResult(line.pk, True)])
    b.refresh_from_db()
    assert b.status == ClaimStatus.PAID
    assert PayoutLine.objects.filter(claim=b).count() == 2  # one failed, one paid


def test_a_result_imported_twice_changes_nothing_the_second_time() -> None:
    world = build_world()
    claim = to_payable(world, bare_claim(world.gold))
    batch = payout_batch_create(actor=world.finance, region=REGION, due_by=ON)
    (line,) = batch.lines.all()
    payout_batch_send(actor=world.finance, batch=batch)
    two_lines = PayoutLine.objects.create(
        batch=batch, claim=bare_claim(world.silver), amount_fen=1, status=LineStatus.CANCELLED
    )
    first = payout_reconcile(actor=world.finance, batch=batch, results=[BankResult(line.pk, True)])
    assert first == {"paid": 1, "failed": 0}
    entries = AuditEntry.objects.count()
    batch.refresh_from_db()
    assert batch.status == BatchStatus.CLOSED
    # The same line again (even with another outcome): settled lines stay as they are.
    again = payout_reconcile(actor=world.finance, batch=batch, results=[BankResult(line.pk, False)])
    assert again == {"paid": 0, "failed": 0}
    assert AuditEntry.objects.count() == entries
    line.refresh_from_db()
    claim.refresh_from_db()
    assert line.status == LineStatus.PAID and claim.status == ClaimStatus.PAID
    assert two_lines.status == LineStatus.CANCELLED


def test_finance_cannot_pay_what_they_reviewed() -> None:
    world = build_world()
    role_grant(
        actor=None,
        user=world.finance,
        role=Role.BUREAU_REVIEWER,
        region=Region.objects.get(code="330500"),
    )
    claim = bare_claim(world.gold)
    claim_review(actor=world.finance, claim=claim)
    from jineng.claims.services import claim_approve, claim_publicity_close

    claim_approve(actor=world.approver, claim=claim, today=ON)
    claim_publicity_close(actor=None, claim=claim, today=ON.replace(year=2024))
    batch = payout_batch_create(actor=world.finance, region=REGION, due_by=ON)
    assert not batch.lines.exists()  # left out of the batch
    with pytest.raises(Forbidden) as err:
        payout_line_add(actor=world.finance, batch=batch, claim=claim)
    assert "不能拨付本人初审或复审的申领" in err.value.message
    with pytest.raises(DomainError):
        payout_batch_send(actor=world.finance, batch=batch)


def test_a_claim_cannot_be_in_two_live_lines() -> None:
    world = build_world()
    claim = to_payable(world, bare_claim(world.gold))
    first = payout_batch_create(actor=world.finance, region=REGION, due_by=ON)
    second = PayoutBatch.objects.create(region=REGION, title="第二批")
    with pytest.raises(TransitionRefused):
        payout_line_add(actor=world.finance, batch=second, claim=claim)
    with pytest.raises(IntegrityError), transaction.atomic():
        PayoutLine.objects.create(batch=second, claim=claim, amount_fen=claim.payable_fen)
    payout_batch_cancel(actor=world.finance, batch=first, reason="金额汇总有误")
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PAYABLE
    payout_line_add(actor=world.finance, batch=second, claim=claim)
    assert PayoutLine.objects.filter(claim=claim, status=LineStatus.PENDING).count() == 1


def test_a_flagged_claim_is_left_out_of_the_batch() -> None:
    world = build_world()
    claim = to_payable(world, bare_claim(world.gold))
    claim_account_confirm(actor=world.worker, claim=claim, account="6222999988887777666")
    batch = payout_batch_create(actor=world.finance, region=REGION, due_by=ON)
    assert not batch.lines.exists()
    assert claim.flags.get().kind == FlagKind.FOREIGN_ACCOUNT
    with pytest.raises(Conflict) as err:
        payout_line_add(actor=world.finance, batch=batch, claim=claim)
    assert "疑点" in err.value.message
    unknown = PayoutBatch.objects.create(region=REGION, title="空批次", status=BatchStatus.SENT)
    with pytest.raises(DomainError) as wrong:
        payout_reconcile(actor=world.finance, batch=unknown, results=[BankResult(999, True)])
    assert "不属于该批次" in wrong.value.message


def test_the_bank_result_file_is_read_and_bad_rows_are_named() -> None:
    content = "明细编号,结果,说明\n12,成功,\n13,失败,账户已销户\n"
    assert parse_bank_result_csv(content) == [
        BankResult(12, True, ""),
        BankResult(13, False, "账户已销户"),
    ]
    with pytest.raises(DomainError) as err:
        parse_bank_result_csv("明细编号,结果\n12,成功\nx,成功\n")
    assert "第3行" in err.value.message
    with pytest.raises(DomainError) as err2:
        parse_bank_result_csv("明细编号,结果\n12,到账\n")
    assert "第2行" in err2.value.message


def test_a_paid_claim_is_recovered_by_an_approver_with_a_reason() -> None:
    world = build_world()
    claim = to_payable(world, bare_claim(world.gold))
    batch = payout_batch_create(actor=world.finance, region=REGION, due_by=ON)
    payout_batch_send(actor=world.finance, batch=batch)
    (line,) = batch.lines.all()
    payout_reconcile(actor=world.finance, batch=batch, results=[BankResult(line.pk, True)])
    with pytest.raises(PermissionDenied):
        claim_recover(actor=world.finance, claim=claim, reason="骗取补贴")
    with pytest.raises(DomainError):
        claim_recover(actor=world.approver, claim=claim, reason="")
    claim_recover(actor=world.approver, claim=claim, reason="经查系冒名领取")
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.RECOVERED
    entry = (
        AuditEntry.objects.filter(action="claim_move", object_id=str(claim.pk))
        .order_by("pk")
        .last()
    )
    assert entry is not None and entry.reason == "经查系冒名领取"
    assert (entry.after or {})["status"] == "recovered"
