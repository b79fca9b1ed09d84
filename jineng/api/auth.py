"""Bearer-token authentication and the token endpoint.

`POST /auth/token` checks the password through `django.contrib.auth.authenticate` with the request,
so django-axes counts failures and locks the username+IP after five; accounts of TOTP roles must
also send a current `otp` code (a wrong code counts as a failure too)."""

from typing import Any

from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.security import HttpBearer

from jineng.api.schemas import ErrorOut, TokenIn, TokenOut
from jineng.api.services import api_token_issue, api_token_resolve
from jineng.identity.models import User
from jineng.identity.otp import requires_second_factor, verify_totp


class BearerAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = api_token_resolve(raw=token)
        if user is not None:
            request.user = user
        return user


router = Router(tags=["auth"])


def _locked_out(request: HttpRequest) -> bool:
    if getattr(request, "axes_locked_out", False):
        # We answer with our own JSON error; clearing the flag keeps AxesMiddleware from
        # replacing it with its HTML page. The lock itself is in axes' tables and stays.
        request.axes_locked_out = False  # type: ignore[attr-defined]
        return True
    return False


@router.post(
    "/token",
    auth=None,
    response={200: TokenOut, 401: ErrorOut, 403: ErrorOut},
    exclude_none=True,
    summary="签发接口令牌",
)
def token(request: HttpRequest, payload: TokenIn) -> Any:
    user = authenticate(request, username=payload.username, password=payload.password)
    if _locked_out(request):
        return Status(403, {"detail": _("登录失败次数过多，账号已被锁定，请30分钟后再试。")})
    if not isinstance(user, User):
        return Status(401, {"detail": _("用户名或密码错误。")})
    if requires_second_factor(user):
        if not payload.otp:
            return Status(401, {"detail": _("请输入动态验证码。"), "field": "otp"})
        if verify_totp(user, payload.otp) is None:
            user_login_failed.send(
                sender=__name__, credentials={"username": payload.username}, request=request
            )
            _locked_out(request)
            return Status(401, {"detail": _("动态验证码错误。"), "field": "otp"})
    # A successful log-in: Django records last_login and axes clears the failure count.
    user_logged_in.send(sender=user.__class__, request=request, user=user)
    row, raw = api_token_issue(user=user)
    return Status(200, {"token": raw, "token_type": "Bearer", "expires_at": row.expires_at})
