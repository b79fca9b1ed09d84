"""Claims (one beneficiary, policy item, trigger fact and instalment), their review states and 公示 objections."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jineng.audit.vocabulary import AuditAction, AuditObject
from jineng.core.states import StateMachine
from jineng.identity.fields import EncryptedTextField
from jineng.identity.masking import mask_bank_account


class ClaimStatus(models.TextChoices):
    ACCEPTED = "accepted", _("已受理")
    REVIEWED = "reviewed", _("初审通过")
    PUBLICITY = "publicity", _("公示中")
    PAYABLE = "payable", _("待拨付")
    # A later instalment of an approved entitlement, waiting for its date (services/schedule.py).
    SCHEDULED = "scheduled", _("待到期")
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
        self.index_payee_account()
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def index_payee_account(self) -> None:
        """The account's blind index, set by save() (and by whoever bulk-inserts claims)."""
        from jineng.identity.crypto import blind_index

        self.payee_account_index = blind_index(self.payee_account) if self.payee_account else ""

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
        {
            ClaimStatus.REVIEWED,
            ClaimStatus.RETURNED,
            ClaimStatus.REFUSED,
            ClaimStatus.WITHDRAWN,
            ClaimStatus.SCHEDULED,
        }
    ),
    ClaimStatus.RETURNED: frozenset({ClaimStatus.ACCEPTED, ClaimStatus.WITHDRAWN}),
    ClaimStatus.REVIEWED: frozenset(
        {ClaimStatus.PUBLICITY, ClaimStatus.RETURNED, ClaimStatus.REFUSED, ClaimStatus.WITHDRAWN}
    ),
    ClaimStatus.PUBLICITY: frozenset(
        {ClaimStatus.PAYABLE, ClaimStatus.REFUSED, ClaimStatus.WITHDRAWN}
    ),
    ClaimStatus.PAYABLE: frozenset({ClaimStatus.PAYING, ClaimStatus.WITHDRAWN}),
    # A later instalment follows its first instalment's approval (the schedule was part of what
    # the four eyes approved) and becomes payable on its date.
    ClaimStatus.SCHEDULED: frozenset({ClaimStatus.PAYABLE, ClaimStatus.WITHDRAWN}),
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
