"""The JSON API: /api/v1, OpenAPI 3 at /api/v1/openapi.json (Swagger UI for logged-in users at
/api/v1/docs), bearer tokens from POST /auth/token.

Every error is JSON `{detail, field?}`: 400 bad input, 401 no valid token, 403 not allowed,
404 absent or outside the caller's scope (the two look the same on purpose)."""

from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, HttpError, ValidationError

from jineng.api.auth import BearerAuth
from jineng.api.auth import router as auth_router
from jineng.api.endpoints.me import router as me_router
from jineng.api.endpoints.organisations import router as organisations_router
from jineng.api.endpoints.people import router as people_router
from jineng.api.endpoints.regions import router as regions_router
from jineng.identity.errors import ValidationFailed


class JinengAPI(NinjaAPI):
    def create_response(
        self,
        request: HttpRequest,
        data: Any,
        *,
        status: int | None = None,
        temporal_response: HttpResponse | None = None,
    ) -> HttpResponse:
        response = super().create_response(
            request, data, status=status, temporal_response=temporal_response
        )
        # Responses carry personal data: no shared or browser cache may keep them.
        add_never_cache_headers(response)
        return response


class LoggedInSwagger(Swagger):
    """Ninja's Swagger page, for logged-in users only. (`docs_decorator` would also close
    openapi.json, which stays public.)"""

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return super().render_page(request, api, **kwargs)


api = JinengAPI(
    title="jineng API",
    version="1",
    description="技能人才服务平台接口。证件号码、手机号码和银行账号一律脱敏，明文仅通过留痕的查看接口获取。",
    urls_namespace="api",
    auth=BearerAuth(),
    # Swagger UI at /api/v1/docs for any logged-in user (the schema itself is public at
    # openapi.json; the page adds only a viewer, and calls made from it need a bearer token).
    # "ninja" is an installed app, so the page uses the swagger-ui files shipped in
    # ninja/static/ninja/ through our own static files: nothing is fetched from a CDN.
    docs_url="/docs",
    docs=LoggedInSwagger(),
)


def _error(
    request: HttpRequest, status: int, detail: str, field: str | None = None
) -> HttpResponse:
    body: dict[str, str] = {"detail": detail}
    if field:
        body["field"] = field
    return api.create_response(request, body, status=status)


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    first = exc.errors[0] if exc.errors else {}
    loc = [str(p) for p in first.get("loc", ()) if p not in ("body", "query", "path", "payload")]
    message = first.get("msg") or _("请求参数有误。")
    return _error(request, 400, str(message), ".".join(loc) or None)


@api.exception_handler(ValidationFailed)
def on_validation_failed(request: HttpRequest, exc: ValidationFailed) -> HttpResponse:
    return _error(request, 400, str(exc.message), getattr(exc, "field", None) or None)


@api.exception_handler(AuthenticationError)
def on_authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, 401, _("未提供有效的身份令牌。"))


@api.exception_handler(PermissionDenied)
def on_permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return _error(request, 403, _("无权执行此操作。"))


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, _("不存在或不在您的查看范围内。"))


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return _error(request, exc.status_code, str(exc.message))


@api.get("/health", auth=None, tags=["system"], summary="健康检查")
def health(request: HttpRequest) -> dict[str, str]:
    return {"status": "ok"}


api.add_router("/auth", auth_router)
api.add_router("", me_router)
api.add_router("", people_router)
api.add_router("", organisations_router)
api.add_router("", regions_router)
api.add_router("/policy", "jineng.policy.api.router")
