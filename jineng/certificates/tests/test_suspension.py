"""Suspension (暂停): by the issuer or the bureau with a reason, reversible, audited; the public
verification answers "suspended" with the date and the reason, then "valid" again once lifted;
revocation stays permanent. The state machine holds under any sequence of requests (Hypothesis)."""

from __future__ import annotations

import contextlib
import itertools

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jineng.api.services import api_token_issue
from jineng.audit.models import AuditEntry
from jineng.certificates.models import CERTIFICATE_STATES, Certificate, CertificateStatus
from jineng.certificates.selectors import verify_by_number, verify_by_token
from jineng.certificates.services import (
    certificate_issue,
    certificate_reinstate,
    certificate_revoke,
    certificate_suspend,
)
from jineng.certificates.tests.conftest import ISSUED_ON, TURNER
from jineng.core.errors import DomainError
from jineng.core.states import TransitionRefused
from jineng.identity.models import Person, Role
from jineng.identity.testing import make_user, otp_login
from jineng.organisations.models import Organisation

pytestmark = pytest.mark.django_db
VISITOR = "203.0.113.7"


def test_suspend_then_reinstate_is_audited_and_verification_follows(
    certificate: Certificate,
) -> None:
    officer = make_user(Role.BUREAU_REVIEWER, region="441900")
    certificate_suspend(actor=officer, certificate=certificate, reason="考评违规调查中")
    certificate.refresh_from_db()
    assert certificate.status == "suspended" and certificate.suspended_by_id == officer.pk
    answer = verify_by_number(number=certificate.number, name="邓志明", visitor=VISITOR)
    assert answer.outcome == "suspended" and answer.suspended_reason == "考评违规调查中"
    assert answer.suspended_on is not None and "暂停" in answer.headline
    assert verify_by_token(token=certificate.token, visitor=VISITOR).outcome == "suspended"
    certificate_reinstate(actor=officer, certificate=certificate, reason="调查结束，未发现问题")
    certificate.refresh_from_db()
    assert certificate.status == "valid" and certificate.suspended_reason == ""
    again = verify_by_number(number=certificate.number, name="邓志明", visitor=VISITOR)
    assert again.outcome == "valid" and again.suspended_reason == ""
    moves = AuditEntry.objects.filter(object_type="certificate", object_id=str(certificate.pk))
    actions = list(moves.order_by("pk").values_list("action", "reason"))
    assert actions[-2:] == [
        ("certificate_suspend", "考评违规调查中"),
        ("certificate_reinstate", "调查结束，未发现问题"),
    ]


def test_suspension_needs_a_reason_and_a_permitted_actor(
    certificate: Certificate, holder: Person
) -> None:
    officer = make_user(Role.BUREAU_REVIEWER, region="441900")
    with pytest.raises(DomainError) as err:
        certificate_suspend(actor=officer, certificate=certificate, reason="  ")
    assert "原因" in err.value.message
    with pytest.raises(PermissionDenied):
        certificate_suspend(
            actor=make_user(Role.WORKER, person=holder), certificate=certificate, reason="想暂停"
        )
    with pytest.raises(PermissionDenied):
        certificate_suspend(
            actor=make_user(Role.BUREAU_REVIEWER, region="330500"),
            certificate=certificate,
            reason="别处",
        )
    certificate.refresh_from_db()
    assert certificate.status == "valid"


def test_a_revoked_certificate_is_never_suspended_or_reinstated(certificate: Certificate) -> None:
    certificate_suspend(actor=None, certificate=certificate, reason="调查")
    certificate_revoke(actor=None, certificate=certificate, reason="查实冒名顶替")
    for service in (certificate_suspend, certificate_reinstate):
        with pytest.raises(TransitionRefused) as err:
            service(actor=None, certificate=certificate, reason="试图恢复")
        assert "已撤销" in err.value.message
    certificate.refresh_from_db()
    assert certificate.status == "revoked"
    answer = verify_by_token(token=certificate.token, visitor=VISITOR)
    assert answer.outcome == "revoked" and answer.revoked_reason == "查实冒名顶替"


def test_the_issuer_suspends_on_the_page_and_the_api_reinstates(certificate: Certificate) -> None:
    admin = make_user(Role.ORG_ADMIN, organisation=certificate.issuer)
    client = Client()
    otp_login(client, admin)
    assert (
        f"/certificates/{certificate.number}/suspend/"
        in client.get("/certificates/").content.decode()
    )
    page = client.get(f"/certificates/{certificate.number}/suspend/")
    assert page.status_code == 200 and "暂停原因" in page.content.decode()
    done = client.post(f"/certificates/{certificate.number}/suspend/", {"reason": "材料核查"})
    assert done.status_code == 302
    html = Client().get(f"/verify/{certificate.token}").content.decode()
    assert "已暂停" in html and "材料核查" in html
    _, raw = api_token_issue(user=admin)
    api = Client(headers={"authorization": f"Bearer {raw}"})
    twice = api.post(
        f"/api/v1/certificates/{certificate.number}/suspend",
        {"reason": "再次暂停"},
        content_type="application/json",
    )
    assert twice.status_code == 409
    back = api.post(
        f"/api/v1/certificates/{certificate.number}/reinstate",
        {"reason": "核查完毕"},
        content_type="application/json",
    )
    assert back.status_code == 200 and back.json()["status"] == "valid"


# --- the state machine under any sequence ------------------------------------------------------

ACTIONS = ("suspend", "reinstate", "revoke", "supersede")


def _step(action: str, certificate: Certificate, issuer: Organisation) -> None:
    if action == "suspend":
        certificate_suspend(actor=None, certificate=certificate, reason="调查")
    elif action == "reinstate":
        certificate_reinstate(actor=None, certificate=certificate, reason="恢复")
    elif action == "revoke":
        certificate_revoke(actor=None, certificate=certificate, reason="撤销")
    else:
        certificate_issue(
            actor=None,
            person=certificate.person,
            occupation=TURNER,
            level=certificate.level,
            issuer=issuer,
            issued_on=ISSUED_ON,
            supersedes=certificate,
        )


EXPECTED = {
    "suspend": "suspended",
    "reinstate": "valid",
    "revoke": "revoked",
    "supersede": "superseded",
}
_visitors = itertools.count()
OUTCOME = {
    "valid": "valid",
    "suspended": "suspended",
    "revoked": "revoked",
    "superseded": "superseded",
}


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=st.lists(st.sampled_from(ACTIONS), max_size=8))
def test_any_sequence_follows_the_declared_machine(
    evaluation_org: Organisation, holder: Person, steps: list[str]
) -> None:
    certificate = certificate_issue(
        actor=None, person=holder, occupation=TURNER, level="4",
        issuer=evaluation_org, issued_on=ISSUED_ON,
    )  # fmt: skip
    seen_revoked = False
    for action in steps:
        before = Certificate.objects.get(pk=certificate.pk).status
        target = EXPECTED[action]
        moved = False
        with contextlib.suppress(DomainError):
            _step(action, certificate, evaluation_org)
            moved = True
        certificate.refresh_from_db()
        allowed = CERTIFICATE_STATES.allows(before, target)
        assert moved == allowed, (before, action)
        assert certificate.status == (target if allowed else before)
        if seen_revoked:
            assert certificate.status == CertificateStatus.REVOKED  # permanent
        seen_revoked = certificate.status == CertificateStatus.REVOKED
        if certificate.status != CertificateStatus.SUSPENDED:
            assert certificate.suspended_reason == "" or certificate.status == "revoked"
        answer = verify_by_token(token=certificate.token, visitor=f"visitor-{next(_visitors)}")
        assert answer.outcome == OUTCOME[certificate.status]


def test_the_machine_has_revoked_terminal_and_suspension_reversible() -> None:
    assert CERTIFICATE_STATES.targets(CertificateStatus.REVOKED) == frozenset()
    assert CERTIFICATE_STATES.allows("valid", "suspended")
    assert CERTIFICATE_STATES.allows("suspended", "valid")
    assert not CERTIFICATE_STATES.allows("superseded", "valid")
