"""Certificates (职业技能等级证书): who may issue which occupation and level, the serial counters
behind the national number, and the certificates themselves.

A certificate is written once and then changes only its status, through the services: suspended
(暂停, with reason, reversible: reinstated to valid), revoked (permanent, with reason, by whom,
when) or superseded by a later certificate (`CERTIFICATE_STATES`). The signed token
made at issue (`token`, a compact JWS over the printed fields, see `signing.py`) stays on the row,
so the verification page can tell a row edited behind the services' back from a genuine one.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from jineng.core.jobs import job_transitions
from jineng.core.states import StateMachine
from jineng.reference.models import SkillLevel


class Issuer(models.Model):
    """An organisation licensed to issue certificates, with the codes its numbers carry.

    The organisations app keeps no licence scope, so this app owns it (one row per issuing
    organisation, the occupations and levels in `IssuerScope`)."""

    organisation = models.OneToOneField(
        "organisations.Organisation",
        verbose_name=_("发证机构"),
        on_delete=models.PROTECT,
        related_name="certificate_issuer",
    )
    agency_code = models.CharField(_("机构代码（4位）"), max_length=4)
    site_code = models.CharField(_("评价站点代码（6位）"), max_length=6)
    valid_from = models.DateField(_("备案起始"), null=True, blank=True)
    valid_to = models.DateField(_("备案截止"), null=True, blank=True)

    class Meta:
        verbose_name = _("发证机构备案")
        verbose_name_plural = _("发证机构备案")
        constraints = [
            models.UniqueConstraint(
                fields=["agency_code", "site_code"], name="certificate_issuer_codes_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation}"


class IssuerScope(models.Model):
    """One occupation and level an issuer may certify (its licence scope, as data)."""

    issuer = models.ForeignKey(
        Issuer, verbose_name=_("发证机构"), on_delete=models.CASCADE, related_name="scopes"
    )
    occupation = models.ForeignKey(
        "reference.Occupation", verbose_name=_("职业"), on_delete=models.PROTECT, related_name="+"
    )
    level = models.CharField(_("等级"), max_length=1, choices=SkillLevel.choices)

    class Meta:
        verbose_name = _("评价范围")
        verbose_name_plural = _("评价范围")
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "occupation", "level"], name="certificate_scope_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.occupation_id}:{self.level}"


class SerialCounter(models.Model):
    """The last serial used under one number prefix (everything before the 6-digit serial).
    Issue locks the row (`SELECT … FOR UPDATE`), so serials are gap-free under concurrent issue:
    a transaction that rolls back gives its serial back with it."""

    prefix = models.CharField(_("编号前缀"), max_length=16, unique=True)
    last = models.PositiveIntegerField(_("已用流水号"), default=0)

    class Meta:
        verbose_name = _("证书流水号")
        verbose_name_plural = _("证书流水号")

    def __str__(self) -> str:
        return f"{self.prefix}:{self.last}"


class CertificateStatus(models.TextChoices):
    VALID = "valid", _("有效")
    SUSPENDED = "suspended", _("已暂停")
    REVOKED = "revoked", _("已撤销")
    SUPERSEDED = "superseded", _("已被新证书替代")


class Certificate(models.Model):
    number = models.CharField(_("证书编号"), max_length=22, unique=True)
    person = models.ForeignKey(
        "identity.Person",
        verbose_name=_("持证人"),
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    holder_name = models.CharField(_("持证人姓名"), max_length=64)  # as printed at issue
    occupation = models.ForeignKey(
        "reference.Occupation", verbose_name=_("职业"), on_delete=models.PROTECT, related_name="+"
    )
    level = models.CharField(_("等级"), max_length=1, choices=SkillLevel.choices)
    issuer = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("发证机构"),
        on_delete=models.PROTECT,
        related_name="certificates_issued",
    )
    issuer_name = models.CharField(_("发证机构名称"), max_length=200)  # as printed at issue
    issued_on = models.DateField(_("发证日期"))
    status = models.CharField(
        _("状态"), max_length=12, choices=CertificateStatus.choices, default=CertificateStatus.VALID
    )
    revoked_reason = models.CharField(_("撤销原因"), max_length=200, blank=True)
    revoked_by = models.ForeignKey(
        "identity.User",
        verbose_name=_("撤销人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    suspended_reason = models.CharField(_("暂停原因"), max_length=200, blank=True)
    suspended_by = models.ForeignKey(
        "identity.User",
        verbose_name=_("暂停人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    suspended_at = models.DateTimeField(_("暂停时间"), null=True, blank=True)
    superseded_by = models.ForeignKey(
        "self",
        verbose_name=_("替代证书"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supersedes",
    )
    fact = models.ForeignKey(
        "dossier.Fact",
        verbose_name=_("档案事实"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    token = models.TextField(_("签名"), editable=False)
    # Imported historical certificates (not issued here): where the record comes from (an archive,
    # a predecessor's register) and the file row; verification says "依据<来源>记录".
    source = models.CharField(_("记录来源"), max_length=100, blank=True)
    source_ref = models.CharField(_("来源位置"), max_length=200, blank=True)
    # The holder's photo as printed (JPEG, re-encoded without metadata), Fernet ciphertext under
    # its own purpose key (`photos.py`); shown on the public verification once the record is found.
    photo = models.BinaryField(_("照片（密文）"), null=True, blank=True, editable=False)
    photo_digest = models.CharField(_("照片摘要"), max_length=52, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("职业技能等级证书")
        verbose_name_plural = _("职业技能等级证书")
        indexes = [models.Index(fields=["person", "issued_on"], name="certificate_person")]

    def __str__(self) -> str:
        return self.number

    @property
    def imported(self) -> bool:
        return bool(self.source)


def _describe(certificate: Certificate) -> str:
    return f"证书{certificate.number}"


# valid ⇄ suspended (暂停 and its lifting, both with a reason); revoked is terminal (permanent);
# superseded only from valid (a suspended certificate is lifted or revoked, not replaced), and a
# superseded one may still be revoked (a fraud found after re-issue).
CERTIFICATE_STATES: StateMachine[Certificate] = StateMachine(
    Certificate,
    {
        CertificateStatus.VALID: {
            CertificateStatus.SUSPENDED,
            CertificateStatus.REVOKED,
            CertificateStatus.SUPERSEDED,
        },
        CertificateStatus.SUSPENDED: {CertificateStatus.VALID, CertificateStatus.REVOKED},
        CertificateStatus.SUPERSEDED: {CertificateStatus.REVOKED},
    },
    CertificateStatus,
    object_type="certificate",
    audit_action="certificate_revoke",
    describe=_describe,
)


class BatchStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("发证中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class IssueBatch(models.Model):
    """A list of certificates to issue in the background (a job: `jineng.core.jobs`), with its
    progress. Rows are checked when the batch is started; the task issues them in chunks."""

    issuer = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("发证机构"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_by = models.ForeignKey(
        "identity.User",
        verbose_name=_("申请人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=BatchStatus.choices, default=BatchStatus.QUEUED
    )
    rows = models.JSONField(_("发证名单"), default=list)
    total = models.PositiveIntegerField(_("总数"), default=0)
    issued = models.PositiveIntegerField(_("已发证"), default=0)
    error = models.TextField(_("错误"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("最近进展"), null=True, blank=True)

    class Meta:
        verbose_name = _("批量发证")
        verbose_name_plural = _("批量发证")

    def __str__(self) -> str:
        return f"{self.issuer_id} {self.issued}/{self.total} {self.status}"


ISSUE_BATCH_STATES: StateMachine[IssueBatch] = StateMachine(
    IssueBatch, job_transitions(), BatchStatus
)
