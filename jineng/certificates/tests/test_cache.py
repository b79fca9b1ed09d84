"""The verification answer is cached per certificate (a second verification reads nothing from
the database) and dropped by every status change, so a revocation shows at once; the visitor's
part (the typed name, the scanned token) is never taken from the cache."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jineng.certificates.models import Certificate
from jineng.certificates.selectors import verify_by_number, verify_by_token
from jineng.certificates.services import certificate_revoke, certificate_suspend

pytestmark = pytest.mark.django_db
VISITOR = "198.51.100.40"


def _queries(call: object) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert callable(call)
        call()
    return len([q for q in captured.captured_queries if "certificates_certificate" in q["sql"]])


def test_a_second_verification_reads_no_certificate_and_a_revocation_shows_at_once(
    certificate: Certificate,
) -> None:
    first = verify_by_token(token=certificate.token, visitor=VISITOR)
    assert first.outcome == "valid" and first.holder == "邓**"
    assert _queries(lambda: verify_by_token(token=certificate.token, visitor=VISITOR)) == 0
    named = verify_by_token(token=certificate.token, visitor=VISITOR, name="邓志明")
    assert named.holder == "邓志明"  # the typed name decides, not the cached answer
    assert verify_by_number(number=certificate.number, name="邓志", visitor=VISITOR).outcome == (
        "not_found"
    )
    certificate_suspend(actor=None, certificate=certificate, reason="调查")
    assert verify_by_token(token=certificate.token, visitor=VISITOR).outcome == "suspended"
    certificate_revoke(actor=None, certificate=certificate, reason="冒名")
    answer = verify_by_number(number=certificate.number, name="邓志明", visitor=VISITOR)
    assert answer.outcome == "revoked" and answer.revoked_reason == "冒名"
