"""Building a payout batch, set-based: the claims in 待拨付 are checked, locked and moved
待拨付 → 拨付中 by status-checked UPDATEs in chunks (one audit entry per claim, written in
batches), and their lines are bulk-inserted (one audit entry per line, batched), so a batch of
100,000 claims is a few hundred statements, not several per claim. `payout_line_add` adds one
claim by hand. Finance is neither the reviewer nor the approver of what it pays."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Q, QuerySet, Subquery
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
from jineng.identity.fields import EncryptedTextField
from jineng.identity.models import Role, User

CHUNK = 5000  # rows per status-checked UPDATE (PostgreSQL takes at most 65,535 parameters)


def chunks(values: list[int]) -> Iterator[list[int]]:
    for i in range(0, len(values), CHUNK):
        yield values[i : i + CHUNK]


def need_finance(actor: User | None, region: str) -> User:
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
    """A batch of every claim in 待拨付 under `region` (a district, or one town) due by `due_by`
    (today by default), of one item if given. The integrity checks run on the candidates first;
    a flagged claim, one the actor reviewed or approved, one without a payee account, or one
    whose last payment failed and whose account has not been corrected since is left out."""
    actor = need_finance(actor, region)
    day = due_by or timezone.localdate()
    batch = PayoutBatch.objects.create(
        created_by=actor,
        region=region,
        title=title.strip() or f"{day} 拨付批次",
        item_id=item_id,
        due_by=day,
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
    waiting = awaiting_new_account(candidates)
    chosen = candidates.exclude(flags__status=FlagStatus.OPEN).exclude(pk__in=sorted(waiting))
    _add_lines(actor, batch, list(chosen.order_by("pk").values_list("pk", flat=True)))
    return batch


def awaiting_new_account(claims: QuerySet[Claim]) -> set[int]:
    """Claims whose last payout line failed and that are still to be paid to the same account:
    sending them again would fail again, so they wait until the payee confirms a new account
    (`claim_account_confirm`). One query: each failed claim with its last line's status and
    account (accounts are encrypted with a random nonce, so they are compared decrypted, for
    the failed claims only)."""
    last = PayoutLine.objects.filter(claim=OuterRef("pk")).order_by("-pk")
    rows = (
        claims.filter(payout_lines__status=LineStatus.FAILED)
        .distinct()
        .annotate(
            last_status=Subquery(last.values("status")[:1]),
            last_account=Subquery(last.values("account")[:1], output_field=EncryptedTextField()),
        )
        .values_list("pk", "payee_account", "last_status", "last_account")
    )
    return {
        pk
        for pk, account, status, last_account in rows
        if status == LineStatus.FAILED and last_account == account
    }


def _add_lines(actor: User, batch: PayoutBatch, claim_ids: list[int]) -> int:
    """Move these claims 待拨付 → 拨付中 and give each a pending line in `batch`, chunk by chunk:
    the chunk's claims still in 待拨付 are locked, moved together (status-checked UPDATE, one
    audit entry each, batched) and their lines bulk-inserted. A claim that moved meanwhile is
    skipped; one that somehow has a live line refuses the whole batch (the database's
    `payout_line_one_live_per_claim`)."""
    reason = f"列入拨付批次「{batch.title}」"
    added = 0
    for chunk in chunks(claim_ids):
        locked = list(
            Claim.objects.filter(pk__in=chunk, status=ClaimStatus.PAYABLE)
            .select_for_update()
            .order_by("pk")
            .values_list("pk", "amount_fen", "decided_fen", "payee_account")
        )
        if not locked:
            continue
        transition(
            obj_or_queryset=Claim.objects.filter(pk__in=[row[0] for row in locked]),
            to=ClaimStatus.PAYING,
            actor=actor,
            reason=reason,
            payer=actor,
        )
        lines = [
            PayoutLine(
                batch=batch,
                claim_id=pk,
                amount_fen=int(decided if decided is not None else amount),
                account=account,
            )
            for pk, amount, decided, account in locked
        ]
        try:
            with transaction.atomic():
                PayoutLine.objects.bulk_create(lines)
        except IntegrityError:
            raise Conflict("claim", "该申领已在其他拨付批次中，不能重复拨付") from None
        audit_record_batch(
            actor=actor,
            action=AuditAction.PAYOUT_LINE_ADD,
            object_type=AuditObject.PAYOUT_LINE,
            rows=[
                (
                    line.pk,
                    None,
                    {"batch": batch.pk, "claim": line.claim_id, "amount_fen": line.amount_fen},
                )
                for line in lines
            ],
        )
        added += len(lines)
    return added


@transaction.atomic
def payout_line_add(*, actor: User, batch: PayoutBatch, claim: Claim) -> PayoutLine:
    """Put one claim in 待拨付 into an open batch (待拨付 → 拨付中)."""
    actor = need_finance(actor, claim.region)
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
