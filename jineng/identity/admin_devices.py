"""Back office for TOTP devices (django-otp's admin, in Chinese), registered by
`jineng.identity.admin`: the secret key never shown here."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin as OTPTOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice


class TOTPDeviceAdmin(OTPTOTPDeviceAdmin):  # type: ignore[misc]
    """django-otp's device admin without the secret: the key (and the QR code and configuration
    pages, which carry it) is shown once, at enrolment, to the account holder only."""

    exclude = ("key",)
    readonly_fields = ("created_at", "last_used_at", "key_status")

    def get_list_display(self, request: HttpRequest) -> Any:
        return ["user", "name", "created_at", "last_used_at", "confirmed"]

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fieldsets = []
        for name, options in super().get_fieldsets(request, obj):
            fields = [f for f in options["fields"] if f not in ("key", "qrcode_link")]
            if name == "Configuration" and obj is not None:
                fields.insert(0, "key_status")
            fieldsets.append((TOTP_FIELDSET_LABELS.get(name, name), {"fields": fields}))
        return fieldsets

    @admin.display(description=gettext_lazy("密钥"))
    def key_status(self, obj: Any) -> str:
        return _("已设置（仅在绑定时向本人显示一次）") if obj.key else _("未设置")

    def config_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        raise PermissionDenied

    def qrcode_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        raise PermissionDenied


TOTP_FIELDSET_LABELS = {
    "Identity": gettext_lazy("设备"),
    "Timestamps": gettext_lazy("时间"),
    "Configuration": gettext_lazy("参数"),
    "State": gettext_lazy("状态"),
    "Throttling": gettext_lazy("失败限制"),
}

if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)
admin.site.register(TOTPDevice, TOTPDeviceAdmin)
