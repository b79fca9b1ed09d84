"""The TOTP second factor: RequireOTPMiddleware, the OTP step and enrolment."""

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from jineng.audit.models import AuditEntry
from jineng.identity.models import Role
from jineng.identity.otp import current_token, requires_second_factor, verify_totp
from jineng.identity.testing import DEFAULT_PASSWORD, login, make_user, otp_login

pytestmark = pytest.mark.django_db

HOME = "/"
API = "/api/v1/me"


@pytest.mark.parametrize(
    "role",
    [Role.BUREAU_REVIEWER, Role.BUREAU_APPROVER, Role.BUREAU_FINANCE, Role.SYSADMIN],
)
def test_totp_roles_are_sent_to_the_otp_step(client: Client, role: str) -> None:
    user = make_user(role)
    login(client, user)

    response = client.get("/console/?q=1")

    assert response.status_code == 302
    assert response["Location"] == "/login/otp/?next=%2Fconsole%2F%3Fq%3D1"


def test_without_a_confirmed_device_the_user_is_sent_to_enrolment(client: Client) -> None:
    login(client, make_user(Role.BUREAU_REVIEWER, verified=False))

    response = client.get(HOME)

    assert response.status_code == 302
    assert response["Location"] == "/login/otp/setup/?next=%2F"


def test_api_answers_403_json_before_the_otp_step(client: Client) -> None:
    login(client, make_user(Role.SYSADMIN))

    response = client.get(API)

    assert response.status_code == 403
    assert response.json()["code"] == "otp_required"


def test_admin_is_behind_the_otp_step_too(client: Client) -> None:
    login(client, make_user(Role.SYSADMIN))
    assert client.get("/admin/")["Location"].startswith("/login/otp/")


@pytest.mark.parametrize(
    "role", [Role.WORKER, Role.ORG_ADMIN, Role.TEACHER, Role.ASSESSOR, Role.ORG_HR, Role.AUDITOR]
)
def test_other_roles_need_no_second_factor(role: str) -> None:
    assert not requires_second_factor(make_user(role))


def test_a_superuser_without_roles_needs_the_second_factor() -> None:
    from jineng.identity.models import User

    user = User.objects.create_superuser("root", password=DEFAULT_PASSWORD)
    assert requires_second_factor(user)


def test_otp_login_helper_passes_the_middleware(client: Client) -> None:
    otp_login(client, make_user(Role.BUREAU_REVIEWER))
    response = client.get(HOME)
    assert not (response.status_code == 302 and "/login/otp/" in response["Location"])


def test_a_correct_code_completes_the_log_in(client: Client) -> None:
    # given an officer who passed the password step
    officer = make_user(Role.BUREAU_APPROVER)
    login(client, officer)
    device = TOTPDevice.objects.get(user=officer)
    # when
    response = client.post("/login/otp/", {"token": current_token(device), "next": "/console/"})
    # then
    assert response.status_code == 302
    assert response["Location"] == "/console/"
    assert client.session["otp_device_id"] == device.persistent_id


def test_a_wrong_code_is_refused_and_the_session_stays_unverified(client: Client) -> None:
    officer = make_user(Role.BUREAU_APPROVER)
    login(client, officer)
    device = TOTPDevice.objects.get(user=officer)
    wrong = str((int(current_token(device)) + 1) % 1_000_000).zfill(6)

    response = client.post("/login/otp/", {"token": wrong})

    assert response.status_code == 200
    assert "验证码不正确" in response.content.decode()
    assert "otp_device_id" not in client.session
    assert client.get(HOME).status_code == 302


def test_a_code_is_accepted_only_once() -> None:
    officer = make_user(Role.BUREAU_FINANCE)
    device = TOTPDevice.objects.get(user=officer)
    token = current_token(device)
    assert verify_totp(officer, token) == device
    assert verify_totp(officer, token) is None


def test_open_redirects_are_refused(client: Client) -> None:
    officer = make_user(Role.BUREAU_APPROVER)
    login(client, officer)
    device = TOTPDevice.objects.get(user=officer)
    response = client.post(
        "/login/otp/", {"token": current_token(device), "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_enrolment_shows_a_qr_code_and_the_secret_then_confirms(client: Client) -> None:
    # given a new sysadmin with no device
    admin = make_user(Role.SYSADMIN, verified=False)
    login(client, admin)
    # when they open enrolment
    page = client.get("/login/otp/setup/")
    # then a QR code (inline SVG) and the base32 secret are shown
    body = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in body
    device = TOTPDevice.objects.get(user=admin, confirmed=False)
    from jineng.identity.otp import secret_base32

    assert secret_base32(device) in body
    # when they confirm with the first code
    response = client.post("/login/otp/setup/", {"token": current_token(device), "next": "/"})
    # then the device is confirmed, the session verified and the enrolment audited
    assert response["Location"] == "/"
    device.refresh_from_db()
    assert device.confirmed
    assert client.session["otp_device_id"] == device.persistent_id
    entry = AuditEntry.objects.get(action="otp_enrol")
    assert (entry.object_type, entry.object_id, entry.actor_id) == ("user", str(admin.pk), admin.pk)


def test_enrolment_with_a_wrong_code_confirms_nothing(client: Client) -> None:
    admin = make_user(Role.SYSADMIN, verified=False)
    login(client, admin)
    client.get("/login/otp/setup/")
    device = TOTPDevice.objects.get(user=admin)
    wrong = str((int(current_token(device)) + 1) % 1_000_000).zfill(6)

    client.post("/login/otp/setup/", {"token": wrong})

    device.refresh_from_db()
    assert not device.confirmed
    assert not AuditEntry.objects.filter(action="otp_enrol").exists()


def test_enrolment_never_shows_the_secret_of_a_confirmed_device(client: Client) -> None:
    officer = make_user(Role.BUREAU_REVIEWER)
    login(client, officer)
    response = client.get("/login/otp/setup/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/otp/?")


def test_the_otp_pages_require_the_password_step_first(client: Client) -> None:
    response = client.get("/login/otp/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")
