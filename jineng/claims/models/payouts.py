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
    # What the batch was built from (shown on its page): an item, a town, a due date.
    item_id = models.CharField(_("政策事项"), max_length=100, blank=True)
    due_by = models.DateField(_("应付日期截止"), null=True, blank=True)
    exported_at = models.DateTimeField(_("最近导出时间"), null=True, blank=True)
    sent_at = models.DateTimeField(_("提交银行时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("对账完成时间"), null=True, blank=True)
    # The reconciliation, counted from the lines when the batch closes: the database refuses a
    # closed batch whose lines in are not paid + failed + withdrawn, in count and in fen.
    lines_in = models.PositiveIntegerField(_("明细笔数"), default=0)
    fen_in = models.BigIntegerField(_("明细金额（分）"), default=0)
    paid_lines = models.PositiveIntegerField(_("到账笔数"), default=0)
    paid_fen = models.BigIntegerField(_("到账金额（分）"), default=0)
    failed_lines = models.PositiveIntegerField(_("失败笔数"), default=0)
    failed_fen = models.BigIntegerField(_("失败金额（分）"), default=0)
    withdrawn_lines = models.PositiveIntegerField(_("撤回笔数"), default=0)
    withdrawn_fen = models.BigIntegerField(_("撤回金额（分）"), default=0)

    class Meta:
        verbose_name = _("拨付批次")
        verbose_name_plural = _("拨付批次")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="closed")
                | (
                    Q(
                        lines_in=models.F("paid_lines")
                        + models.F("failed_lines")
                        + models.F("withdrawn_lines")
                    )
                    & Q(
                        fen_in=models.F("paid_fen")
                        + models.F("failed_fen")
                        + models.F("withdrawn_fen")
                    )
                ),
                name="payout_batch_closed_reconciles",
            )
        ]

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
    CANCELLED = "cancelled", _("已撤回")


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


class PayoutResultFile(models.Model):
    """A bank result file imported into a batch, by its SHA-256: the same file again is
    recognised and changes nothing."""

    batch = models.ForeignKey(
        PayoutBatch, verbose_name=_("批次"), on_delete=models.PROTECT, related_name="result_files"
    )
    sha256 = models.CharField(_("文件摘要"), max_length=64)
    name = models.CharField(_("文件名"), max_length=200, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("导入人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    imported_at = models.DateTimeField(_("导入时间"), auto_now_add=True)
    rows = models.PositiveIntegerField(_("行数"), default=0)
    paid = models.PositiveIntegerField(_("新到账"), default=0)
    failed = models.PositiveIntegerField(_("新失败"), default=0)

    class Meta:
        verbose_name = _("银行结果文件")
        verbose_name_plural = _("银行结果文件")
        ordering = ["-imported_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "sha256"], name="payout_result_file_once")
        ]

    def __str__(self) -> str:
        return str(self.name or "银行结果文件")
