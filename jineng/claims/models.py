"""Claims: an entitlement the policy engine found, frozen as a claim (amount, schedule, clause
and the engine's explanation as of its creation), reviewed by four eyes and paid once.

- `Claim`: one (beneficiary, policy item, trigger fact, instalment). An *original* claim's key
  is unique in the database (`claim_unique_key`): a key is claimed once. A later policy change or
  a corrected fact never edits a claim; it adds an *adjustment* linked to the original (a
  difference claim, positive, or a recovery 追回, negative), numbered per original.
- `ClaimObjection`: an objection raised during 公示 and its answer.
- `ClaimRun`: a 免申即享 run over a region on a date (a job on `jineng.core.jobs`).
- `Message` / `SmsRecord`: the in-app inbox, and what the recording SMS provider "sent".
- `PayoutBatch` / `PayoutLine`: finance's batches; a claim is in at most one live line
  (`payout_line_one_live_per_claim`), so nothing is paid twice.
- `ClaimFlag`: an integrity check's finding with its evidence, cleared or upheld by an officer.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jineng.audit.vocabulary import AuditAction, AuditObject
from jineng.core.jobs import job_transitions
from jineng.core.states import StateMachine
from jineng.identity.fields import EncryptedTextField
from jineng.identity.masking import mask_bank_account


class ClaimStatus(models.TextChoices):
    ACCEPTED = "accepted", _("已受理")
    REVIEWED = "reviewed", _("初审通过")
    PUBLICITY = "publicity", _("公示中")
    PAYABLE = "payable", _("待拨付")
    PAYING = "paying", _("拨付中")
    PAID = "paid", _("已拨付")
    RETURNED = "returned", _("退回补正")
    REFUSED = "refused", _("不予支持")
    WITHDRAWN = "withdrawn", _("已撤回")
    RECOVERED = "recovered", _("已追回")


class ClaimKind(models.TextChoices):
    ORIGINAL = "original", _("原始申领")
    DIFFERENCE = "difference", _("补差")
    RECOVERY = "recovery", _("追回")


class ClaimSource(models.TextChoices):
    AUTOMATIC = "automatic", _("免申即享")
    APPLICATION = "application", _("依申请")
    ADJUSTMENT = "adjustment", _("政策或事实变更")


# Statuses in which a claim no longer counts towards what is owed.
CLOSED_STATUSES = frozenset({ClaimStatus.REFUSED, ClaimStatus.WITHDRAWN})


class Claim(models.Model):
    person = models.ForeignKey(
        "identity.Person",
        verbose_name=_("受益人员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="claims",
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("受益单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="claims",
    )
    # The engine's subject id ("P12" / "O3"): the beneficiary part of the key.
    subject_key = models.CharField(_("受益对象"), max_length=24)
    item_id = models.CharField(_("政策事项"), max_length=100)
    item_title = models.CharField(_("事项名称"), max_length=200)
    # The trigger fact's id (the root of its correction chain: a corrected fact keeps the key).
    fact_id = models.CharField(_("触发事实"), max_length=40)
    instalment = models.PositiveSmallIntegerField(_("期次"), default=1)
    kind = models.CharField(
        _("类别"), max_length=12, choices=ClaimKind.choices, default=ClaimKind.ORIGINAL
    )
    original = models.ForeignKey(
        "self",
        verbose_name=_("原申领"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="adjustments",
    )
    revision = models.PositiveSmallIntegerField(_("调整序号"), default=0)
    source = models.CharField(_("来源"), max_length=12, choices=ClaimSource.choices)
    region = models.CharField(_("所属区域"), max_length=12, db_index=True)
    # The trigger fact's occupation (or other code) and level, for the integrity checks.
    trigger_kind = models.CharField(_("触发事实类别"), max_length=24, blank=True)
    trigger_code = models.CharField(_("触发事实代码"), max_length=64, blank=True)
    trigger_level = models.CharField(_("触发事实等级"), max_length=24, blank=True)
    trigger_date = models.DateField(_("触发日期"))
    # Money in integer fen. `amount_fen` is the engine's amount for this instalment (negative for a
    # recovery); min/max the engine's range for a discretionary amount; `decided_fen` the
    # approver's decision within it.
    amount_fen = models.BigIntegerField(_("金额（分）"))
    min_fen = models.BigIntegerField(_("下限（分）"), default=0)
    max_fen = models.BigIntegerField(_("上限（分）"), default=0)
    discretionary = models.BooleanField(_("酌定金额"), default=False)
    decided_fen = models.BigIntegerField(_("核定金额（分）"), null=True, blank=True)
    decided_reason = models.TextField(_("核定理由"), blank=True)
    due_on = models.DateField(_("应付日期"))
    schedule = models.JSONField(_("发放安排"), default=list)
    citation = models.JSONField(_("政策依据"), default=dict)
    explanation = models.JSONField(_("测算说明"), default=dict)
    evaluated_on = models.DateField(_("测算日期"))
    run = models.ForeignKey(
        "claims.ClaimRun",
        verbose_name=_("免申即享批次"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="claims",
    )
    payee_account = EncryptedTextField(_("收款账号"), blank=True)
    payee_account_index = models.CharField(max_length=32, blank=True, editable=False)
    status = models.CharField(
        _("状态"),
        max_length=12,
        choices=ClaimStatus.choices,
        default=ClaimStatus.ACCEPTED,
        db_index=True,
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("初审人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("复审人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    payer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("拨付经办人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    publicity_ends = models.DateField(_("公示截止"), null=True, blank=True)
    status_reason = models.TextField(_("最近一次处理理由"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("待遇申领")
        verbose_name_plural = _("待遇申领")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["subject_key", "item_id", "fact_id", "instalment"],
                condition=Q(kind="original"),
                name="claim_unique_key",
            ),
            models.UniqueConstraint(
                fields=["original", "revision"],
                condition=Q(original__isnull=False),
                name="claim_unique_adjustment",
            ),
            models.CheckConstraint(
                condition=(Q(person__isnull=False) & Q(organisation__isnull=True))
                | (Q(person__isnull=True) & Q(organisation__isnull=False)),
                name="claim_one_beneficiary",
            ),
            models.CheckConstraint(
                condition=(Q(kind="original") & Q(original__isnull=True) & Q(revision=0))
                | (~Q(kind="original") & Q(original__isnull=False) & Q(revision__gt=0)),
                name="claim_adjustment_linked",
            ),
            models.CheckConstraint(
                condition=Q(decided_fen__isnull=True)
                | (
                    Q(decided_fen__gte=models.F("min_fen"))
                    & Q(decided_fen__lte=models.F("max_fen"))
                ),
                name="claim_decided_within_range",
            ),
        ]
        indexes = [
            models.Index(
                fields=["subject_key", "trigger_code", "trigger_level"], name="claim_trigger"
            ),
            models.Index(fields=["payee_account_index"], name="claim_payee_index"),
        ]

    def __str__(self) -> str:
        return f"{self.item_title}（{self.get_status_display()}）"

    def save(self, *args: object, **kwargs: object) -> None:
        from jineng.identity.crypto import blind_index

        self.payee_account_index = blind_index(self.payee_account) if self.payee_account else ""
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @property
    def payable_fen(self) -> int:
        """What is owed: the approver's decision for a discretionary amount, else the engine's."""
        return int(self.decided_fen if self.decided_fen is not None else self.amount_fen)

    @property
    def masked_payee_account(self) -> str:
        return mask_bank_account(self.payee_account)

    @property
    def beneficiary_name(self) -> str:
        who = self.person if self.person_id else self.organisation
        return str(getattr(who, "name", ""))


def _describe_claim(claim: Claim) -> str:
    return f"申领「{claim.item_title}」"


# 受理 → 初审 (reviewer) → 复审 (approver, into 公示) → 待拨付 → 拨付中 (in a batch) → 已拨付;
# return for correction (and resubmission), refusal, withdrawal, recovery of a paid claim.
CLAIM_TRANSITIONS: dict[str, frozenset[str]] = {
    ClaimStatus.ACCEPTED: frozenset(
        {ClaimStatus.REVIEWED, ClaimStatus.RETURNED, ClaimStatus.REFUSED, ClaimStatus.WITHDRAWN}
    ),
    ClaimStatus.RETURNED: frozenset({ClaimStatus.ACCEPTED, ClaimStatus.WITHDRAWN}),
    ClaimStatus.REVIEWED: frozenset(
        {ClaimStatus.PUBLICITY, ClaimStatus.RETURNED, ClaimStatus.REFUSED, ClaimStatus.WITHDRAWN}
    ),
    ClaimStatus.PUBLICITY: frozenset(
        {ClaimStatus.PAYABLE, ClaimStatus.REFUSED, ClaimStatus.WITHDRAWN}
    ),
    ClaimStatus.PAYABLE: frozenset({ClaimStatus.PAYING, ClaimStatus.WITHDRAWN}),
    ClaimStatus.PAYING: frozenset({ClaimStatus.PAID, ClaimStatus.PAYABLE}),
    ClaimStatus.PAID: frozenset({ClaimStatus.RECOVERED}),
}

CLAIM_STATES: StateMachine[Claim] = StateMachine(
    Claim,
    CLAIM_TRANSITIONS,
    ClaimStatus,
    object_type=AuditObject.CLAIM,
    audit_action=AuditAction.CLAIM_MOVE,
    describe=_describe_claim,
)


class ClaimObjection(models.Model):
    claim = models.ForeignKey(
        Claim, verbose_name=_("申领"), on_delete=models.PROTECT, related_name="objections"
    )
    text = models.TextField(_("异议内容"))
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提出人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    raised_at = models.DateTimeField(_("提出时间"), auto_now_add=True)
    answer = models.TextField(_("答复"), blank=True)
    upheld = models.BooleanField(_("异议成立"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("答复人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("公示异议")
        verbose_name_plural = _("公示异议")
        ordering = ["raised_at", "pk"]

    def __str__(self) -> str:
        return str(f"公示异议（{self.raised_at:%Y-%m-%d}）")


# --- 免申即享 runs ------------------------------------------------------------------------------


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("进行中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class ClaimRun(models.Model):
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发起人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("发起时间"), auto_now_add=True)
    region = models.CharField(_("区域"), max_length=12, db_index=True)
    on = models.DateField(_("测算日期"))
    status = models.CharField(
        _("状态"), max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED
    )
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("最近心跳"), null=True, blank=True)
    error = models.TextField(_("错误"), blank=True)
    subject_total = models.PositiveIntegerField(_("对象总数"), default=0)
    subjects_done = models.PositiveIntegerField(_("已处理对象"), default=0)
    # The restart point: subjects are processed in key order, the last one finished is kept.
    cursor = models.CharField(_("续跑位置"), max_length=24, blank=True)
    claims_created = models.PositiveIntegerField(_("新建申领"), default=0)

    class Meta:
        verbose_name = _("免申即享批次")
        verbose_name_plural = _("免申即享批次")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return str(f"免申即享批次（{self.on}）")

    @property
    def progress(self) -> int:
        if not self.subject_total:
            return 100 if self.status == RunStatus.DONE else 0
        return min(100, self.subjects_done * 100 // self.subject_total)


# The job lifecycle plus a restart: a failed run (its worker died, or an error) is queued again
# and resumes after its cursor.
CLAIM_RUN_STATES: StateMachine[ClaimRun] = StateMachine(
    ClaimRun,
    job_transitions(failed=frozenset({RunStatus.QUEUED})),
    RunStatus,
    describe=lambda run: f"免申即享批次（{run.on}）",
)


# --- messages -----------------------------------------------------------------------------------


class Message(models.Model):
    """An in-app inbox message to a person or an organisation."""

    person = models.ForeignKey(
        "identity.Person",
        verbose_name=_("收件人员"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="messages",
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("收件单位"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="messages",
    )
    claim = models.ForeignKey(
        Claim,
        verbose_name=_("相关申领"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="messages",
    )
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"))
    created_at = models.DateTimeField(_("发送时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("站内消息")
        verbose_name_plural = _("站内消息")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return str(self.title)


class SmsRecord(models.Model):
    """What the recording SMS provider would have sent (no real SMS leaves the system)."""

    person = models.ForeignKey(
        "identity.Person", verbose_name=_("人员"), on_delete=models.CASCADE, related_name="+"
    )
    phone_masked = models.CharField(_("手机号"), max_length=20)
    text = models.TextField(_("短信内容"))
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("短信记录")
        verbose_name_plural = _("短信记录")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return str(f"短信（{self.phone_masked}）")


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


# --- integrity flags ----------------------------------------------------------------------------


class FlagKind(models.TextChoices):
    DUPLICATE = "duplicate", _("疑似重复申领")
    EXCLUSIVE = "exclusive", _("同一职业同一等级重复享受")
    FOREIGN_ACCOUNT = "foreign_account", _("收款账户非本人账户")


class FlagStatus(models.TextChoices):
    OPEN = "open", _("待核查")
    CLEARED = "cleared", _("核查无误")
    UPHELD = "upheld", _("确认问题")


class ClaimFlag(models.Model):
    claim = models.ForeignKey(
        Claim, verbose_name=_("申领"), on_delete=models.PROTECT, related_name="flags"
    )
    kind = models.CharField(_("类别"), max_length=20, choices=FlagKind.choices)
    evidence = models.JSONField(_("依据"), default=dict)
    status = models.CharField(
        _("状态"), max_length=10, choices=FlagStatus.choices, default=FlagStatus.OPEN
    )
    created_at = models.DateTimeField(_("发现时间"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("核查人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("核查时间"), null=True, blank=True)
    reason = models.TextField(_("核查理由"), blank=True)

    class Meta:
        verbose_name = _("核查疑点")
        verbose_name_plural = _("核查疑点")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # One open flag of a kind per claim: running the checks again adds nothing.
            models.UniqueConstraint(
                fields=["claim", "kind"], condition=Q(status="open"), name="claim_flag_one_open"
            )
        ]

    def __str__(self) -> str:
        return str(self.get_kind_display())


FLAG_STATES: StateMachine[ClaimFlag] = StateMachine(
    ClaimFlag,
    {FlagStatus.OPEN: frozenset({FlagStatus.CLEARED, FlagStatus.UPHELD})},
    FlagStatus,
    object_type=AuditObject.CLAIM_FLAG,
    audit_action=AuditAction.CLAIM_FLAG_DECIDE,
    describe=lambda flag: f"核查疑点「{flag.get_kind_display()}」",
)
