"""Authentication events on the audit trail — log-in, failed log-in, lockout, log-out, TOTP
failure and enrolment, token issue and revoke — each saying who, when and what, never a password,
a code or a token; and the password strength check (zxcvbn) beside the 12-character minimum."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from jineng.audit.models import AuditEntry
from jineng.identity.models import Role, User
from jineng.identity.signals import masked_username
from jineng.identity.testing import current_token, make_user, otp_login, resident_id
from jineng.identity.validators import PasswordStrengthValidator

pytestmark = pytest.mark.django_db


def _after(entry: AuditEntry) -> dict[str, Any]:
    assert entry.after is not None
    after: dict[str, Any] = entry.after
    return after


PASSWORD = "Songshan-Lake-Campus-2026"
WRONG = "Wrong-Horse-Secret-7391"  # a failed log-in's password: must appear nowhere


def _entries(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action).order_by("pk"))


def _text(entry: AuditEntry) -> str:
    return json.dumps(
        [entry.actor_label, entry.object_id, entry.before, entry.after, entry.reason],
        ensure_ascii=False,
    )


def _assert_who_when_what(entry: AuditEntry, *, account: User | None, actor: User | None) -> None:
    assert entry.at is not None
    assert entry.object_type == "account"
    assert entry.object_id == (str(account.pk) if account else "")
    assert entry.actor_id == (actor.pk if actor else None)
    assert entry.actor_label == (actor.username if actor else "system")


@pytest.fixture
def worker() -> User:
    return make_user(Role.WORKER, password=PASSWORD)


def _web_login(client: Client, username: str, password: str) -> int:
    return client.post("/login/", {"username": username, "password": password}).status_code


def _api_token(body: dict[str, str]) -> Any:
    return Client().post("/api/v1/auth/token", body, content_type="application/json")


# --- log-in, failure, lockout, log-out -------------------------------------------------------


def test_a_web_login_and_logout_are_recorded(worker: User) -> None:
    client = Client(REMOTE_ADDR="10.1.2.3")
    assert _web_login(client, worker.username, PASSWORD) == 302
    (login,) = _entries("login")
    _assert_who_when_what(login, account=worker, actor=worker)
    assert login.after == {"username": worker.username, "channel": "web", "ip": "10.1.2.3"}
    client.post("/logout/")
    (logout,) = _entries("logout")
    _assert_who_when_what(logout, account=worker, actor=worker)
    assert logout.at >= login.at


def test_an_api_login_records_the_login_and_the_token_issued(worker: User) -> None:
    resp = _api_token({"username": worker.username, "password": PASSWORD, "label": "考勤程序"})
    assert resp.status_code == 200
    raw = resp.json()["token"]
    (login,) = _entries("login")
    assert _after(login)["channel"] == "api"
    (issue,) = _entries("token_issue")
    _assert_who_when_what(issue, account=worker, actor=worker)
    token = worker.api_tokens.get()
    assert issue.after == {
        "token": token.pk,
        "prefix": token.prefix,
        "label": "考勤程序",
        "expires_at": token.expires_at.isoformat(),
    }
    assert raw not in _text(issue) and token.key_hash not in _text(issue)


@pytest.mark.parametrize("channel", ["web", "api"])
def test_a_failed_login_is_recorded_without_the_password(
    worker: User, channel: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    if channel == "web":
        assert _web_login(Client(), worker.username, WRONG) == 200
    else:
        assert _api_token({"username": worker.username, "password": WRONG}).status_code == 401
    (failed,) = _entries("login_failed")
    _assert_who_when_what(failed, account=worker, actor=None)
    assert _after(failed)["username"] == worker.username
    assert _after(failed)["channel"] == channel
    # the password is in no audit row and no log line
    for entry in AuditEntry.objects.all():
        assert WRONG not in _text(entry)
    assert caplog.records, "the failure should at least be logged by django-axes"
    for record in caplog.records:
        assert WRONG not in record.getMessage()
        assert WRONG not in str(record.args)


def test_an_unknown_username_is_recorded_against_no_account() -> None:
    assert _web_login(Client(), "nobody.here", WRONG) == 200
    (failed,) = _entries("login_failed")
    _assert_who_when_what(failed, account=None, actor=None)
    assert _after(failed)["username"] == "nobody.here"


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        (
            resident_id(serial=15),
            resident_id(serial=15)[:4] + "*" * 10 + resident_id(serial=15)[-4:],
        ),
        ("13812345678", "138****5678"),
        ("+8613812345678", "138****5678"),
        ("zhang.san", "zhang.san"),
    ],
)
def test_a_username_that_looks_like_an_id_or_phone_is_masked(typed: str, shown: str) -> None:
    assert masked_username(typed) == shown
    _web_login(Client(), typed, WRONG)
    (failed,) = _entries("login_failed")
    assert _after(failed)["username"] == shown
    if shown != typed:
        assert typed not in _text(failed) and typed[-11:] not in _text(failed)


def test_a_lockout_is_recorded(worker: User) -> None:
    client = Client(REMOTE_ADDR="10.9.9.9")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _web_login(client, worker.username, WRONG)
    locks = _entries("lockout")
    assert len(locks) == 1  # the fifth failure locks
    _assert_who_when_what(locks[0], account=worker, actor=None)
    assert locks[0].after == {"username": worker.username, "channel": "web", "ip": "10.9.9.9"}
    assert len(_entries("login_failed")) == settings.AXES_FAILURE_LIMIT
    assert all(WRONG not in _text(e) for e in AuditEntry.objects.all())


# --- the second factor -------------------------------------------------------------------------


def _wrong(code: str) -> str:
    return str((int(code) + 1) % 1_000_000).zfill(6)


def test_a_wrong_totp_code_on_the_page_is_recorded() -> None:
    officer = make_user(Role.BUREAU_REVIEWER, password=PASSWORD)
    client = Client()
    _web_login(client, officer.username, PASSWORD)
    device = TOTPDevice.objects.get(user=officer)
    code = _wrong(current_token(device))
    client.post("/login/otp/", {"token": code, "next": "/"})
    (failed,) = _entries("totp_failed")
    _assert_who_when_what(failed, account=officer, actor=None)
    assert _after(failed)["channel"] == "web"
    assert code not in _text(failed)
    assert not _entries("login_failed")


def test_a_wrong_totp_code_at_the_token_endpoint_is_a_totp_failure_not_a_password_failure() -> None:
    officer = make_user(Role.BUREAU_REVIEWER, password=PASSWORD)
    code = _wrong(current_token(TOTPDevice.objects.get(user=officer)))
    resp = _api_token({"username": officer.username, "password": PASSWORD, "otp": code})
    assert resp.status_code == 401
    (failed,) = _entries("totp_failed")
    _assert_who_when_what(failed, account=officer, actor=None)
    assert _after(failed)["channel"] == "api"
    assert not _entries("login_failed")
    assert not _entries("token_issue")


def test_totp_enrolment_is_recorded() -> None:
    admin = make_user(Role.SYSADMIN, verified=False)
    client = Client()
    client.force_login(admin, backend="django.contrib.auth.backends.ModelBackend")
    client.get("/login/otp/setup/")
    device = TOTPDevice.objects.get(user=admin)
    client.post("/login/otp/setup/", {"token": current_token(device), "next": "/"})
    (entry,) = _entries("otp_enrol")
    assert (entry.actor_id, entry.object_id) == (admin.pk, str(admin.pk))
    assert entry.at is not None


# --- tokens: each revoke reason ----------------------------------------------------------------


def test_each_revoke_reason_lands_on_the_trail(worker: User) -> None:
    from jineng.api.services import api_token_issue

    def issue() -> tuple[int, str]:
        token, raw = api_token_issue(user=worker)
        return token.pk, raw

    api_id, api_raw = issue()
    Client().post("/api/v1/auth/revoke", headers={"authorization": f"Bearer {api_raw}"})
    user_id, _ = issue()
    page = Client()
    otp_login(page, worker)
    page.post("/account/tokens/", {"token": user_id})
    logout_id, _ = issue()
    page.post("/logout/")
    password_id, _ = issue()
    worker.set_password("Another-Long-Passphrase-2028")
    worker.save()
    reasons = [
        (_after(e)["token"], _after(e)["revoked_reason"], e.reason)
        for e in _entries("token_revoke")
    ]
    assert reasons == [
        (api_id, "api", "通过接口吊销"),
        (user_id, "user", "本人在令牌页面吊销"),
        (logout_id, "logout", "退出登录"),
        (password_id, "password_change", "修改密码"),
    ]
    actors = [e.actor_id for e in _entries("token_revoke")]
    assert actors == [worker.pk, worker.pk, worker.pk, None]


# --- password strength -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "password",
    [
        "aaaaaaaaaaaa",
        "qwertyuiopas",
        "abcdefghijkl",
        "1q2w3e4r5t6y",
        "abcabcabcabc",
        "Password2024!",
    ],
)
def test_long_but_guessable_passwords_are_refused_in_chinese(password: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        validate_password(password)
    codes = [e.code for e in excinfo.value.error_list]
    assert "password_too_guessable" in codes
    (message,) = [
        m
        for e in excinfo.value.error_list
        if e.code == "password_too_guessable"
        for m in e.messages
    ]
    assert message.startswith("密码太容易被猜到：")
    assert password not in message


@pytest.mark.parametrize(
    "password",
    ["Kq8#vLp2!xZ7", "长城-Great-Wall-2024!", "Gongjiang-2024-xyz", "Qingxi-Lychee-2026"],
)
def test_strong_passwords_pass_every_validator(password: str) -> None:
    validate_password(password)


def test_the_username_counts_as_a_guessable_word() -> None:
    user = User(username="chenxiaoming", display_name="陈小明")
    PasswordStrengthValidator().validate("Zq!7-Rainbow-Vx", user)  # strong on its own
    with pytest.raises(ValidationError):
        PasswordStrengthValidator().validate("chenxiaoming1", user)


@hsettings(max_examples=60, deadline=None)
@given(
    unit=st.text(
        alphabet=st.characters(codec="ascii", categories=["L", "N", "P"]), min_size=1, max_size=2
    ),
    times=st.integers(min_value=6, max_value=30),
)
def test_any_repeated_short_unit_is_refused(unit: str, times: int) -> None:
    """`aaaaaaaaaaaa`, `ababab…`, `1!1!1!…`: however long, a repeat of one or two characters
    is refused, and the message never echoes the password."""
    password = unit * times
    with pytest.raises(ValidationError) as excinfo:
        PasswordStrengthValidator().validate(password)
    assert password not in excinfo.value.messages[0]
    assert excinfo.value.messages[0].startswith("密码太容易被猜到：")


@hsettings(max_examples=60, deadline=None)
@given(
    start=st.integers(min_value=0, max_value=25),
    length=st.integers(min_value=12, max_value=26),
    backwards=st.booleans(),
    upper=st.booleans(),
)
def test_any_run_of_the_alphabet_is_refused(
    start: int, length: int, backwards: bool, upper: bool
) -> None:
    """`abcdefghijkl`, `ZYXWVUTSRQPO`, `opqrstuvwxyz`…: any run of 12 or more letters in
    alphabet order, either way, is refused. (Keyboard walks are refused while they stay short —
    `qwertyuiopas` in the table above; zxcvbn scores a walk over three rows, 20-odd keys, as
    moderately strong, so this property is not claimed for them.)"""
    letters = "abcdefghijklmnopqrstuvwxyz"
    if backwards:
        letters = letters[::-1]
    password = (letters * 2)[start : start + length]
    password = password.upper() if upper else password
    with pytest.raises(ValidationError):
        PasswordStrengthValidator().validate(password)
