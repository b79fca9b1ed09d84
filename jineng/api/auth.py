"""Bearer-token authentication and the token endpoint.

`POST /auth/token` checks the password through `django.contrib.auth.authenticate` with the request,
so django-axes counts failures and locks the username+IP after five; accounts of TOTP roles must
also send a current `otp` code (a wrong code counts as a failure too). `POST /auth/revoke` ends the
token it is called with. Log-ins, failures, lockouts, TOTP failures and every token issued or
revoked are on the audit trail (`jineng.identity.signals`, `jineng.api.services`)."""

from typing import Any

from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_logged_in
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.security import HttpBearer

from jineng.api.models import ApiToken, RevokeReason
from jineng.api.schemas import ErrorOut, TokenIn, TokenOut
from jineng.api.services import api_token_issue, api_token_lookup, api_token_revoke
from jineng.identity.models import User
from jineng.identity.otp import requires_second_factor, totp_failure_record, verify_totp


class BearerAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        row = api_token_lookup(raw=token)
        if row is None:
            return None
        request.user = row.user
        request.api_token = row  # type: ignore[attr-defined]  # for POST /auth/revoke
        return row.user


class TokenRequest(TokenIn):
    label: str | None = Field(
        default=None,
        max_length=60,
        description="令牌名称（可选），如使用该令牌的设备或程序，显示在“我的登录令牌”页面",
    )


class RevokedOut(Schema):
    detail: str


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
def token(request: HttpRequest, payload: TokenRequest) -> Any:
    user = authenticate(request, username=payload.username, password=payload.password)
    if _locked_out(request):
        return Status(403, {"detail": _("登录失败次数过多，账号已被锁定，请30分钟后再试。")})
    if not isinstance(user, User):
        return Status(401, {"detail": _("用户名或密码错误。")})
    if requires_second_factor(user):
        if not payload.otp:
            return Status(401, {"detail": _("请输入动态验证码。"), "field": "otp"})
        if verify_totp(user, payload.otp) is None:
            totp_failure_record(user=user, request=request, count_towards_lockout=True)
            _locked_out(request)
            return Status(401, {"detail": _("动态验证码错误。"), "field": "otp"})
    # A successful log-in: Django records last_login and axes clears the failure count.
    user_logged_in.send(sender=user.__class__, request=request, user=user)
    row, raw = api_token_issue(user=user, label=payload.label or "")
    return Status(200, {"token": raw, "token_type": "Bearer", "expires_at": row.expires_at})


@router.post(
    "/revoke",
    response={200: RevokedOut, 401: ErrorOut},
    summary="吊销当前令牌",
    description="吊销本次请求所用的令牌；此后用它的请求一律返回 401。",
)
def revoke(request: HttpRequest) -> Any:
    row = getattr(request, "api_token", None)
    assert isinstance(row, ApiToken)  # BearerAuth sets it for every authenticated call
    api_token_revoke(actor=row.user, token=row, reason=RevokeReason.API)
    return Status(200, {"detail": _("令牌已吊销。")})
