"""A bearer token does not outlive the session or the password it was obtained with: web logout
and every way of changing a password revoke the account's tokens; `POST /auth/revoke` ends the
token it is called with. Each revocation is on the audit trail with its reason."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from jineng.api.models import ApiToken, RevokeReason
from jineng.api.services import api_token_issue, api_token_revoke
from jineng.audit.models import AuditEntry
from jineng.identity.models import Role, User
from jineng.identity.signals import acting_user
from jineng.identity.testing import make_user, otp_login
from jineng.web.tests.world import PASSWORD, with_password

pytestmark = pytest.mark.django_db


def _after(entry: AuditEntry) -> dict[str, Any]:
    assert entry.after is not None
    after: dict[str, Any] = entry.after
    return after


NEW_PASSWORD = "Zhujiang-Estuary-Bridge-2027"
REVOKE_URL = "/api/v1/auth/revoke"


def _me(raw: str) -> int:
    return Client().get("/api/v1/me", headers={"authorization": f"Bearer {raw}"}).status_code


def _api_login(user: User, **extra: str) -> str:
    body = {"username": user.username, "password": PASSWORD, **extra}
    resp = Client().post("/api/v1/auth/token", body, content_type="application/json")
    assert resp.status_code == 200, resp.content
    return str(resp.json()["token"])


def _revocations(user: User) -> list[tuple[str, str]]:
    """(token id, reason code) of every token_revoke entry about the account, in order."""
    return [
        (str(_after(e)["token"]), _after(e)["revoked_reason"])
        for e in AuditEntry.objects.filter(
            action="token_revoke", object_type="account", object_id=str(user.pk)
        ).order_by("pk")
    ]


@pytest.fixture
def worker() -> User:
    return with_password(make_user(Role.WORKER))


def test_web_logout_revokes_every_token_of_the_account(worker: User) -> None:
    # given two tokens from the API and a web session
    first, second = _api_login(worker), _api_login(worker)
    other = with_password(make_user(Role.WORKER))
    others = _api_login(other)
    assert _me(first) == _me(second) == 200
    browser = Client()
    assert (
        browser.post("/login/", {"username": worker.username, "password": PASSWORD}).status_code
        == 302
    )
    # when the web session logs out
    assert browser.post("/logout/").status_code == 302
    # then both tokens are refused, another account's token is untouched
    assert _me(first) == _me(second) == 401
    assert _me(others) == 200
    ids = sorted(
        str(pk) for pk in ApiToken.objects.filter(user=worker).values_list("pk", flat=True)
    )
    assert sorted(_revocations(worker)) == [(pk, "logout") for pk in ids]
    assert set(ApiToken.objects.filter(user=worker).values_list("revoked_reason", flat=True)) == {
        RevokeReason.LOGOUT
    }


def test_the_admin_logout_revokes_too() -> None:
    root = with_password(make_user(Role.SYSADMIN))
    _, raw = api_token_issue(user=root)
    client = Client()
    otp_login(client, root)
    client.post("/admin/logout/")
    assert _me(raw) == 401


def test_set_password_in_code_revokes_the_tokens(worker: User) -> None:
    raw = _api_login(worker)
    worker.set_password(NEW_PASSWORD)
    worker.save()
    assert _me(raw) == 401
    (revocation,) = AuditEntry.objects.filter(action="token_revoke", object_id=str(worker.pk))
    assert _after(revocation)["revoked_reason"] == "password_change"
    assert revocation.actor_id is None  # code outside a page: the system
    assert revocation.reason == "修改密码"


def test_disabling_the_password_revokes_the_tokens(worker: User) -> None:
    raw = _api_login(worker)
    worker.set_unusable_password()
    worker.save()
    assert _me(raw) == 401


def test_the_changepassword_command_revokes_the_tokens(
    worker: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    raw = _api_login(worker)
    monkeypatch.setattr("getpass.getpass", lambda prompt="": NEW_PASSWORD)
    call_command("changepassword", worker.username, stdout=StringIO())
    assert _me(raw) == 401
    assert [reason for _, reason in _revocations(worker)] == ["password_change"]


def test_the_admin_change_password_form_revokes_the_tokens_as_the_admin(worker: User) -> None:
    raw = _api_login(worker)
    root = make_user(Role.SYSADMIN)
    admin = Client()
    otp_login(admin, root)
    resp = admin.post(
        f"/admin/identity/user/{worker.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert resp.status_code == 302, resp.content.decode()[:500]
    assert _me(raw) == 401
    entry = AuditEntry.objects.get(action="token_revoke", object_id=str(worker.pk))
    assert _after(entry)["revoked_reason"] == "password_change"
    assert entry.actor_id == root.pk  # the admin pages attribute the change to their user


def test_a_page_acting_for_a_user_is_named_on_the_revocation(worker: User) -> None:
    raw = _api_login(worker)
    root = make_user(Role.SYSADMIN)
    with acting_user(root):
        worker.set_password(NEW_PASSWORD)
        worker.save()
    assert _me(raw) == 401
    assert AuditEntry.objects.get(action="token_revoke").actor_id == root.pk


def test_saving_the_account_without_a_password_change_keeps_the_tokens(worker: User) -> None:
    raw = _api_login(worker)
    worker.display_name = "王小明"
    worker.save()
    worker.check_password(PASSWORD)  # may re-hash the same password: not a change
    assert _me(raw) == 200
    assert _revocations(worker) == []


def test_auth_revoke_ends_the_token_it_is_called_with_only(worker: User) -> None:
    # given two tokens of one account
    kept, ended = _api_login(worker), _api_login(worker)
    # when one of them revokes itself
    resp = Client().post(REVOKE_URL, headers={"authorization": f"Bearer {ended}"})
    # then it answers 200 and that token is refused from now on; the other still works
    assert (resp.status_code, resp.json()) == (200, {"detail": "令牌已吊销。"})
    assert _me(ended) == 401
    again = Client().post(REVOKE_URL, headers={"authorization": f"Bearer {ended}"})
    assert again.status_code == 401
    assert again.json() == {"detail": "未提供有效的身份令牌。"}
    assert _me(kept) == 200
    ended_row = ApiToken.objects.get(user=worker, revoked_at__isnull=False)
    assert ended_row.revoked_reason == RevokeReason.API
    (entry,) = AuditEntry.objects.filter(action="token_revoke")
    assert (entry.actor_id, entry.object_type, entry.object_id) == (
        worker.pk,
        "account",
        str(worker.pk),
    )
    assert entry.after == {
        "token": ended_row.pk,
        "prefix": ended_row.prefix,
        "revoked_reason": "api",
    }
    assert ended not in str(entry.after)


@pytest.mark.parametrize("header", [None, "Bearer nonsense"])
def test_auth_revoke_without_a_valid_token_is_401(header: str | None) -> None:
    headers = {"authorization": header} if header else {}
    resp = Client().post(REVOKE_URL, headers=headers)
    assert resp.status_code == 401
    assert resp.json() == {"detail": "未提供有效的身份令牌。"}
    assert not AuditEntry.objects.filter(action="token_revoke").exists()


def test_revoking_a_revoked_token_writes_nothing_more(worker: User) -> None:
    token, _ = api_token_issue(user=worker)
    api_token_revoke(actor=worker, token=token, reason=RevokeReason.USER)
    api_token_revoke(actor=worker, token=token, reason=RevokeReason.API)
    token.refresh_from_db()
    assert token.revoked_reason == RevokeReason.USER
    assert AuditEntry.objects.filter(action="token_revoke").count() == 1


def test_the_revoke_endpoint_is_documented() -> None:
    spec = Client().get("/api/v1/openapi.json").json()
    operation = spec["paths"]["/api/v1/auth/revoke"]["post"]
    assert set(operation["responses"]) == {"200", "401"}
    assert operation["summary"] == "吊销当前令牌"
