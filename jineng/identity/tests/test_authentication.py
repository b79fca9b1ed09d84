"""Passwords of at least 12 characters, lockout after failed log-ins, 30-minute idle expiry."""

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from jineng.identity.models import Role
from jineng.identity.testing import DEFAULT_PASSWORD, make_user

pytestmark = pytest.mark.django_db

LOGIN = "/login/"


def test_passwords_shorter_than_12_characters_are_refused() -> None:
    with pytest.raises(ValidationError) as excinfo:
        validate_password("Kq8#vLp2!x")  # 10 characters, otherwise strong
    assert [e.code for e in excinfo.value.error_list] == ["password_too_short"]


def test_a_12_character_password_passes() -> None:
    validate_password("Kq8#vLp2!xZ7")


@pytest.mark.parametrize("password", ["password1234", "123456789012"])
def test_common_and_numeric_passwords_are_refused(password: str) -> None:
    with pytest.raises(ValidationError):
        validate_password(password)


def _login(client: Client, username: str, password: str) -> int:
    return client.post(LOGIN, {"username": username, "password": password}).status_code


def test_a_correct_password_logs_in(client: Client) -> None:
    worker = make_user(Role.WORKER)
    _login(client, worker.username, DEFAULT_PASSWORD)
    assert client.session["_auth_user_id"] == str(worker.pk)


def test_five_failures_lock_the_account_even_against_the_right_password(client: Client) -> None:
    # given five wrong passwords from one address
    worker = make_user(Role.WORKER)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, worker.username, "wrong-password-123")
    # when the right password is tried
    status = _login(client, worker.username, DEFAULT_PASSWORD)
    # then the log-in is refused and nobody is logged in
    assert status in (403, 429)  # the log-in page answers the lock with its own 403 page
    assert "_auth_user_id" not in client.session
    attempt = AccessAttempt.objects.get(username=worker.username)
    assert attempt.failures_since_start == settings.AXES_FAILURE_LIMIT + 1  # the refused try too


def test_four_failures_do_not_lock(client: Client) -> None:
    worker = make_user(Role.WORKER)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _login(client, worker.username, "wrong-password-123")
    _login(client, worker.username, DEFAULT_PASSWORD)
    assert client.session["_auth_user_id"] == str(worker.pk)


def test_the_lock_is_per_username_and_address(client: Client) -> None:
    worker = make_user(Role.WORKER)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, worker.username, "wrong-password-123")
    other_address = Client(REMOTE_ADDR="10.0.0.9")
    _login(other_address, worker.username, DEFAULT_PASSWORD)
    assert other_address.session["_auth_user_id"] == str(worker.pk)


def test_sessions_expire_after_30_idle_minutes_and_renew_on_each_request() -> None:
    assert settings.SESSION_COOKIE_AGE == 1800
    assert settings.SESSION_SAVE_EVERY_REQUEST is True


def test_a_request_pushes_the_expiry_30_minutes_ahead(client: Client) -> None:
    worker = make_user(Role.WORKER)
    client.force_login(worker, backend="django.contrib.auth.backends.ModelBackend")
    session = Session.objects.get(session_key=client.session.session_key)
    Session.objects.filter(pk=session.pk).update(
        expire_date=timezone.now() + dt.timedelta(minutes=5)
    )

    client.get("/")

    renewed = Session.objects.get(pk=session.pk).expire_date
    remaining = renewed - timezone.now()
    assert dt.timedelta(minutes=29) < remaining <= dt.timedelta(minutes=30)


def test_an_expired_session_is_logged_out(client: Client) -> None:
    worker = make_user(Role.WORKER)
    client.force_login(worker, backend="django.contrib.auth.backends.ModelBackend")
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )

    response = client.get("/me/")

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
