"""Password changes go on the audit trail wherever they happen (admin form, commands, code), once,
naming the account and who did it, and never carrying the password or its hash."""

from __future__ import annotations

import json
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import update_last_login
from django.core.management import call_command
from django.test import Client

from jineng.audit.models import AuditEntry
from jineng.audit.services import audit_verify
from jineng.identity.models import Role, User
from jineng.identity.testing import DEFAULT_PASSWORD, make_user, otp_login

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-much-longer-new-passphrase-2026"


def _entries(user: User) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(object_type="user", object_id=str(user.pk))
        .exclude(action__in=["grant", "revoke"])
        .order_by("pk")
    )


def _no_secret(entry: AuditEntry, user: User, *passwords: str) -> None:
    text = json.dumps([entry.before, entry.after, entry.reason], ensure_ascii=False)
    user.refresh_from_db()
    for secret in (user.password, *passwords):
        assert secret not in text
    assert "pbkdf2" not in text and "argon2" not in text


@pytest.fixture
def root() -> User:
    return make_user(Role.SYSADMIN, username="root")


@pytest.fixture
def admin_client(client: Client, root: User) -> Client:
    otp_login(client, root)
    return client


def test_the_admin_password_form_writes_one_entry_naming_the_account(
    admin_client: Client, root: User
) -> None:
    target = make_user(Role.WORKER, username="wang")
    before = AuditEntry.objects.count()
    resp = admin_client.post(
        f"/admin/identity/user/{target.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert resp.status_code == 302, resp.content.decode()[:3000]
    target.refresh_from_db()
    assert target.check_password(NEW_PASSWORD)
    assert AuditEntry.objects.count() == before + 1
    (entry,) = _entries(target)
    assert entry.action == "password_change"
    assert entry.actor_id == root.pk
    assert entry.after == {"username": "wang", "usable_password": True}
    assert entry.before == {"usable_password": True}
    _no_secret(entry, target, NEW_PASSWORD, DEFAULT_PASSWORD)
    assert audit_verify().ok


@pytest.mark.parametrize(
    "data",
    [
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD + "x", "usable_password": "true"},
        {"password1": "short", "password2": "short", "usable_password": "true"},
    ],
    ids=["mismatch", "too-short"],
)
def test_an_invalid_admin_password_form_writes_nothing(
    admin_client: Client, data: dict[str, Any]
) -> None:
    target = make_user(Role.WORKER, username="wang")
    before = AuditEntry.objects.count()
    resp = admin_client.post(f"/admin/identity/user/{target.pk}/password/", data)
    assert resp.status_code == 200  # the form again, with its errors
    assert AuditEntry.objects.count() == before
    target.refresh_from_db()
    assert target.check_password(DEFAULT_PASSWORD)


def test_logging_in_and_other_saves_write_no_password_entry() -> None:
    user = make_user(Role.WORKER, username="wang")
    before = AuditEntry.objects.count()
    update_last_login(User, user)  # what a log-in saves
    user.display_name = "王"
    user.save()
    assert AuditEntry.objects.count() == before


def test_a_hash_upgrade_on_log_in_is_not_a_change(settings: Any) -> None:
    user = make_user(Role.WORKER, username="wang")
    # an old-style hash of the same password: check_password re-hashes it and saves
    User.objects.filter(pk=user.pk).update(password=make_password(DEFAULT_PASSWORD, None, "md5"))
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    user.refresh_from_db()
    before = AuditEntry.objects.count()
    assert user.check_password(DEFAULT_PASSWORD)
    user.refresh_from_db()
    assert user.password.startswith("pbkdf2_")
    assert AuditEntry.objects.count() == before


def test_set_password_in_code_and_disabling_are_recorded() -> None:
    user = make_user(Role.WORKER, username="wang")
    user.set_password(NEW_PASSWORD)
    user.save()
    user.set_unusable_password()
    user.save()
    changed, disabled = _entries(user)
    assert (changed.action, changed.actor_label) == ("password_change", "system")
    assert (disabled.action, disabled.after) == (
        "password_disable",
        {"username": "wang", "usable_password": False},
    )
    _no_secret(changed, user, NEW_PASSWORD)


def test_changepassword_command_is_recorded(monkeypatch: pytest.MonkeyPatch) -> None:
    user = make_user(Role.WORKER, username="wang")
    monkeypatch.setattr("getpass.getpass", lambda prompt="": NEW_PASSWORD)
    monkeypatch.setattr("sys.argv", ["jineng", "changepassword", "wang"])
    call_command("changepassword", "wang", stdout=StringIO())
    (entry,) = _entries(user)
    assert entry.action == "password_change"
    assert entry.actor_id is None and entry.actor_label == "system:changepassword"
    _no_secret(entry, user, NEW_PASSWORD)


def test_createsuperuser_is_recorded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", NEW_PASSWORD)
    monkeypatch.setattr("sys.argv", ["jineng", "createsuperuser"])
    call_command("createsuperuser", "--noinput", username="boss", email="", stdout=StringIO())
    user = User.objects.get(username="boss")
    (entry,) = _entries(user)
    assert entry.action == "create"
    assert entry.actor_label == "system:createsuperuser"
    assert entry.after == {"username": "boss", "is_superuser": True, "usable_password": True}
    _no_secret(entry, user, NEW_PASSWORD)


def test_account_create_is_audited_once() -> None:
    from jineng.identity.services import account_create

    user = account_create(actor=None, username="li", password=NEW_PASSWORD)
    assert [e.action for e in _entries(user)] == ["create"]
