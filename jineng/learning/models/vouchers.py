"""Training vouchers (职业培训券, issue 8 §7; 000 art. 7: "依托电子社保卡…发放职业培训券"; 004 §5).

A batch is one issue by the bureau (by rule or by roster import); each voucher is bound to one
person (not transferable: only the holder claims it, and it is redeemed only by a training record
of the holder), carries its value in fen, an optional occupation scope (the batch's) and a
validity of at most LEARNING_VOUCHER_VALIDITY_DAYS. The statuses are `VOUCHER_STATES` below; at most one voucher of a person is active (a partial unique
constraint), and a voucher is redeemed by at most one record (one-to-one)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jineng.audit.vocabulary import AuditAction, AuditObject
from jineng.core.states import StateMachine


class VoucherStatus(models.TextChoices):
    ISSUED = "issued", _("已发放")
    CLAIMED = "claimed", _("已领取")
    VERIFIED = "verified", _("已核验报名")
    REDEEMED = "redeemed", _("已兑付")
    EXPIRED = "expired", _("已过期")
    CANCELLED = "cancelled", _("已作废")


ACTIVE_VOUCHER_STATUSES = (VoucherStatus.ISSUED, VoucherStatus.CLAIMED, VoucherStatus.VERIFIED)


class VoucherBatchKind(models.TextChoices):
    RULE = "rule", _("按条件发放")
    ROSTER = "roster", _("按名单导入")


class VoucherBatch(models.Model):
    name = models.CharField(_("批次名称"), max_length=100)
    kind = models.CharField(_("发放途径"), max_length=10, choices=VoucherBatchKind.choices)
    region = models.ForeignKey(
        "reference.Region", verbose_name=_("发放地区"), on_delete=models.PROTECT, related_name="+"
    )
    value_fen = models.PositiveIntegerField(_("面额（分）"))
    occupations = models.ManyToManyField(
        "reference.Occupation", verbose_name=_("适用职业"), blank=True, related_name="+"
    )
    valid_from = models.DateField(_("有效期起"))
    valid_until = models.DateField(_("有效期止"))
    rule = models.CharField(_("发放条件"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发放人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("发放时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("培训券发放批次")
        verbose_name_plural = _("培训券发放批次")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(value_fen__gt=0), name="voucher_batch_value"),
            models.CheckConstraint(
                condition=Q(valid_until__gte=models.F("valid_from")), name="voucher_batch_dates"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class TrainingVoucher(models.Model):
    batch = models.ForeignKey(
        VoucherBatch, verbose_name=_("批次"), on_delete=models.PROTECT, related_name="vouchers"
    )
    person = models.ForeignKey(
        "identity.Person",
        verbose_name=_("持券人"),
        on_delete=models.PROTECT,
        related_name="training_vouchers",
    )
    # The code shown as the QR and typed at the institution (random, jineng.learning.services.vouchers).
    code = models.CharField(_("券号"), max_length=16, unique=True)
    value_fen = models.PositiveIntegerField(_("面额（分）"))
    valid_from = models.DateField(_("有效期起"))
    valid_until = models.DateField(_("有效期止"))
    status = models.CharField(
        _("状态"), max_length=10, choices=VoucherStatus.choices, default=VoucherStatus.ISSUED
    )
    claimed_at = models.DateTimeField(_("领取时间"), null=True, blank=True)
    verified_at = models.DateTimeField(_("核验时间"), null=True, blank=True)
    verified_on = models.DateField(_("报名日期"), null=True, blank=True)
    verified_institution = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("核验机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="verified_vouchers",
    )
    verified_occupation = models.ForeignKey(
        "reference.Occupation",
        verbose_name=_("报名职业"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    enrolment_ref = models.CharField(_("报名记录"), max_length=100, blank=True)
    redeemed_at = models.DateTimeField(_("兑付时间"), null=True, blank=True)
    redeemed_record = models.OneToOneField(
        "learning.TrainingRecord",
        verbose_name=_("兑付的培训记录"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="voucher",
    )
    ended_at = models.DateTimeField(_("失效时间"), null=True, blank=True)
    cancel_reason = models.CharField(_("作废原因"), max_length=200, blank=True)
    issued_at = models.DateTimeField(_("发放时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("职业培训券")
        verbose_name_plural = _("职业培训券")
        ordering = ["-issued_at", "-id"]
        constraints = [
            # One active voucher per person (issued, claimed or verified).
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(status__in=["issued", "claimed", "verified"]),
                name="voucher_one_active",
            ),
            models.CheckConstraint(condition=Q(value_fen__gt=0), name="voucher_value"),
            models.CheckConstraint(
                condition=~Q(status="redeemed") | Q(redeemed_record__isnull=False),
                name="voucher_redeemed_record",
            ),
        ]
        indexes = [
            models.Index(fields=["batch", "status"], name="voucher_batch_status"),
            models.Index(fields=["status", "valid_until"], name="voucher_expiry"),
        ]

    def __str__(self) -> str:
        return self.code


# issued → claimed (the holder, on the phone) → verified (enrolment at a designated institution)
# → redeemed (completion); verified → claimed when its enrolment is withdrawn (released). Issued and claimed vouchers expire after `valid_until` (a job); a
# verified one does not: the holder enrolled within the validity. Every move is audited; the
# action is given per move (claim, verify, …), this default covers none of them.
VOUCHER_STATES: StateMachine[TrainingVoucher] = StateMachine(
    TrainingVoucher,
    {
        VoucherStatus.ISSUED: {
            VoucherStatus.CLAIMED,
            VoucherStatus.EXPIRED,
            VoucherStatus.CANCELLED,
        },
        VoucherStatus.CLAIMED: {
            VoucherStatus.VERIFIED,
            VoucherStatus.EXPIRED,
            VoucherStatus.CANCELLED,
        },
        # verified → claimed: the enrolment it was verified for was withdrawn or cancelled
        # (`voucher_release`), so the holder may use it for another class.
        VoucherStatus.VERIFIED: {
            VoucherStatus.REDEEMED,
            VoucherStatus.CANCELLED,
            VoucherStatus.CLAIMED,
        },
    },
    VoucherStatus,
    object_type=AuditObject.TRAINING_VOUCHER,
    audit_action=AuditAction.UPDATE,
    describe=lambda v: f"培训券“{v.code}”",
)
