"""The TOTP log-in step and TOTP enrolment (second factor for bureau staff and administrators)."""

from __future__ import annotations

from typing import cast
from urllib.parse import urlencode

import django_otp
from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from jineng.audit.services import audit_record
from jineng.identity.models import User
from jineng.identity.otp import (
    confirm_device,
    confirmed_devices,
    pending_device,
    qr_svg,
    secret_base32,
    totp_failure_record,
    verify_totp,
)


class TokenForm(forms.Form):
    token = forms.CharField(
        label=gettext_lazy("动态验证码"),
        min_length=6,
        max_length=8,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "pattern": "[0-9]*",
                "autofocus": True,
                "data-testid": "otp-token",
            }
        ),
    )


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _is_verified(request: HttpRequest) -> bool:
    is_verified = getattr(request.user, "is_verified", None)
    return bool(callable(is_verified) and is_verified())


@never_cache
@sensitive_post_parameters("token")
@login_required
def otp_verify(request: HttpRequest) -> HttpResponse:
    """Second log-in step: the 6-digit code from the user's authenticator app."""
    user = cast(User, request.user)
    next_url = _next_url(request)
    if _is_verified(request):
        return HttpResponseRedirect(next_url)
    if not confirmed_devices(user):
        return HttpResponseRedirect(
            f"{resolve_url('identity:otp_setup')}?{urlencode({'next': next_url})}"
        )
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = verify_totp(user, form.cleaned_data["token"])
        if device is not None:
            django_otp.login(request, device)
            return HttpResponseRedirect(next_url)
        totp_failure_record(user=user, request=request)
        form.add_error("token", _("验证码不正确或已过期，请重新输入（多次错误后需等待一段时间）"))
    return render(request, "identity/otp_verify.html", {"form": form, "next": next_url})


@never_cache
@sensitive_post_parameters("token")
@login_required
def otp_setup(request: HttpRequest) -> HttpResponse:
    """Enrolment: scan the QR code (or type the secret) into an authenticator app, then confirm
    with the first code. Once a device is confirmed the secret is never shown again."""
    user = cast(User, request.user)
    next_url = _next_url(request)
    if confirmed_devices(user):
        return HttpResponseRedirect(
            f"{resolve_url('identity:otp_verify')}?{urlencode({'next': next_url})}"
        )
    device = pending_device(user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if confirm_device(device, form.cleaned_data["token"]):
            device.refresh_from_db()
            django_otp.login(request, device)
            audit_record(
                actor=user,
                action="otp_enrol",
                object_type="user",
                object_id=user.pk,
                after={"device": device.persistent_id},
            )
            return HttpResponseRedirect(next_url)
        form.add_error("token", _("验证码不正确，请确认手机时间准确后重新输入"))
    context = {
        "form": form,
        "next": next_url,
        "qr_svg": qr_svg(device.config_url),
        "secret": secret_base32(device),
    }
    return render(request, "identity/otp_setup.html", context)
