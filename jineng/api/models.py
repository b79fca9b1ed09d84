"""Bearer tokens for the JSON API. Only a SHA-256 hash of a token is stored: a token is 256 random
bits, so a fast hash is enough (no password-style stretching needed) and a leaked table is useless."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RevokeReason(models.TextChoices):
    """Why a token stopped working before it expired (the audit entry carries the same code)."""

    LOGOUT = "logout", _("退出登录")
    PASSWORD_CHANGE = "password_change", _("修改密码")
    USER = "user", _("本人在令牌页面吊销")
    API = "api", _("通过接口吊销")


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("账号"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    key_hash = models.CharField(_("令牌摘要"), max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("令牌前缀"), max_length=8, editable=False)  # tells tokens apart
    created_at = models.DateTimeField(_("签发时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("过期时间"))
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    revoked_reason = models.CharField(
        _("吊销原因"), max_length=20, choices=RevokeReason.choices, blank=True
    )
    # What the holder called it when asking for it ("办公室电脑", "考勤脚本"); optional.
    label = models.CharField(_("名称"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "revoked_at"], name="api_token_user_active")]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user_id})"
