"""Every API error is JSON in one shape (`ErrorOut`) with a Chinese message: a service's
DomainError, request validation (422, per field, by Chinese title), bodies too large (413) or not
JSON (415), unreadable JSON (400), no token (401), and anything unexpected (500, logged, no
traceback — even with DEBUG on). Chinese is UTF-8, never `\\u` escapes."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import Client, RequestFactory, override_settings
from pydantic import ValidationError as PydanticValidationError

from jineng.api.errors import validation_message
from jineng.api.root import api
from jineng.api.schemas import FactsDocumentOut, RevealIn
from jineng.api.services import api_token_issue
from jineng.core.errors import Conflict, DomainError, NotFound, RateLimited
from jineng.dossier.errors import FactInvalid
from jineng.identity.errors import ValidationFailed
from jineng.identity.models import Role, User
from jineng.web.tests.world import World

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token"


def api_client(user: User) -> Client:
    _, raw = api_token_issue(user=user)
    return Client(headers={"authorization": f"Bearer {raw}"})


def handled(exc: Exception) -> tuple[int, dict[str, Any], bytes]:
    request = RequestFactory().get("/api/v1/anything")
    response = api.on_exception(request, exc)
    return response.status_code, json.loads(response.content), response.content


def assert_error_shape(body: dict[str, Any]) -> None:
    assert set(body) <= {"detail", "field", "errors"}
    assert isinstance(body["detail"], str) and body["detail"]
    for item in body.get("errors", []):
        assert set(item) == {"field", "message"}


# --- one error type, mapped once ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("exc", "status"),
    [
        (ValidationFailed("id_number", "校验位错误，应为 X"), 400),
        (FactInvalid("level", "未知等级“9”"), 400),
        (NotFound(), 404),
        (Conflict("uscc", "统一社会信用代码已登记"), 409),
        (RateLimited("id_number", "查询过于频繁，请一分钟后再试", retry_after=60), 429),
    ],
)
def test_domain_errors_become_chinese_json_with_their_status(exc: DomainError, status: int) -> None:
    got, body, _ = handled(exc)
    assert got == status
    assert_error_shape(body)
    assert body["detail"] == exc.message
    assert body["errors"] == [{"field": exc.field, "message": exc.message}]
    if exc.field:
        assert body["field"] == exc.field


def test_a_fact_invalid_is_no_longer_a_500() -> None:
    # Before: FactInvalid had no handler and reached Django as a 500.
    status, body, _ = handled(FactInvalid("code", "证书须填写职业编码"))
    assert (status, body["field"], body["detail"]) == (400, "code", "证书须填写职业编码")


def test_rate_limited_says_when_to_retry() -> None:
    request = RequestFactory().get("/api/v1/anything")
    response = api.on_exception(request, RateLimited(message="过于频繁", retry_after=30))
    assert response["Retry-After"] == "30"


def test_denied_and_absent_are_chinese() -> None:
    assert handled(PermissionDenied())[:2] == (403, {"detail": "无权执行此操作。"})
    assert handled(Http404())[:2] == (404, {"detail": "不存在或不在您的查看范围内。"})


@pytest.mark.parametrize("debug", [False, True])
def test_an_unexpected_error_is_a_plain_chinese_500_and_is_logged(
    debug: bool, caplog: pytest.LogCaptureFixture
) -> None:
    with override_settings(DEBUG=debug), caplog.at_level(logging.ERROR, logger="jineng.api"):
        status, body, raw = handled(RuntimeError("secret internals: /srv/jineng/settings.py"))
    assert status == 500
    assert body == {"detail": "服务器内部错误，请稍后重试"}
    assert b"Traceback" not in raw and b"secret internals" not in raw
    assert any(r.exc_info and "secret internals" in str(r.exc_info[1]) for r in caplog.records)


# --- request validation: 422, per field, in Chinese --------------------------------------------


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("page=0", "字段“页码”：必须大于或等于 1"),
        ("page=18446744073709551617", "字段“页码”：必须小于或等于 100000"),
        ("page=abc", "字段“页码”：必须是整数"),
        ("page_size=1000", "字段“每页条数”：必须小于或等于 100"),
        ("kind=shop", "字段“机构类型”：必须是以下之一："),
    ],
)
def test_bad_query_parameters_get_422_in_chinese(world: World, query: str, message: str) -> None:
    client = api_client(world.a.users[Role.BUREAU_REVIEWER])
    resp = client.get(f"/api/v1/organisations?{query}")
    assert resp.status_code == 422, resp.content
    body = resp.json()
    assert_error_shape(body)
    assert body["errors"][0]["message"].startswith(message)
    assert body["errors"][0]["field"] == query.split("=")[0]
    assert body["detail"].startswith(message)
    assert "Input should" not in resp.content.decode()


def test_a_bad_body_names_each_field_by_its_title(world: World) -> None:
    client = api_client(world.a.users[Role.BUREAU_REVIEWER])
    resp = client.post(
        f"/api/v1/people/{world.a.person.pk}/reveal",
        {"field": "password", "reason": "x"},
        content_type="application/json",
    )
    assert resp.status_code == 422
    errors = resp.json()["errors"]
    assert [e["field"] for e in errors] == ["field", "reason"]
    assert errors[0]["message"].startswith("字段“查看项目”：必须是以下之一：")
    assert errors[1]["message"] == "字段“查看原因”：至少 2 个字符"


def test_an_empty_body_names_every_missing_field() -> None:
    resp = Client().post(TOKEN_URL, content_type="application/json")
    assert resp.status_code == 422
    assert resp.json()["errors"] == [
        {"field": "username", "message": "字段“用户名”：必须填写"},
        {"field": "password", "message": "字段“密码”：必须填写"},
    ]


def test_list_items_are_counted_from_one() -> None:
    document = {
        "subject": {"id": "P1", "kind": "person", "region": "441900", "attrs": {}},
        "facts": [
            {
                "id": "F1",
                "kind": "certificate",
                "code": None,
                "level": None,
                "date": "2020-01-01",
                "amount_fen": None,
                "issuer": None,
                "region": None,
                "attrs": {},
                "supersedes": None,
            },
            {
                "id": "F2",
                "kind": "medal",
                "code": None,
                "level": None,
                "date": "2020-01-01",
                "amount_fen": None,
                "issuer": None,
                "region": None,
                "attrs": {},
                "supersedes": None,
            },
        ],
    }
    with pytest.raises(PydanticValidationError) as info:
        FactsDocumentOut.model_validate(document)
    error = info.value.errors()[0]
    message = validation_message(dict(error), FactsDocumentOut, error["loc"])
    assert message.startswith("事实 第 2 项 字段“事实类型代码”：必须是以下之一：")


def test_untitled_and_custom_messages() -> None:
    with pytest.raises(PydanticValidationError) as info:
        RevealIn.model_validate({"field": "phone", "reason": "y" * 201})
    error = info.value.errors()[0]
    assert (
        validation_message(dict(error), RevealIn, error["loc"]) == "字段“查看原因”：最多 200 个字符"
    )
    custom = {
        "type": "value_error",
        "loc": ("x",),
        "msg": "Value error, 日期不能晚于今天",
        "ctx": {},
    }
    assert validation_message(custom, None, ("x",)) == "字段“x”：日期不能晚于今天"
    english = {"type": "value_error", "loc": ("x",), "msg": "Value error, bad", "ctx": {}}
    assert validation_message(english, None, ("x",)) == "字段“x”：取值无效"


# --- bodies: too large, not JSON, unreadable ------------------------------------------------------


@pytest.mark.parametrize("megabytes", [3, 30])
def test_a_large_body_is_413_json(megabytes: int) -> None:
    body = json.dumps({"username": "a", "password": "x" * (megabytes * 1024 * 1024)})
    resp = Client().post(TOKEN_URL, body, content_type="application/json")
    assert resp.status_code == 413
    assert resp["Content-Type"] == "application/json; charset=utf-8"
    assert resp.json() == {"detail": "请求正文过大（不能超过 2.5 MB）。"}


def test_a_multipart_body_is_415_json() -> None:
    resp = Client().post(TOKEN_URL, {"username": "a", "password": "b"})  # multipart/form-data
    assert resp.status_code == 415
    assert resp.json() == {"detail": "请求正文须为 JSON（Content-Type: application/json）。"}
    form = Client().post(
        TOKEN_URL, "username=a&password=b", content_type="application/x-www-form-urlencoded"
    )
    assert form.status_code == 415


def test_unreadable_json_is_400_in_chinese() -> None:
    resp = Client().post(TOKEN_URL, "{not json", content_type="application/json")
    assert resp.status_code == 400
    assert resp.json() == {"detail": "请求正文不是有效的 JSON。"}


def test_no_token_is_401_with_the_scheme() -> None:
    resp = Client().get("/api/v1/me")
    assert resp.status_code == 401
    assert resp["WWW-Authenticate"] == "Bearer"
    assert resp.json() == {"detail": "未提供有效的身份令牌。"}


# --- UTF-8 and the documented shape -------------------------------------------------------------


def test_chinese_is_utf8_not_escaped(world: World) -> None:
    client = api_client(world.a.users[Role.BUREAU_REVIEWER])
    resp = client.get(f"/api/v1/organisations/{world.a.org.pk}")
    assert resp.status_code == 200
    assert resp["Content-Type"] == "application/json; charset=utf-8"
    assert "东莞精工机械有限公司".encode() in resp.content
    assert b"\\u" not in resp.content
    error = client.get("/api/v1/organisations?page=0")
    assert "页码".encode() in error.content and b"\\u" not in error.content
    schema = Client().get("/api/v1/openapi.json")
    assert schema["Content-Type"] == "application/json; charset=utf-8"
    assert "人员编号".encode() in schema.content and b"\\u4eba" not in schema.content


def test_every_operation_documents_its_errors_with_the_one_shape() -> None:
    schema = Client().get("/api/v1/openapi.json").json()
    error_out = schema["components"]["schemas"]["ErrorOut"]
    assert error_out["required"] == ["detail"]
    assert set(error_out["properties"]) == {"detail", "field", "errors"}
    for path, operations in schema["paths"].items():
        for method, op in operations.items():
            responses = op["responses"]
            where = f"{method.upper()} {path}"
            if op.get("security"):
                assert "401" in responses, where
            if op.get("parameters") or "requestBody" in op:
                assert {"400", "422"} <= set(responses), where
            if "requestBody" in op:
                assert {"413", "415"} <= set(responses), where
            for status, response in responses.items():
                if status.startswith(("4", "5")):
                    ref = response["content"]["application/json"]["schema"]["$ref"]
                    assert ref == "#/components/schemas/ErrorOut", where


def test_the_body_limit_leaves_uploaded_files_alone() -> None:
    # The import page takes spreadsheets far larger than 2.5 MB: files in a multipart body do not
    # count against DATA_UPLOAD_MAX_MEMORY_SIZE (they stream to a temporary file).
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = b"name,id_number\n" * (300 * 1024)  # 4.5 MB
    upload = SimpleUploadedFile("people.csv", data, content_type="text/csv")
    request = RequestFactory().post("/imports/", {"kind": "people", "file": upload})
    assert request.POST["kind"] == "people"
    received = request.FILES.get("file")
    assert received is not None and getattr(received, "size", None) == len(data)


def test_a_nul_character_is_refused_in_chinese(world: World) -> None:
    # PostgreSQL cannot store U+0000: it used to reach the database (500 on POST /auth/token).
    body = json.dumps({"username": "a\u0000b", "password": "x"})
    resp = Client().post(TOKEN_URL, body, content_type="application/json")
    assert resp.status_code == 400
    assert resp.json()["detail"] == "请求内容不能包含空字符（U+0000）。"
    client = api_client(world.a.users[Role.BUREAU_REVIEWER])
    query = client.get("/api/v1/organisations", {"q": "精工\u0000"})
    assert (query.status_code, query.json()["field"]) == (400, "q")


def test_a_region_code_must_be_digits(world: World) -> None:
    client = api_client(world.a.users[Role.BUREAU_REVIEWER])
    resp = client.get("/api/v1/regions/44%0019/children")
    assert resp.status_code == 422
    assert resp.json()["errors"][0]["message"] == "字段“区域代码”：格式不正确"


def test_a_page_beyond_64_bits_is_never_a_500(world: World) -> None:
    # Before: the offset reached SQLite ("datatype mismatch") and the answer was a 500.
    client = api_client(world.a.users[Role.BUREAU_REVIEWER])
    orgs = client.get("/api/v1/organisations", {"page": str(2**64 + 1)})
    assert orgs.status_code == 422
    people = client.get("/api/v1/people", {"page": str(2**64 + 1)})
    # people.py pages with ninja's paginator (422 once it uses jineng.api.pagination's); its
    # MappedQuerySet answers an offset past any page with no rows instead of asking the database.
    assert people.status_code in (200, 422)
    if people.status_code == 200:
        assert people.json()["items"] == []


def test_unknown_urls_and_methods_are_json(world: World) -> None:
    client = api_client(world.a.users[Role.BUREAU_REVIEWER])
    unknown = client.post("/api/v1/no-such-thing", {}, content_type="application/json")
    assert unknown.status_code == 404
    assert unknown.json() == {"detail": "没有这个接口。"}
    wrong = client.delete("/api/v1/me")
    assert wrong.status_code == 405
    assert wrong.json() == {"detail": "不支持此请求方法。"}
    assert "GET" in wrong["Allow"]
