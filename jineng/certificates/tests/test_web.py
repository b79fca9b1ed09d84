"""The verification page and API (public, Chinese, no ids, masked name) and the PDF (opens,
carries the number, downloadable by the holder and officers in scope, 404 for others)."""

from __future__ import annotations

import io

import pytest
from django.test import Client, override_settings
from pypdf import PdfReader

from jineng.certificates.models import Certificate
from jineng.certificates.services import certificate_revoke
from jineng.identity.models import Person, Role
from jineng.identity.testing import make_person, make_user, otp_login
from jineng.web.tests.sitecrawl import visible_text
from jineng.web.tests.test_site_chinese import _problems

pytestmark = pytest.mark.django_db


def _post(client: Client, number: str, name: str) -> tuple[int, str]:
    resp = client.post("/verify/", {"number": number, "name": name})
    return resp.status_code, resp.content.decode()


def _check_plain(html: str, certificate: Certificate) -> None:
    text = visible_text(html)
    assert _problems(text, {"441900"}) == []
    assert str(certificate.pk) not in text.split() and certificate.token not in text
    assert certificate.person.masked_id_number not in html
    assert certificate.person.id_number not in html


def test_the_form_page_is_chinese_and_public() -> None:
    resp = Client().get("/verify/")
    assert resp.status_code == 200
    text = visible_text(resp.content.decode())
    assert "证书编号" in text and "持证人姓名" in text and "无需登录" in text
    assert _problems(text, set()) == []


def test_by_number_and_full_name_shows_the_record(certificate: Certificate) -> None:
    status, html = _post(Client(), certificate.number, "邓志明")
    assert status == 200
    assert "证书有效" in html and "邓志明" in html and "高级工（三级）" in html
    assert "东莞市技能评价中心" in html and "2024年5月20日" in html
    _check_plain(html, certificate)


def test_by_qr_link_masks_the_name(certificate: Certificate) -> None:
    resp = Client().get(f"/verify/{certificate.token}")
    html = resp.content.decode()
    assert resp.status_code == 200 and "证书有效" in html
    assert "邓**" in html and "邓志明" not in html
    _check_plain(html, certificate)


def test_a_wrong_name_shows_not_found_and_nothing_else(certificate: Certificate) -> None:
    status, html = _post(Client(), certificate.number, "王五")
    assert status == 200 and "未找到" in html
    assert "东莞市技能评价中心" not in html and "邓" not in visible_text(html)


def test_revoked_shows_date_and_reason_never_valid(certificate: Certificate) -> None:
    certificate_revoke(actor=None, certificate=certificate, reason="考评员代考")
    resp = Client().get(f"/verify/{certificate.token}")
    html = resp.content.decode()
    assert "证书已撤销" in html and "考评员代考" in html and "被撤销" in html
    assert "证书有效" not in html
    _check_plain(html, certificate)


def test_an_edited_row_names_the_field_on_the_page(certificate: Certificate) -> None:
    Certificate.objects.filter(pk=certificate.pk).update(issuer_name="某某大学")
    html = Client().get(f"/verify/{certificate.token}").content.decode()
    assert "不一致" in html and "发证机构" in html and "某某大学" in html
    assert "证书有效" not in html


def test_a_tampered_token_is_unverifiable_on_the_page(certificate: Certificate) -> None:
    head, body, sig = certificate.token.split(".")
    tampered = f"{head}.{body[:-2]}{'A' if body[-2] != 'A' else 'B'}{body[-1]}.{sig}"
    html = Client().get(f"/verify/{tampered}").content.decode()
    assert "无法验证" in html and certificate.number not in html


def test_a_malformed_number_says_why_beside_the_field(certificate: Certificate) -> None:
    status, html = _post(Client(), "S12", "邓志明")
    assert status == 400 and "22位" in html


def test_the_page_is_rate_limited(certificate: Certificate) -> None:
    client = Client(REMOTE_ADDR="192.0.2.44")
    with override_settings(CERTIFICATES_VERIFY_RATE="2/m"):
        assert client.get(f"/verify/{certificate.token}").status_code == 200
        assert client.get(f"/verify/{certificate.token}").status_code == 200
        resp = client.get(f"/verify/{certificate.token}")
    assert resp.status_code == 429 and "频繁" in resp.content.decode()


def test_api_by_number_and_by_token(certificate: Certificate) -> None:
    client = Client()
    by_number = client.post(
        "/api/v1/certificates/verify",
        {"number": certificate.number, "name": "邓志明"},
        content_type="application/json",
    )
    assert by_number.status_code == 200
    body = by_number.json()
    assert (
        body["outcome"] == "valid" and body["holder"] == "邓志明" and body["headline"] == "证书有效"
    )
    by_token = client.post(
        "/api/v1/certificates/verify", {"token": certificate.token}, content_type="application/json"
    ).json()
    assert by_token["holder"] == "邓**" and by_token["number"] == certificate.number
    empty = client.post("/api/v1/certificates/verify", {}, content_type="application/json")
    assert empty.status_code == 400 and "证书编号" in empty.json()["detail"]
    with override_settings(CERTIFICATES_VERIFY_RATE="1/m"):
        limited = Client(REMOTE_ADDR="192.0.2.45")
        for _ in range(2):
            last = limited.post(
                "/api/v1/certificates/verify",
                {"token": certificate.token},
                content_type="application/json",
            )
    assert last.status_code == 429 and "频繁" in last.json()["detail"]


def _pdf(client: Client, certificate: Certificate) -> bytes:
    resp = client.get(f"/certificates/{certificate.number}.pdf")
    assert resp.status_code == 200, resp.status_code
    assert resp["Content-Type"] == "application/pdf"
    return resp.content


def test_the_holder_downloads_a_pdf_that_opens_and_carries_the_number(
    certificate: Certificate, holder: Person
) -> None:
    client = Client()
    otp_login(client, make_user(Role.WORKER, person=holder))
    data = _pdf(client, certificate)
    assert data.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(data))
    text = "".join(reader.pages[0].extract_text().replace("\x00", "").split())
    assert certificate.number in text
    assert "职业技能等级证书" in text and "邓志明" in text and "高级工" in text
    assert holder.masked_id_number.replace(" ", "") in text
    assert holder.id_number not in text
    assert reader.pages[0].images, "the QR code is on the page"


def test_officers_in_scope_download_others_get_404(certificate: Certificate) -> None:
    officer = Client()
    otp_login(officer, make_user(Role.BUREAU_REVIEWER, region="441900"))
    assert _pdf(officer, certificate).startswith(b"%PDF-")
    issuer_staff = Client()
    otp_login(issuer_staff, make_user(Role.ORG_ADMIN, organisation=certificate.issuer))
    assert _pdf(issuer_staff, certificate).startswith(b"%PDF-")
    for stranger in (
        make_user(Role.BUREAU_REVIEWER, region="330500"),
        make_user(Role.WORKER, person=make_person()),
    ):
        client = Client()
        otp_login(client, stranger)
        assert client.get(f"/certificates/{certificate.number}.pdf").status_code == 404
    assert Client().get(f"/certificates/{certificate.number}.pdf").status_code == 302


def test_the_list_shows_the_holder_their_certificates(
    certificate: Certificate, holder: Person
) -> None:
    client = Client()
    otp_login(client, make_user(Role.WORKER, person=holder))
    html = client.get("/certificates/").content.decode()
    assert certificate.number in html and "下载证书" in html and "车工" in html
    assert _problems(visible_text(html), {"441900"}) == []


def test_an_officer_revokes_on_the_page_and_verification_follows(
    certificate: Certificate,
) -> None:
    officer = Client()
    otp_login(officer, make_user(Role.BUREAU_REVIEWER, region="441900"))
    listing = officer.get("/certificates/").content.decode()
    assert f"/certificates/{certificate.number}/revoke/" in listing
    page = officer.get(f"/certificates/{certificate.number}/revoke/")
    assert page.status_code == 200 and "撤销原因" in page.content.decode()
    empty = officer.post(f"/certificates/{certificate.number}/revoke/", {"reason": ""})
    assert empty.status_code == 200 and "errorlist" in empty.content.decode()
    done = officer.post(f"/certificates/{certificate.number}/revoke/", {"reason": "冒名参考"})
    assert done.status_code == 302
    certificate.refresh_from_db()
    assert certificate.status == "revoked" and certificate.revoked_reason == "冒名参考"
    html = Client().get(f"/verify/{certificate.token}").content.decode()
    assert "证书已撤销" in html and "冒名参考" in html


def test_the_holder_may_not_revoke(certificate: Certificate, holder: Person) -> None:
    client = Client()
    otp_login(client, make_user(Role.WORKER, person=holder))
    assert "/revoke/" not in client.get("/certificates/").content.decode()
    assert client.get(f"/certificates/{certificate.number}/revoke/").status_code == 403
    api = client.post(
        f"/api/v1/certificates/{certificate.number}/revoke",
        {"reason": "x"},
        content_type="application/json",
    )
    assert api.status_code in (401, 403)
    certificate.refresh_from_db()
    assert certificate.status == "valid"
