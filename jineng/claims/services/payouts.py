"""Payout batches: finance gathers claims in 待拨付 into a batch, sends it to the bank and imports
the bank's result.

Nothing is paid twice: adding a claim moves it 待拨付 → 拨付中 through the state machine (a locked,
status-checked UPDATE: of 50 simultaneous attempts one moves it), and the database allows at most
one live line (pending or paid) per claim (`payout_line_one_live_per_claim`). A failed line
returns its claim to 待拨付 for a corrected account; an import applied twice changes nothing the
second time (only pending lines are settled). Finance is neither the reviewer nor the approver."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from jineng.audit.services import audit_record, audit_record_batch
from jineng.audit.vocabulary import AuditAction, AuditObject
from jineng.claims.access import holds_role_for
from jineng.claims.models import (
    BatchStatus,
    Claim,
    ClaimStatus,
    FlagStatus,
    LineStatus,
    PayoutBatch,
    PayoutLine,
)
from jineng.claims.services.integrity import integrity_check
from jineng.core.errors import Conflict, DomainError, Forbidden
from jineng.core.regioncodes import region_prefix
from jineng.core.states import transition
from jineng.identity.models import Role, User


def _need_finance(actor: User | None, region: str) -> User:
    if actor is None:
        raise Forbidden("actor", "拨付须由财务人员本人办理，系统不能代为办理")
    if not holds_role_for(actor, Role.BUREAU_FINANCE, region):
        raise PermissionDenied("您无权办理该区域的拨付")
    return actor


def _four_eyes(actor: User, claim: Claim) -> None:
    if actor.pk in (claim.reviewer_id, claim.approver_id):
        raise Forbidden("payer", "财务人员不能拨付本人初审或复审的申领")


@transaction.atomic
def payout_batch_create(
    *,
    actor: User,
    region: str,
    title: str = "",
    due_by: dt.date | None = None,
    item_id: str = "",
) -> PayoutBatch:
    """A batch of every claim in 待拨付 under `region` due by `due_by` (today by default), of one
    item if given. The integrity checks run on the candidates first; a flagged claim, one the
    actor reviewed or approved, or one without a payee account is left out."""
    actor = _need_finance(actor, region)
    day = due_by or timezone.localdate()
    batch = PayoutBatch.objects.create(
        created_by=actor, region=region, title=title.strip() or f"{day} 拨付批次"
    )
    audit_record(
        actor=actor,
        action=AuditAction.PAYOUT_BATCH_CREATE,
        object_type=AuditObject.PAYOUT_BATCH,
        object_id=batch.pk,
        after={"region": region, "due_by": day.isoformat(), "item": item_id},
        region=region,
    )
    candidates = Claim.objects.filter(
        region__startswith=region_prefix(region),
        status=ClaimStatus.PAYABLE,
        due_on__lte=day,
        amount_fen__gt=0,
    ).exclude(payee_account="")
    if item_id:
        candidates = candidates.filter(item_id=item_id)
    candidates = candidates.exclude(Q(reviewer=actor) | Q(approver=actor))
    integrity_check(actor=None, claims=candidates)
    for claim in candidates.exclude(flags__status=FlagStatus.OPEN).order_by("pk"):
        payout_line_add(actor=actor, batch=batch, claim=claim)
    return batch


@transaction.atomic
def payout_line_add(*, actor: User, batch: PayoutBatch, claim: Claim) -> PayoutLine:
    """Put one claim in 待拨付 into an open batch (待拨付 → 拨付中)."""
    actor = _need_finance(actor, claim.region)
    _four_eyes(actor, claim)
    batch = PayoutBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status != BatchStatus.OPEN:
        raise Conflict(
            "batch", f"拨付批次「{batch.title}」已{batch.get_status_display()}，不能再加入申领"
        )
    if claim.flags.filter(status=FlagStatus.OPEN).exists():
        raise Conflict("flags", "该申领有待核查的疑点，核查处理后才能拨付")
    claim.refresh_from_db()
    if not claim.payee_account:
        raise DomainError("payee_account", "该申领尚未确认收款账户")
    transition(
        obj_or_queryset=claim,
        to=ClaimStatus.PAYING,
        actor=actor,
        reason=f"列入拨付批次「{batch.title}」",
        payer=actor,
    )
    try:
        with transaction.atomic():
            line = PayoutLine.objects.create(
                batch=batch, claim=claim, amount_fen=claim.payable_fen, account=claim.payee_account
            )
    except IntegrityError:
        raise Conflict("claim", "该申领已在其他拨付批次中，不能重复拨付") from None
    audit_record(
        actor=actor,
        action=AuditAction.PAYOUT_LINE_ADD,
        object_type=AuditObject.PAYOUT_LINE,
        object_id=line.pk,
        after={"batch": batch.pk, "claim": claim.pk, "amount_fen": line.amount_fen},
        region=claim.region,
    )
    return line


@transaction.atomic
def payout_batch_send(*, actor: User, batch: PayoutBatch, reason: str = "") -> PayoutBatch:
    """The batch's payment file went to the bank: no more changes to its lines."""
    actor = _need_finance(actor, batch.region)
    if not batch.lines.exists():
        raise DomainError("batch", "拨付批次中没有申领，不能提交银行")
    transition(obj_or_queryset=batch, to=BatchStatus.SENT, actor=actor, reason=reason or "提交银行")
    return batch


@transaction.atomic
def payout_batch_cancel(*, actor: User, batch: PayoutBatch, reason: str) -> PayoutBatch:
    """Cancel an open batch: its lines are cancelled and their claims return to 待拨付."""
    actor = _need_finance(actor, batch.region)
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


@dataclass(frozen=True)
class BankResult:
    """One line of the bank's result file: the line's number, paid or not, and the bank's words."""

    line_id: int
    paid: bool
    reason: str = ""


def parse_bank_result_csv(content: str) -> list[BankResult]:
    """Columns 明细编号, 结果 (成功/失败), 说明; a header row first. Errors name the row."""
    rows = list(csv.reader(io.StringIO(content.lstrip("\ufeff"))))
    results: list[BankResult] = []
    for n, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) < 2 or not row[0].strip().isdigit():
            raise DomainError("file", f"第{n}行：明细编号应为数字")
        outcome = row[1].strip()
        if outcome not in ("成功", "失败"):
            raise DomainError("file", f"第{n}行：结果应为“成功”或“失败”")
        reason = row[2].strip() if len(row) > 2 else ""
        results.append(BankResult(int(row[0]), outcome == "成功", reason[:200]))
    return results


@transaction.atomic
def payout_reconcile(
    *, actor: User, batch: PayoutBatch, results: Sequence[BankResult] | Iterable[BankResult]
) -> dict[str, int]:
    """Apply the bank's result to a sent batch: paid lines pay their claims (拨付中 → 已拨付),
        failed ones return them to 待拨付. Lines already settled are left as they are, so the same file
        imported twice changes nothing (a closed batch accepts the same file again and changes
    nothing). When no line is pending the batch is closed (reconciled)."""
    actor = _need_finance(actor, batch.region)
    batch = PayoutBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status not in (BatchStatus.SENT, BatchStatus.CLOSED):
        raise Conflict(
            "batch",
            f"拨付批次「{batch.title}」当前为「{batch.get_status_display()}」，不能导入银行结果",
        )
    results = list(results)
    ids = {r.line_id for r in results}
    lines = {line.pk: line for line in batch.lines.select_for_update().filter(pk__in=ids)}
    unknown = sorted(ids - set(lines))
    if unknown:
        raise DomainError("file", f"明细编号 {unknown[0]} 不属于该批次")
    now = timezone.now()
    paid: list[PayoutLine] = []
    failed: list[PayoutLine] = []
    for r in results:
        line = lines[r.line_id]
        if line.status != LineStatus.PENDING:
            continue
        line.status = LineStatus.PAID if r.paid else LineStatus.FAILED
        line.bank_reason, line.settled_at = r.reason, now
        line.save(update_fields=["status", "bank_reason", "settled_at"])
        (paid if r.paid else failed).append(line)
    if paid:
        transition(
            obj_or_queryset=Claim.objects.filter(pk__in=[x.claim_id for x in paid]),
            to=ClaimStatus.PAID,
            actor=actor,
            reason=f"银行已到账（拨付批次「{batch.title}」）",
        )
    for line in failed:
        transition(
            obj_or_queryset=Claim.objects.filter(pk=line.claim_id),
            to=ClaimStatus.PAYABLE,
            actor=actor,
            reason=f"银行拨付失败：{line.bank_reason or '未说明原因'}",
        )
    if paid or failed:
        audit_record_batch(
            actor=actor,
            action=AuditAction.PAYOUT_RECONCILE,
            object_type=AuditObject.PAYOUT_LINE,
            rows=[
                (x.pk, {"status": LineStatus.PENDING}, {"status": x.status}) for x in paid + failed
            ],
            region=batch.region,
        )
    pending = batch.lines.filter(status=LineStatus.PENDING).exists()
    if batch.status == BatchStatus.SENT and not pending:
        transition(obj_or_queryset=batch, to=BatchStatus.CLOSED, actor=actor, reason="对账完成")
    return {"paid": len(paid), "failed": len(failed)}


def batch_totals(batch: PayoutBatch) -> dict[str, int]:
    """Lines and amounts by status: a closed batch reconciles (in = paid + failed + cancelled)."""
    totals: dict[str, int] = {"lines": 0, "fen": 0}
    for line in batch.lines.all():
        totals["lines"] += 1
        totals["fen"] += line.amount_fen
        totals[f"{line.status}_lines"] = totals.get(f"{line.status}_lines", 0) + 1
        totals[f"{line.status}_fen"] = totals.get(f"{line.status}_fen", 0) + line.amount_fen
    return totals


__all__ = [
    "BankResult",
    "batch_totals",
    "parse_bank_result_csv",
    "payout_batch_cancel",
    "payout_batch_create",
    "payout_batch_send",
    "payout_line_add",
    "payout_reconcile",
]
