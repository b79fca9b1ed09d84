"""The TOTP second factor (django-otp) for bureau staff and administrators.

Roles in TWO_FACTOR_ROLES (bureau reviewer, approver, finance; system administrator) and Django
superusers must pass a TOTP step in every session; RequireOTPMiddleware sends them to it.
A wrong code is audited (`totp_failed`); a confirmed enrolment too (`otp_enrol`, by the page).
"""

from __future__ import annotations

import base64
import time
from typing import TYPE_CHECKING

import qrcode
import qrcode.image.svg
from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django_otp import verify_token
from django_otp.oath import hotp
from django_otp.plugins.otp_totp.models import TOTPDevice

from jineng.identity.models import TWO_FACTOR_ROLES, RoleAssignment

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpRequest

    from jineng.identity.models import User

DEVICE_NAME = "身份验证器"


def requires_second_factor(user: User | AnonymousUser) -> bool:
    if not user.is_authenticated:
        return False
    if getattr(user, "is_superuser", False):
        return True
    return RoleAssignment.objects.filter(user_id=user.pk, role__in=TWO_FACTOR_ROLES).exists()


def confirmed_devices(user: User) -> list[TOTPDevice]:
    return list(TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk"))


def pending_device(user: User) -> TOTPDevice:
    """The unconfirmed device being enrolled (one per user; created on first call)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def verify_totp(user: User, token: str) -> TOTPDevice | None:
    """The confirmed device that accepts `token`, if any (throttled per device by django-otp; a
    token is accepted once). For the API's token endpoint as well as the OTP page."""
    token = "".join((token or "").split())
    if not token.isdigit():
        return None
    for device in confirmed_devices(user):
        verified = verify_token(user, device.persistent_id, token)
        if verified is not None:
            return verified
    return None


@transaction.atomic
def confirm_device(device: TOTPDevice, token: str) -> bool:
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
    token = "".join((token or "").split())
    if not token.isdigit() or not device.verify_token(token):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return True


def secret_base32(device: TOTPDevice) -> str:
    """The shared secret as authenticator apps expect it when typed in by hand."""
    return base64.b32encode(device.bin_key).decode().rstrip("=")


def qr_svg(url: str) -> str:
    """The otpauth:// URL as an inline SVG QR code (no image file, nothing sent elsewhere)."""
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    svg = str(image.to_string(encoding="unicode"))
    return svg.split("?>", 1)[1].strip() if svg.startswith("<?xml") else svg


def current_token(device: TOTPDevice, *, at: float | None = None) -> str:
    """The token the device's authenticator shows now, or at Unix time `at` (tests, tooling)."""
    now = time.time() if at is None else at
    counter = int((now - device.t0) // device.step) + device.drift
    return str(hotp(device.bin_key, counter, device.digits)).zfill(device.digits)


def totp_failure_record(
    *, user: User, request: HttpRequest, count_towards_lockout: bool = False
) -> None:
    """A wrong TOTP code for `user` (who passed the password): audited as `totp_failed` (never the
    code). With `count_towards_lockout` it also counts as a failed log-in for django-axes, so
    guessing codes through the token endpoint locks the account like guessing passwords."""
    from jineng.identity.signals import TOTP_FAILURE_SENDER, auth_event_record

    auth_event_record(action="totp_failed", request=request, user=user, actor=None)
    if count_towards_lockout:
        user_login_failed.send(
            sender=TOTP_FAILURE_SENDER,
            credentials={"username": user.get_username()},
            request=request,
        )
