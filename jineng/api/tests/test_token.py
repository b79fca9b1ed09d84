"""POST /api/v1/auth/token: password (+ TOTP for bureau staff and administrators) → bearer token;
only a hash is stored; five failures lock the username+IP (django-axes)."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import pytest
from django.test import Client, RequestFactory
from django.utils import timezone

from jineng.api.auth import BearerAuth
from jineng.api.models import ApiToken
from jineng.api.services import api_token_issue
from jineng.identity.models import Role
from jineng.web.tests.world import PASSWORD, World, totp_code, with_password

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token"


def ask(
    client: Client, username: str, password: str, otp: str | None = None
) -> tuple[int, dict[str, Any]]:
    body = {"username": username, "password": password}
    if otp is not None:
        body["otp"] = otp
    resp = client.post(TOKEN_URL, body, content_type="application/json")
    return resp.status_code, resp.json()


def test_a_worker_gets_a_token_that_opens_me(world: World) -> None:
    worker = with_password(world.a.users[Role.WORKER])
    status, body = ask(Client(), worker.username, PASSWORD)
    assert status == 200
    assert body["token_type"] == "Bearer"
    me = Client().get("/api/v1/me", headers={"authorization": f"Bearer {body['token']}"})
    assert me.status_code == 200
    assert me.json()["username"] == worker.username
    assert [r["role"] for r in me.json()["roles"]] == [Role.WORKER]


def test_only_a_hash_of_the_token_is_stored(world: World) -> None:
    worker = with_password(world.a.users[Role.WORKER])
    _, body = ask(Client(), worker.username, PASSWORD)
    raw = body["token"]
    row = ApiToken.objects.get(user=worker)
    assert row.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in {row.key_hash, row.prefix}
    assert row.expires_at > timezone.now()


def test_a_bureau_officer_needs_the_totp_code(world: World) -> None:
    officer = with_password(world.a.users[Role.BUREAU_REVIEWER])
    client = Client()
    assert ask(client, officer.username, PASSWORD) == (
        401,
        {"detail": "请输入动态验证码。", "field": "otp"},
    )
    status, body = ask(client, officer.username, PASSWORD, otp=totp_code(officer))
    assert status == 200, body
    assert ApiToken.objects.filter(user=officer).count() == 1


def test_a_wrong_totp_code_is_refused(world: World) -> None:
    officer = with_password(world.a.users[Role.BUREAU_REVIEWER])
    bad = "000000" if totp_code(officer) != "000000" else "111111"
    assert ask(Client(), officer.username, PASSWORD, otp=bad) == (
        401,
        {"detail": "动态验证码错误。", "field": "otp"},
    )
    assert not ApiToken.objects.filter(user=officer).exists()


def test_wrong_password_is_401_json(world: World) -> None:
    worker = with_password(world.a.users[Role.WORKER])
    assert ask(Client(), worker.username, "not-the-password") == (
        401,
        {"detail": "用户名或密码错误。"},
    )
    assert not ApiToken.objects.exists()


def test_five_failures_lock_the_account_even_for_the_right_password(world: World) -> None:
    worker = with_password(world.a.users[Role.WORKER])
    client = Client()
    for _ in range(5):
        status, _body = ask(client, worker.username, "not-the-password")
        assert status in (401, 403)
    status, body = ask(client, worker.username, PASSWORD)
    assert status == 403
    assert "锁定" in body["detail"]
    assert not ApiToken.objects.filter(user=worker).exists()


def test_wrong_totp_codes_count_towards_the_lockout(world: World) -> None:
    officer = with_password(world.a.users[Role.BUREAU_REVIEWER])
    good = totp_code(officer)
    bad = "000000" if good != "000000" else "111111"
    client = Client()
    for _ in range(5):
        ask(client, officer.username, PASSWORD, otp=bad)
    status, body = ask(client, officer.username, PASSWORD, otp=good)
    assert status == 403, body


def test_a_success_clears_earlier_failures(world: World) -> None:
    worker = with_password(world.a.users[Role.WORKER])
    client = Client()
    for _ in range(4):
        ask(client, worker.username, "not-the-password")
    assert ask(client, worker.username, PASSWORD)[0] == 200
    for _ in range(4):
        ask(client, worker.username, "not-the-password")
    assert ask(client, worker.username, PASSWORD)[0] == 200


@pytest.mark.parametrize("header", ["", "Bearer nonsense", "Basic abc"])
def test_requests_without_a_valid_token_are_401_json(world: World, header: str) -> None:
    headers = {"authorization": header} if header else {}
    resp = Client().get("/api/v1/people", headers=headers)
    assert resp.status_code == 401
    assert resp.json() == {"detail": "未提供有效的身份令牌。"}


def test_expired_and_revoked_tokens_are_refused(world: World) -> None:
    worker = with_password(world.a.users[Role.WORKER])
    _, first = ask(Client(), worker.username, PASSWORD)
    _, second = ask(Client(), worker.username, PASSWORD)
    ApiToken.objects.filter(key_hash=hashlib.sha256(first["token"].encode()).hexdigest()).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    ApiToken.objects.filter(key_hash=hashlib.sha256(second["token"].encode()).hexdigest()).update(
        revoked_at=timezone.now()
    )
    for body in (first, second):
        resp = Client().get("/api/v1/me", headers={"authorization": f"Bearer {body['token']}"})
        assert resp.status_code == 401


def test_an_inactive_account_loses_its_token(world: World) -> None:
    worker = with_password(world.a.users[Role.WORKER])
    _, body = ask(Client(), worker.username, PASSWORD)
    worker.is_active = False
    worker.save(update_fields=["is_active"])
    resp = Client().get("/api/v1/me", headers={"authorization": f"Bearer {body['token']}"})
    assert resp.status_code == 401


def test_a_bearer_token_is_resolved_in_one_indexed_query(
    world: World, django_assert_num_queries: Any
) -> None:
    """Hashed token → account (select_related) in one query on the unique key_hash index; the
    last-use stamp is written at most once a minute, so a second call within it reads only."""
    worker = world.a.users[Role.WORKER]
    _, raw = api_token_issue(user=worker)
    assert ApiToken._meta.get_field("key_hash").unique  # the lookup is on an index
    auth = BearerAuth()
    with django_assert_num_queries(2):  # the first use also stamps last_used_at
        assert auth.authenticate(RequestFactory().get("/"), raw) == worker
    request = RequestFactory().get("/")
    with django_assert_num_queries(1):
        assert auth.authenticate(request, raw) == worker
    assert request.user == worker
    with django_assert_num_queries(1):
        assert auth.authenticate(RequestFactory().get("/"), raw + "x") is None
