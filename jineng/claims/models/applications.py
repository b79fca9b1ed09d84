"""Applications (issue 10 §2, "applied for"): an entitlement the engine cannot pay by itself (a
discretionary range, an organisation's award) is applied for by the worker or the organisation's
staff; the application becomes a claim in 已受理 through `claim_create`, and carries its
attachments, stored encrypted (`jineng.identity.crypto.fernet_for(b"claim-attachment")`)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jineng.claims.models.claims import Claim


class ClaimApplication(models.Model):
    claim = models.OneToOneField(
        Claim, verbose_name=_("申领"), on_delete=models.PROTECT, related_name="application"
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    statement = models.TextField(_("申请说明"), blank=True)
    requested_fen = models.BigIntegerField(_("申请金额（分）"), null=True, blank=True)
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("待遇申请")
        verbose_name_plural = _("待遇申请")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return str(f"申请「{self.claim.item_title}」")


class AttachmentKind(models.TextChoices):
    PDF = "pdf", _("PDF 文件")
    JPEG = "jpeg", _("JPEG 图片")
    PNG = "png", _("PNG 图片")


class ClaimAttachment(models.Model):
    application = models.ForeignKey(
        ClaimApplication,
        verbose_name=_("申请"),
        on_delete=models.PROTECT,
        related_name="attachments",
    )
    title = models.CharField(_("材料名称"), max_length=100)
    file_name = models.CharField(_("文件名"), max_length=200)
    kind = models.CharField(_("文件类型"), max_length=8, choices=AttachmentKind.choices)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("摘要"), max_length=64)
    sealed = models.BinaryField(_("加密内容"))  # Fernet ciphertext, never the plain file
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("申请材料")
        verbose_name_plural = _("申请材料")
        ordering = ["pk"]

    def __str__(self) -> str:
        return str(self.title)
