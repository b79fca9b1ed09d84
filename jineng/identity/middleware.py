"""Send bureau staff and administrators through the TOTP step before anything else."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.utils.translation import gettext as _

from jineng.identity.otp import confirmed_devices, requires_second_factor

OTP_VERIFY_PATH = "/login/otp/"
OTP_SETUP_PATH = "/login/otp/setup/"
# Reachable before the second step: the log-in pages themselves, log-out, static files, language.
EXEMPT_PREFIXES = ("/login/", "/logout/", "/static/", "/i18n/", "/favicon.ico")


class RequireOTPMiddleware:
    """After django_otp's OTPMiddleware: a logged-in user who must use a second factor and has not
    passed it in this session is redirected to the TOTP step (or to enrolment when they have no
    confirmed device yet); under /api/ the answer is 403 JSON instead."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        blocked = self._check(request)
        return blocked if blocked is not None else self.get_response(request)

    def _check(self, request: HttpRequest) -> HttpResponse | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        path = request.path_info
        if path.startswith(EXEMPT_PREFIXES):
            return None
        is_verified = getattr(user, "is_verified", None)
        if callable(is_verified) and is_verified():
            return None
        if not requires_second_factor(user):
            return None
        if path.startswith("/api/"):
            return JsonResponse(
                {"detail": _("需要先完成双因素认证（动态验证码）"), "code": "otp_required"},
                status=403,
            )
        target = OTP_VERIFY_PATH if confirmed_devices(user) else OTP_SETUP_PATH
        return HttpResponseRedirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
