"""Public verification on the lean route (jineng/api/certificates/lean.py): the rendered answer is
cached per request and dropped by a status change, the rate limit counts cached answers too, no
session is read and the security headers stay."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from jineng.certificates.models import Certificate
from jineng.certificates.services import certificate_revoke, certificate_suspend

pytestmark = pytest.mark.django_db
URL = "/api/v1/certificates/verify"


def _post(body: dict[str, str], client: Client | None = None) -> tuple[int, dict[str, object]]:
    resp = (client or Client()).post(URL, body, content_type="application/json")
    return resp.status_code, resp.json()


def test_a_repeated_scan_is_served_from_the_cache_and_a_status_change_shows_at_once(
    certificate: Certificate, django_capture_on_commit_callbacks: object
) -> None:
    scan = {"token": certificate.token}
    assert _post(scan)[1]["outcome"] == "valid"
    with CaptureQueriesContext(connection) as queries:
        status, body = _post(scan)
    assert status == 200 and body["outcome"] == "valid" and body["holder"] == "邓**"
    assert len(queries.captured_queries) == 0  # no session, no account, no certificate read
    assert _post({"number": certificate.number, "name": "邓志明"})[1]["holder"] == "邓志明"
    assert _post({**scan, "name": "邓志明"})[1]["holder"] == "邓志明"  # the typed name counts
    assert _post({"number": certificate.number, "name": "邓志"})[1]["outcome"] == "not_found"
    certificate_suspend(actor=None, certificate=certificate, reason="调查")
    assert _post(scan)[1]["outcome"] == "suspended"
    assert _post({"number": certificate.number, "name": "邓志明"})[1]["outcome"] == "suspended"
    certificate_revoke(actor=None, certificate=certificate, reason="冒名")
    status, body = _post({**scan, "name": "邓志明"})
    assert body["outcome"] == "revoked" and body["revoked_reason"] == "冒名"


def test_headers_rate_limit_and_refusals(certificate: Certificate) -> None:
    client = Client(enforce_csrf_checks=True)
    resp = client.post(URL, {"token": certificate.token}, content_type="application/json")
    assert resp.status_code == 200 and resp["Cache-Control"] == "no-store"
    assert resp["X-Frame-Options"] == "DENY" and resp["X-Content-Type-Options"] == "nosniff"
    assert "Set-Cookie" not in resp
    with override_settings(CERTIFICATES_VERIFY_RATE="2/m"):
        limited = Client(REMOTE_ADDR="192.0.2.77")
        codes = [_post({"token": certificate.token}, limited)[0] for _ in range(3)]
    assert codes == [200, 200, 429]  # the cached answers are counted as well
    assert _post({"token": "a.b.c"})[1]["outcome"] == "unverifiable"
    status, body = _post({"number": "Y123"})
    assert status == 400 and "证书编号" in str(body["detail"])
    status, body = _post({"number": 5})  # type: ignore[dict-item]
    assert status == 422 and "请求参数有误" in str(body["detail"])
    assert client.get(URL).status_code == 405
    form = client.post(URL, {"token": certificate.token})
    assert form.status_code == 415
