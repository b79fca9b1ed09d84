"""Payout batches: finance gathers claims in 待拨付 into a batch, sends it to the bank and imports
the bank's result.

Nothing is paid twice: adding a claim moves it 待拨付 → 拨付中 through the state machine (a locked,
status-checked UPDATE: of 50 simultaneous attempts one moves it), and the database allows at most
one live line (pending or paid) per claim (`payout_line_one_live_per_claim`). A failed line
returns its claim to 待拨付 for a corrected account; an import applied twice changes nothing the
second time (only pending lines are settled). Finance is neither the reviewer nor the approver."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Case, Count, Sum, Value, When
from django.utils import timezone

from jineng.audit.services import audit_record
from jineng.audit.vocabulary import AuditAction, AuditObject
from jineng.claims.models import (
    BatchStatus,
    Claim,
    ClaimStatus,
    LineStatus,
    PayoutBatch,
    PayoutLine,
    PayoutResultFile,
)
from jineng.claims.services.bank import BankResult, ResultFile, parse_bank_result_csv
from jineng.claims.services.payout_build import (
    CHUNK,
    awaiting_new_account,
    chunks,
    need_finance,
    payout_batch_create,
    payout_line_add,
)
from jineng.core.errors import Conflict, DomainError
from jineng.core.states import transition
from jineng.identity.models import User


@transaction.atomic
def payout_batch_send(*, actor: User, batch: PayoutBatch, reason: str = "") -> PayoutBatch:
    """The batch's payment file went to the bank: no more changes to its lines."""
    actor = need_finance(actor, batch.region)
    if not batch.lines.exists():
        raise DomainError("batch", "拨付批次中没有申领，不能提交银行")
    transition(
        obj_or_queryset=batch,
        to=BatchStatus.SENT,
        actor=actor,
        reason=reason or "提交银行",
        sent_at=timezone.now(),
    )
    return batch


@transaction.atomic
def payout_batch_cancel(*, actor: User, batch: PayoutBatch, reason: str) -> PayoutBatch:
    """Cancel an open batch: its lines are cancelled and their claims return to 待拨付."""
    actor = need_finance(actor, batch.region)
    if not reason.strip():
        raise DomainError("reason", "作废拨付批次须填写理由")
    transition(obj_or_queryset=batch, to=BatchStatus.CANCELLED, actor=actor, reason=reason)
    lines = list(batch.lines.filter(status=LineStatus.PENDING))
    PayoutLine.objects.filter(pk__in=[line.pk for line in lines]).update(
        status=LineStatus.CANCELLED, settled_at=timezone.now()
    )
    transition(
        obj_or_queryset=Claim.objects.filter(pk__in=[line.claim_id for line in lines]),
        to=ClaimStatus.PAYABLE,
        actor=actor,
        reason=f"拨付批次作废：{reason}",
    )
    return batch


@transaction.atomic
def payout_reconcile(
    *,
    actor: User,
    batch: PayoutBatch,
    results: Sequence[BankResult] | Iterable[BankResult],
    file: ResultFile | None = None,
) -> dict[str, int]:
    """Apply the bank's result to a sent batch: paid lines pay their claims (拨付中 → 已拨付),
    failed ones return them to 待拨付 for a corrected account. Lines already settled are left as
    they are, so the same file imported twice changes nothing (a file is also recognised by its
    SHA-256 and not applied again). When no line is pending the batch closes (reconciled).

    Set-based: one status-checked UPDATE per chunk of lines and of claims, the audit entries
    written in batches, so 100,000 lines take seconds, not a query per line."""
    actor = need_finance(actor, batch.region)
    batch = PayoutBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status not in (BatchStatus.SENT, BatchStatus.CLOSED):
        raise Conflict(
            "batch",
            f"拨付批次「{batch.title}」当前为「{batch.get_status_display()}」，不能导入银行结果",
        )
    if file is not None and batch.result_files.filter(sha256=file.sha256).exists():
        return {"paid": 0, "failed": 0}
    results = list(results)
    by_id = {r.line_id: r for r in results}
    known = dict(batch.lines.filter(pk__in=list(by_id)).values_list("pk", "status"))
    if len(by_id) > CHUNK:
        known = dict(batch.lines.values_list("pk", "status"))
    unknown = sorted(set(by_id) - set(known))
    if unknown:
        raise DomainError("file", f"明细编号 {unknown[0]} 不属于该批次")
    pending = [pk for pk in by_id if known[pk] == LineStatus.PENDING]
    paid = sorted(pk for pk in pending if by_id[pk].paid)
    failed = sorted(pk for pk in pending if not by_id[pk].paid)
    now = timezone.now()
    moved_paid = _settle(batch, paid, LineStatus.PAID, now, by_id)
    moved_failed = _settle(batch, failed, LineStatus.FAILED, now, by_id)
    claim_of = (
        dict(
            PayoutLine.objects.filter(pk__in=moved_paid + moved_failed).values_list(
                "pk", "claim_id"
            )
        )
        if len(moved_paid) + len(moved_failed) <= CHUNK
        else dict(batch.lines.values_list("pk", "claim_id"))
    )
    for chunk in chunks([claim_of[pk] for pk in moved_paid]):
        transition(
            obj_or_queryset=Claim.objects.filter(pk__in=chunk),
            to=ClaimStatus.PAID,
            actor=actor,
            reason=f"银行已到账（拨付批次「{batch.title}」）",
        )
    failed_by_reason: dict[str, list[int]] = {}
    for pk in moved_failed:
        failed_by_reason.setdefault(by_id[pk].reason or "未说明原因", []).append(claim_of[pk])
    for bank_reason, claim_ids in failed_by_reason.items():
        for chunk in chunks(claim_ids):
            transition(
                obj_or_queryset=Claim.objects.filter(pk__in=chunk),
                to=ClaimStatus.PAYABLE,
                actor=actor,
                reason=f"银行拨付失败：{bank_reason}，请确认新的收款账户",
            )
    if moved_paid or moved_failed:
        # One entry for the import (the lines keep their own outcome, time and the bank's words;
        # each claim's move has its own entry above).
        audit_record(
            actor=actor,
            action=AuditAction.PAYOUT_RECONCILE,
            object_type=AuditObject.PAYOUT_BATCH,
            object_id=batch.pk,
            after={
                "paid": len(moved_paid),
                "failed": len(moved_failed),
                "file": file.sha256[:16] if file is not None else "",
            },
            reason=file.name if file is not None else "",
            region=batch.region,
        )
    if file is not None:
        PayoutResultFile.objects.create(
            batch=batch,
            sha256=file.sha256,
            name=file.name,
            imported_by=actor,
            rows=len(results),
            paid=len(moved_paid),
            failed=len(moved_failed),
        )
    if (
        batch.status == BatchStatus.SENT
        and not batch.lines.filter(status=LineStatus.PENDING).exists()
    ):
        _close(actor=actor, batch=batch, reason="对账完成")
    return {"paid": len(moved_paid), "failed": len(moved_failed)}


def _settle(
    batch: PayoutBatch,
    pks: list[int],
    to: str,
    now: dt.datetime,
    by_id: dict[int, BankResult],
) -> list[int]:
    """Pending → paid/failed by status-checked UPDATEs; returns the lines that moved."""
    moved: list[int] = []
    for chunk in chunks(pks):
        rows = PayoutLine.objects.filter(
            batch=batch, pk__in=chunk, status=LineStatus.PENDING
        ).select_for_update()
        ids = list(rows.values_list("pk", flat=True))
        if to == LineStatus.PAID:
            PayoutLine.objects.filter(pk__in=ids).update(status=to, settled_at=now)
        else:
            reason = Case(
                *[When(pk=pk, then=Value(by_id[pk].reason)) for pk in ids],
                default=Value(""),
            )
            PayoutLine.objects.filter(pk__in=ids).update(
                status=to, settled_at=now, bank_reason=reason
            )
        moved += ids
    return moved


@dataclass(frozen=True)
class Reconciliation:
    """A batch's lines in, and how they ended: paid, failed, withdrawn (still pending)."""

    lines_in: int
    fen_in: int
    paid_lines: int
    paid_fen: int
    failed_lines: int
    failed_fen: int
    withdrawn_lines: int
    withdrawn_fen: int
    pending_lines: int
    pending_fen: int

    @property
    def balanced(self) -> bool:
        return (
            self.pending_lines == 0
            and self.lines_in == self.paid_lines + self.failed_lines + self.withdrawn_lines
            and self.fen_in == self.paid_fen + self.failed_fen + self.withdrawn_fen
        )


def batch_reconciliation(batch: PayoutBatch) -> Reconciliation:
    """Counted in the database (one GROUP BY), so it is exact for 100,000 lines too."""
    by: dict[str, tuple[int, int]] = {
        row["status"]: (row["n"], int(row["fen"] or 0))
        for row in PayoutLine.objects.filter(batch=batch)
        .values("status")
        .annotate(n=Count("pk"), fen=Sum("amount_fen"))
        .order_by()
    }

    def of(status: str) -> tuple[int, int]:
        return by.get(status, (0, 0))

    return Reconciliation(
        lines_in=sum(n for n, _ in by.values()),
        fen_in=sum(f for _, f in by.values()),
        paid_lines=of(LineStatus.PAID)[0],
        paid_fen=of(LineStatus.PAID)[1],
        failed_lines=of(LineStatus.FAILED)[0],
        failed_fen=of(LineStatus.FAILED)[1],
        withdrawn_lines=of(LineStatus.CANCELLED)[0],
        withdrawn_fen=of(LineStatus.CANCELLED)[1],
        pending_lines=of(LineStatus.PENDING)[0],
        pending_fen=of(LineStatus.PENDING)[1],
    )


def _close(*, actor: User, batch: PayoutBatch, reason: str) -> PayoutBatch:
    totals = batch_reconciliation(batch)
    if not totals.balanced:
        raise Conflict(
            "batch",
            f"拨付批次「{batch.title}」尚未对平：明细 {totals.lines_in} 笔，到账 "
            f"{totals.paid_lines} 笔、失败 {totals.failed_lines} 笔、撤回 "
            f"{totals.withdrawn_lines} 笔，仍有 {totals.pending_lines} 笔待银行处理，不能结束对账",
        )
    transition(
        obj_or_queryset=batch,
        to=BatchStatus.CLOSED,
        actor=actor,
        reason=reason,
        closed_at=timezone.now(),
        lines_in=totals.lines_in,
        fen_in=totals.fen_in,
        paid_lines=totals.paid_lines,
        paid_fen=totals.paid_fen,
        failed_lines=totals.failed_lines,
        failed_fen=totals.failed_fen,
        withdrawn_lines=totals.withdrawn_lines,
        withdrawn_fen=totals.withdrawn_fen,
    )
    return batch


@transaction.atomic
def payout_batch_close(*, actor: User, batch: PayoutBatch, reason: str = "") -> PayoutBatch:
    """Close a sent batch: only when it reconciles (lines in = paid + failed + withdrawn, in
    count and in fen; nothing pending). The totals are stored and the database checks them
    (`payout_batch_closed_reconciles`)."""
    actor = need_finance(actor, batch.region)
    batch = PayoutBatch.objects.select_for_update().get(pk=batch.pk)
    return _close(actor=actor, batch=batch, reason=reason or "对账完成")


@transaction.atomic
def payout_line_withdraw(*, actor: User, line: PayoutLine, reason: str) -> PayoutLine:
    """Take a pending line out of a sent batch (the bank returned it unprocessed, or finance
    recalled it): the line is withdrawn and its claim returns to 待拨付."""
    actor = need_finance(actor, line.claim.region)
    if not reason.strip():
        raise DomainError("reason", "撤回拨付明细须填写理由")
    batch = PayoutBatch.objects.select_for_update().get(pk=line.batch_id)
    if batch.status != BatchStatus.SENT:
        raise Conflict("batch", f"拨付批次「{batch.title}」不是已提交银行状态，不能撤回明细")
    moved = PayoutLine.objects.filter(pk=line.pk, status=LineStatus.PENDING).update(
        status=LineStatus.CANCELLED, settled_at=timezone.now(), bank_reason=reason[:200]
    )
    if not moved:
        raise Conflict("line", "该明细已处理，不能撤回")
    transition(
        obj_or_queryset=Claim.objects.filter(pk=line.claim_id),
        to=ClaimStatus.PAYABLE,
        actor=actor,
        reason=f"拨付明细撤回：{reason}",
    )
    audit_record(
        actor=actor,
        action=AuditAction.PAYOUT_LINE_WITHDRAW,
        object_type=AuditObject.PAYOUT_LINE,
        object_id=line.pk,
        before={"status": LineStatus.PENDING},
        after={"status": LineStatus.CANCELLED},
        reason=reason,
        region=batch.region,
    )
    line.refresh_from_db()
    return line


def batch_totals(batch: PayoutBatch) -> dict[str, int]:
    """Lines and amounts by status: a closed batch reconciles (in = paid + failed + withdrawn)."""
    totals: dict[str, int] = {"lines": 0, "fen": 0}
    rows = (
        PayoutLine.objects.filter(batch=batch)
        .values("status")
        .annotate(n=Count("pk"), fen=Sum("amount_fen"))
        .order_by()
    )
    for row in rows:
        totals["lines"] += row["n"]
        totals["fen"] += int(row["fen"] or 0)
        totals[f"{row['status']}_lines"] = row["n"]
        totals[f"{row['status']}_fen"] = int(row["fen"] or 0)
    return totals


__all__ = [
    "BankResult",
    "Reconciliation",
    "batch_reconciliation",
    "batch_totals",
    "parse_bank_result_csv",
    "awaiting_new_account",
    "payout_batch_close",
    "payout_line_withdraw",
    "payout_batch_cancel",
    "payout_batch_create",
    "payout_batch_send",
    "payout_line_add",
    "payout_reconcile",
]
