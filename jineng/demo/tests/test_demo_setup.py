import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory
from django_otp.plugins.otp_totp.models import TOTPDevice

from jineng.audit.models import AuditEntry
from jineng.demo.demo import demo_setup
from jineng.identity.models import Person, Role, RoleAssignment, User
from jineng.identity.otp import current_token

pytestmark = pytest.mark.django_db


def _state() -> dict[str, int]:
    return {
        "people": Person.objects.count(),
        "users": User.objects.count(),
        "roles": RoleAssignment.objects.count(),
        "devices": TOTPDevice.objects.count(),
        "audit": AuditEntry.objects.count(),
    }


def test_demo_setup_twice_changes_nothing_and_prints_the_same_accounts() -> None:
    # given
    seeded, first = demo_setup(workers=200, seed=1, progress=False)
    assert seeded is not None and seeded.people == 200
    state = _state()
    # when
    again, second = demo_setup(workers=200, seed=1, progress=False)
    # then
    assert again is None
    assert _state() == state
    strip = [(a.username, a.password, a.role, a.scope, a.totp_secret) for a in first]
    assert strip == [(a.username, a.password, a.role, a.scope, a.totp_secret) for a in second]
    assert sorted(a.role for a in first) == sorted(Role.values)


def test_every_printed_account_logs_in() -> None:
    _, accounts = demo_setup(workers=200, seed=1, progress=False)
    factory = RequestFactory()
    for account in accounts:
        assert len(account.password) >= 12
        user = authenticate(
            factory.post("/login/"), username=account.username, password=account.password
        )
        assert user is not None, account.username
        assert RoleAssignment.objects.filter(user=user, role=account.role).exists()
        if account.role in ("bureau_reviewer", "bureau_approver", "bureau_finance", "sysadmin"):
            device = TOTPDevice.objects.get(user=user, confirmed=True)
            assert account.totp_secret
            assert device.verify_token(current_token(device))
        else:
            assert account.totp_secret == ""
    worker = User.objects.get(username="demo_worker")
    assert worker.person is not None
    assert worker.person.facts.filter(kind="competition_result", code="city_class1").exists()


def test_the_command_prints_the_table(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("demo_setup", "--workers", "100", "--no-progress")
    out = capsys.readouterr().out
    assert "demo_reviewer" in out and "Dalang-Wool-2026!" in out
    assert "东莞市（441900）及下辖" in out
