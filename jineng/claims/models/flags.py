"""Integrity flags: a check's finding with its evidence, cleared or upheld by an officer."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jineng.audit.vocabulary import AuditAction, AuditObject
from jineng.claims.models.claims import Claim
from jineng.core.states import StateMachine

# --- integrity flags ----------------------------------------------------------------------------


class FlagKind(models.TextChoices):
    DUPLICATE = "duplicate", _("疑似重复申领")
    EXCLUSIVE = "exclusive", _("同一职业同一等级重复享受")
    FOREIGN_ACCOUNT = "foreign_account", _("收款账户非本人账户")
    # The region-wide checks of services/checks.py (issue 10 §5).
    REPEAT_LEVEL = "repeat_level", _("同一职业同一等级再次申领")
    PER_YEAR = "per_year", _("一年内超过规定次数")
    LOWER_AFTER_HIGHER = "lower_after_higher", _("取得高等级后申领低等级")
    GHOST_RETIRED = "ghost_retired", _("培训时已超过退休年龄")
    GHOST_DECEASED = "ghost_deceased", _("培训时已死亡")
    GHOST_STUDENT = "ghost_student", _("培训时为全日制在校学生")
    GHOST_PUBLIC_STAFF = "ghost_public_staff", _("培训时为机关事业单位在编人员")
    SHARED_ACCOUNT = "shared_account", _("多名受益人共用一个收款账户")
    SHARED_PHONE = "shared_phone", _("多名受益人共用一个手机号码")
    VOLUME_OUTLIER = "volume_outlier", _("培训机构培训量异常偏高")
    CERTIFICATE_REVOKED = "certificate_revoked", _("所依据的证书已撤销")
    # The checks over the learning ledger (services/checks_ledger.py, issue 10 §5).
    OVERLAPPING_CLASSES = "overlapping_classes", _("参加时间重叠的培训班")
    FASTER_THAN_REAL = "faster_than_real", _("认定学习时长超过实际经过时间")
    PART_TIME_TEACHER = "part_time_teacher", _("兼职教师一年任教超过三家机构")
    FULL_TIME_RATIO = "full_time_ratio", _("培训机构专职教师不足三分之一")
    SHARED_DEVICE = "shared_device", _("同一设备为多名学员签到")
    SHARED_NETWORK = "shared_network", _("同一网络为多名学员签到")
    OUTSIDE_LICENCE = "outside_licence", _("证书超出发证机构评价范围")


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
