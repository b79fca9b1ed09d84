"""Finance's payout batches and lines: a claim is in at most one live line, so nothing is paid twice."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jineng.audit.vocabulary import AuditAction, AuditObject
from jineng.claims.models.claims import Claim
from jineng.core.states import StateMachine
from jineng.identity.fields import EncryptedTextField
from jineng.identity.masking import mask_bank_account

# --- payouts ------------------------------------------------------------------------------------


class BatchStatus(models.TextChoices):
    OPEN = "open", _("编制中")
    SENT = "sent", _("已提交银行")
    CLOSED = "closed", _("已对账")
    CANCELLED = "cancelled", _("已作废")


class PayoutBatch(models.Model):
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("编制人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("编制时间"), auto_now_add=True)
    region = models.CharField(_("区域"), max_length=12, db_index=True)
    title = models.CharField(_("批次名称"), max_length=200)
    status = models.CharField(
        _("状态"), max_length=10, choices=BatchStatus.choices, default=BatchStatus.OPEN
    )

    class Meta:
        verbose_name = _("拨付批次")
        verbose_name_plural = _("拨付批次")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return str(self.title)


BATCH_STATES: StateMachine[PayoutBatch] = StateMachine(
    PayoutBatch,
    {
        BatchStatus.OPEN: frozenset({BatchStatus.SENT, BatchStatus.CANCELLED}),
        BatchStatus.SENT: frozenset({BatchStatus.CLOSED}),
    },
    BatchStatus,
    object_type=AuditObject.PAYOUT_BATCH,
    audit_action=AuditAction.PAYOUT_BATCH_MOVE,
    describe=lambda batch: f"拨付批次「{batch.title}」",
)


class LineStatus(models.TextChoices):
    PENDING = "pending", _("待银行处理")
    PAID = "paid", _("已到账")
    FAILED = "failed", _("拨付失败")
    CANCELLED = "cancelled", _("已作废")


# A line in one of these statuses holds its claim: at most one per claim.
LIVE_LINE_STATUSES = (LineStatus.PENDING, LineStatus.PAID)


class PayoutLine(models.Model):
    batch = models.ForeignKey(
        PayoutBatch, verbose_name=_("批次"), on_delete=models.PROTECT, related_name="lines"
    )
    claim = models.ForeignKey(
        Claim, verbose_name=_("申领"), on_delete=models.PROTECT, related_name="payout_lines"
    )
    amount_fen = models.BigIntegerField(_("金额（分）"))
    account = EncryptedTextField(_("收款账号"), blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=LineStatus.choices, default=LineStatus.PENDING
    )
    bank_reason = models.CharField(_("银行说明"), max_length=200, blank=True)
    settled_at = models.DateTimeField(_("处理时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("拨付明细")
        verbose_name_plural = _("拨付明细")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["claim"],
                condition=Q(status__in=["pending", "paid"]),
                name="payout_line_one_live_per_claim",
            )
        ]

    def __str__(self) -> str:
        return str(f"拨付明细（{self.get_status_display()}）")

    @property
    def masked_account(self) -> str:
        return mask_bank_account(self.account)
