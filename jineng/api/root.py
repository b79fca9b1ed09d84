"""The JSON API: /api/v1, OpenAPI 3 at /api/v1/openapi.json (Swagger UI for logged-in users at
/api/v1/docs), bearer tokens from POST /auth/token.

Every error is JSON in one shape, `ErrorOut` (`{detail, field?, errors?}`), with a Chinese message:
400 bad input (a service's `DomainError`, unreadable JSON), 401 no valid token, 403 not allowed,
404 absent or outside the caller's scope (the two look the same on purpose), 409/429 as the
service says, 413 body too large, 415 body not JSON, 422 request validation (one message per
field), 500 anything else (logged; the answer never carries a traceback, DEBUG or not). Every
operation documents the errors it may give (`JinengAPI.get_openapi_schema`).

Responses are UTF-8 JSON with Chinese as itself, never `\\u` escapes."""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable, Sequence
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from django.http.request import RawPostDataException
from django.urls import URLPattern, path, re_path
from django.utils.cache import add_never_cache_headers
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, HttpError, ValidationError, ValidationErrorContext
from ninja.openapi.schema import OpenAPISchema
from ninja.parser import Parser
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder

from jineng.api.auth import BearerAuth
from jineng.api.auth import router as auth_router
from jineng.api.endpoints.me import router as me_router
from jineng.api.endpoints.organisations import router as organisations_router
from jineng.api.endpoints.people import router as people_router
from jineng.api.endpoints.regions import router as regions_router
from jineng.api.errors import field_path, validation_message
from jineng.core.errors import DomainError

logger = logging.getLogger("jineng.api")

JSON_DUMPS: dict[str, Any] = {"ensure_ascii": False}


class UnicodeJSONRenderer(JSONRenderer):
    """Chinese as UTF-8 (`"男"`, not `"\\u7537"`); `Content-Type: application/json; charset=utf-8`."""

    json_dumps_params = JSON_DUMPS


class UnsupportedMediaType(Exception):
    """A request body that is not JSON (a form, a multipart upload)."""


NUL_REFUSED = "请求内容不能包含空字符（U+0000）。"


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


class JSONOnlyParser(Parser):
    """JSON bodies only (415 otherwise); no NUL character anywhere in a body or a query string
    (PostgreSQL cannot store one, and no field of ours means one: 400, as Django's forms do)."""

    def parse_body(self, request: HttpRequest) -> Any:
        content_type = (request.content_type or "").lower()
        if content_type and content_type != "application/json" and "+json" not in content_type:
            raise UnsupportedMediaType(content_type)
        data = super().parse_body(request)
        if _has_nul(data):
            raise DomainError("", NUL_REFUSED)
        return data

    def parse_querydict(
        self, data: MultiValueDict[str, Any], list_fields: list[str], request: HttpRequest
    ) -> dict[str, Any]:
        for key, values in data.lists():
            if "\x00" in key or any(isinstance(v, str) and "\x00" in v for v in values):
                raise DomainError(key, NUL_REFUSED)
        return super().parse_querydict(data, list_fields, request)


# The errors an operation may answer with whatever it does, added to what it declares itself:
# 401 when it needs a token, 400/422 when it reads parameters, 404 when it has path parameters,
# 413/415 when it reads a body. (403, 409, 429 depend on the operation: it declares them.)
STANDARD_ERRORS: dict[str, str] = {
    "400": "请求有误（如正文不是有效的 JSON，或业务校验未通过）",
    "401": "未提供有效的身份令牌",
    "403": "无权执行此操作",
    "404": "不存在或不在您的查看范围内",
    "413": "请求正文过大",
    "415": "请求正文须为 JSON",
    "422": "请求参数校验未通过（逐字段说明）",
}


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

    def validation_error_from_error_contexts(
        self, error_contexts: list[ValidationErrorContext[Any]]
    ) -> ValidationError:
        """Ninja's errors, each with a Chinese `message` naming the field by its schema title
        (worked out here, where the model the error came from is still known)."""
        errors: list[dict[str, Any]] = []
        for context in error_contexts:
            model = context.model
            for error in context.pydantic_validation_error.errors(include_url=False):
                raw_loc: Sequence[int | str] = error["loc"]
                loc = (model.__ninja_param_source__,) + model.__ninja_flatten_map_reverse__.get(
                    raw_loc, raw_loc
                )
                item: dict[str, Any] = {
                    "type": error["type"],
                    "loc": loc,
                    "msg": error["msg"],
                    "field": field_path(loc),
                    "message": validation_message(dict(error), model, raw_loc),
                }
                errors.append(item)
        return ValidationError(errors)

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        error_ref = {"$ref": "#/components/schemas/ErrorOut"}
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                if not isinstance(operation, dict) or "responses" not in operation:
                    continue
                secured = bool(operation.get("security"))
                has_params = bool(operation.get("parameters")) or "requestBody" in operation
                wanted = set()
                if secured:
                    wanted.add("401")
                if has_params:
                    wanted |= {"400", "422"}
                if any(p.get("in") == "path" for p in operation.get("parameters", [])):
                    wanted.add("404")
                if "requestBody" in operation:
                    wanted |= {"413", "415"}
                for status in sorted(wanted):
                    operation["responses"].setdefault(
                        status,
                        {
                            "description": STANDARD_ERRORS[status],
                            "content": {"application/json": {"schema": error_ref}},
                        },
                    )
        return schema

    def _get_urls(self) -> list[Any]:
        urls: list[Any] = super()._get_urls()
        # openapi.json through our encoder too: Chinese titles as UTF-8, not \\u escapes.
        for i, pattern in enumerate(urls):
            if isinstance(pattern, URLPattern) and pattern.name == "openapi-json":
                urls[i] = path(str(pattern.pattern), self._openapi_json, name=pattern.name)
            elif isinstance(pattern, URLPattern):
                pattern.callback = _json_method_not_allowed(pattern.callback)
        # Anything else under /api/v1/ is a JSON 404 too, not the site's HTML page.
        urls.append(re_path(r"^.*$", _unknown_url, name="api-unknown"))
        return urls

    def _openapi_json(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        schema = self.get_openapi_schema(path_params=kwargs)
        body = json.dumps(schema, cls=NinjaJSONEncoder, **JSON_DUMPS)
        return HttpResponse(body, content_type="application/json; charset=utf-8")


def _json_method_not_allowed(view: Callable[..., Any]) -> Callable[..., Any]:
    """Ninja answers a method a path does not take with a plain-text 405: make it ErrorOut."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and not response.get("Content-Type", "").startswith(
            "application/json"
        ):
            answer = error_response(request, 405, _("不支持此请求方法。"))
            answer["Allow"] = response.get("Allow", "")
            return answer
        return response

    return wrapped


@csrf_exempt
def _unknown_url(request: HttpRequest) -> HttpResponse:
    return error_response(request, 404, _("没有这个接口。"))


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
    description="技能人才服务平台接口。证件号码、手机号码和银行账号一律脱敏，明文仅通过留痕的查看接口获取。"
    "每个代码都附中文名称（如 sex 与 sex_label）；出错时一律返回 JSON（ErrorOut），说明为中文。",
    urls_namespace="api",
    auth=BearerAuth(),
    renderer=UnicodeJSONRenderer(),
    parser=JSONOnlyParser(),
    # Swagger UI at /api/v1/docs for any logged-in user (the schema itself is public at
    # openapi.json; the page adds only a viewer, and calls made from it need a bearer token).
    # "ninja" is an installed app, so the page uses the swagger-ui files shipped in
    # ninja/static/ninja/ through our own static files: nothing is fetched from a CDN.
    docs_url="/docs",
    docs=LoggedInSwagger(),
)


def error_response(
    request: HttpRequest,
    status: int,
    detail: str,
    errors: Sequence[tuple[str, str]] = (),
) -> HttpResponse:
    """The one error body: `detail`; with `field` (the first) and `errors` when fields are named."""
    body: dict[str, Any] = {"detail": detail}
    if errors:
        first = next((f for f, _m in errors if f), "")
        if first:
            body["field"] = first
        body["errors"] = [{"field": f, "message": m} for f, m in errors]
    return api.create_response(request, body, status=status)


@api.exception_handler(DomainError)
def on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    response = error_response(request, exc.status, exc.message, [(exc.field, exc.message)])
    retry_after = getattr(exc, "retry_after", 0)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    items = [(str(e.get("field", "")), str(e.get("message") or _("取值无效"))) for e in exc.errors]
    if not items:
        items = [("", _("请求参数有误。"))]
    detail = "；".join(m for _f, m in items[:10])
    return error_response(request, 422, detail, items)


@api.exception_handler(AuthenticationError)
def on_authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = error_response(request, 401, _("未提供有效的身份令牌。"))
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(PermissionDenied)
def on_permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return error_response(request, 403, _("无权执行此操作。"))


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(request, 404, _("不存在或不在您的查看范围内。"))


@api.exception_handler(RequestDataTooBig)
def on_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return error_response(request, 413, _("请求正文过大（不能超过 2.5 MB）。"))


@api.exception_handler(RawPostDataException)
def on_form_body(request: HttpRequest, exc: RawPostDataException) -> HttpResponse:
    # A multipart or form body, already read as a form before the API could read it as JSON.
    return error_response(request, 415, _("请求正文须为 JSON（Content-Type: application/json）。"))


# Ninja's own messages are English; these are the ones it raises.
_HTTP_ERROR_MESSAGES = {
    "Cannot parse request body": "请求正文不是有效的 JSON。",
    "Unauthorized": "未提供有效的身份令牌。",
    "Forbidden": "无权执行此操作。",
    "Too many requests.": "操作过于频繁，请稍后再试。",
    "Method not allowed": "不支持此请求方法。",
}


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc.__cause__, UnsupportedMediaType):
        return on_form_body(request, RawPostDataException())
    if isinstance(exc.__cause__, RequestDataTooBig):
        return on_too_big(request, exc.__cause__)
    if isinstance(exc.__cause__, DomainError):
        return on_domain_error(request, exc.__cause__)
    message = str(exc.message)
    message = _HTTP_ERROR_MESSAGES.get(message.split(" (")[0], message)
    return error_response(request, exc.status_code, message)


@api.exception_handler(Exception)
def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    # Logged with its traceback (the log filter masks ID numbers and phones); the caller sees a
    # Chinese sentence and nothing of the machinery, whether DEBUG is on or not.
    logger.error("API %s %s failed", request.method, request.path, exc_info=exc)
    return error_response(request, 500, _("服务器内部错误，请稍后重试"))


@api.get("/health", auth=None, tags=["system"], summary="健康检查")
def health(request: HttpRequest) -> dict[str, str]:
    return {"status": "ok"}


api.add_router("/auth", auth_router)
api.add_router("", me_router)
api.add_router("", people_router)
api.add_router("", organisations_router)
api.add_router("", regions_router)
api.add_router("/policy", "jineng.api.policy.router.router")
api.add_router("/assessment", "jineng.api.assessment.router.router")
api.add_router("/certificates", "jineng.api.certificates.router.router")
api.add_router("/claims/runs", "jineng.api.claims.runs.router")
api.add_router("/claims", "jineng.api.claims.router.router")
api.add_router("/claims", "jineng.api.claims.steps.router")
api.add_router("/claims/integrity", "jineng.api.claims.integrity.router")
api.add_router("/payouts", "jineng.api.claims.payouts.router")
api.add_router("/learning", "jineng.api.learning.router.router")
