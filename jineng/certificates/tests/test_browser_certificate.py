"""In a real browser on a phone-sized screen (Playwright, Debian chromium, 390 px), issue 9's
Done-when for certificates: a session's results are final → the organisation issues the
certificate in a background batch and watches its progress → the worker downloads the PDF →
anyone verifies it by number and name on the public page, and by the QR → a PDF whose printed
name was edited does not pass → the certificate is in the dossier timeline and on the policy
explain page with the subsidy it triggers → once revoked it shows 已撤销 with date and reason.

The QR's payload: no QR decoder is installed in the venv (no pyzbar, zxing-cpp or OpenCV), so
it is taken from the signing service (`selectors.verification_url`, the link with the signed
token); the test then checks that the QR image embedded in the downloaded PDF has exactly the
modules of that payload's QR code, so the link verified is the one printed."""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Iterator
from copy import copy
from typing import Any

import pytest
import qrcode
from django.utils import timezone
from pypdf import PdfReader

from jineng.certificates.models import Certificate
from jineng.certificates.pdf import QR_MASK, certificate_pdf
from jineng.certificates.selectors import verification_url
from jineng.certificates.signing import mask_name
from jineng.certificates.tests.results_support import NAME, final_session
from jineng.identity.models import Role
from jineng.identity.testing import make_user
from jineng.web.tests.browser import BROWSER_MARKS, chromium_page, sign_in

pytestmark = BROWSER_MARKS
EDITED = "王志强"  # another surname: the masked names differ too


@pytest.fixture
def page() -> Iterator[Any]:
    with chromium_page(width=390, height=844) as page:
        yield page


def _text(reader: PdfReader) -> str:
    return reader.pages[0].extract_text().replace("\x00", "")


def _no_overflow(page: Any) -> None:
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390


def _qr_modules(image: Any, size: int) -> list[list[bool]]:
    """The dark/light modules of a QR image of `size` modules a side (border included)."""
    gray = image.convert("L")
    step = gray.width / size
    return [
        [gray.getpixel((int((x + 0.5) * step), int((y + 0.5) * step))) < 128 for x in range(size)]
        for y in range(size)
    ]


def _expected_modules(data: str) -> list[list[bool]]:
    qr = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M, border=2, mask_pattern=QR_MASK
    )
    qr.add_data(data)
    qr.make(fit=True)
    return [list(row) for row in qr.get_matrix()]


def _tampered(token: str, masked_name: str) -> str:
    """The token with its signed holder's name changed and the old signature kept."""
    header, payload, signature = token.split(".")
    content = json.loads(base64.urlsafe_b64decode(payload + "=="))
    content["h"] = masked_name
    body = json.dumps(content, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    edited = base64.urlsafe_b64encode(body.encode()).rstrip(b"=").decode()
    return f"{header}.{edited}.{signature}"


def test_final_results_to_a_certificate_verified_edited_and_revoked(
    live_server: Any, page: Any, settings: Any
) -> None:
    settings.SESSION_SAVE_EVERY_REQUEST = False  # SQLite in memory: one writer at a time
    settings.CERTIFICATES_VERIFY_BASE_URL = live_server.url
    exam, worker = final_session()
    base = live_server.url

    # the organisation issues: its certificates page → sessions with final results → the batch
    sign_in(page, live_server, exam.admin)
    page.goto(f"{base}/certificates/")
    page.get_by_test_id("certificate-issue").click()
    page.get_by_test_id("issue-session-open").click()
    assert page.get_by_test_id("issue-passes").inner_text() == "1人"
    page.get_by_test_id("issue-start").click()
    page.wait_for_selector("[data-testid=issue-batch]")
    progress = page.get_by_test_id("issue-batch-progress")
    page.wait_for_function(
        "() => document.querySelector('[data-testid=issue-batch-status]').innerText === '已完成'"
    )  # the page reloads itself while the batch runs
    assert progress.inner_text().startswith("已发证1人，共1人")
    _no_overflow(page)
    certificate = Certificate.objects.get(person=worker.person)
    assert certificate.level == "3" and certificate.holder_name == NAME

    # the worker downloads the PDF
    sign_in(page, live_server, worker)
    page.goto(f"{base}/certificates/")
    _no_overflow(page)
    with page.expect_download() as download:
        page.get_by_test_id("certificate-pdf").click()
    path = download.value.path()
    with open(path, "rb") as f:
        pdf = f.read()
    reader = PdfReader(io.BytesIO(pdf))
    printed = _text(reader)
    assert NAME in printed and certificate.number in printed

    # the QR in the PDF carries the verification link the signing service made
    payload = verification_url(certificate)
    assert payload == f"{base}/verify/{certificate.token}"
    expected = _expected_modules(payload)
    (qr_image, *_rest) = reader.pages[0].images
    assert _qr_modules(qr_image.image, len(expected)) == expected

    # anyone, logged out: by number and name, then by the QR's link
    page.context.clear_cookies()
    page.goto(f"{base}/verify/")
    page.get_by_test_id("verify-number-input").fill(certificate.number)
    page.get_by_test_id("verify-name-input").fill(NAME)
    page.get_by_test_id("verify-submit").click()
    assert page.get_by_test_id("verify-headline").inner_text() == "证书有效"
    assert page.get_by_test_id("verify-holder").inner_text() == NAME
    _no_overflow(page)
    page.goto(payload)
    assert page.get_by_test_id("verify-headline").inner_text() == "证书有效"
    assert page.get_by_test_id("verify-holder").inner_text() == mask_name(NAME)

    # a PDF whose printed name was edited: the same QR, another name printed
    edited = copy(certificate)
    edited.holder_name = EDITED
    forged = _text(PdfReader(io.BytesIO(certificate_pdf(edited))))
    assert EDITED in forged and NAME not in forged
    page.goto(f"{base}/verify/")
    page.get_by_test_id("verify-number-input").fill(certificate.number)
    page.get_by_test_id("verify-name-input").fill(EDITED)  # as printed on the edited PDF
    page.get_by_test_id("verify-submit").click()
    assert page.get_by_test_id("verify-headline").inner_text() == (
        "未找到与所填证书编号和姓名相符的证书"
    )
    page.goto(payload)  # its QR still names the record, whose own name is shown
    assert page.get_by_test_id("verify-holder").inner_text() == mask_name(NAME)
    # a QR re-made with the edited name: the signature no longer matches what it says
    page.goto(f"{base}/verify/{_tampered(certificate.token, mask_name(EDITED))}")
    assert page.get_by_test_id("verify-result").get_attribute("data-outcome") == "unverifiable"
    assert "无法验证" in page.get_by_test_id("verify-headline").inner_text()

    # the dossier timeline (the worker's own page) and the policy explain page (the bureau)
    sign_in(page, live_server, worker)
    page.goto(f"{base}/me/")
    entry = page.locator("[data-testid=timeline-entry][data-kind=certificate]")
    assert entry.count() == 1
    assert "高级工" in entry.inner_text() and exam.session.occupation.name in entry.inner_text()
    officer = make_user(Role.BUREAU_REVIEWER, region="441900")
    sign_in(page, live_server, officer)
    page.goto(f"{base}/policy/explain/?q={NAME}")
    page.get_by_test_id("explain-person-link").first.click()
    page.wait_for_selector("[data-testid=explain-subject]")
    paid = page.get_by_test_id("explain-paid").inner_text()  # paid, not merely listed
    assert "技能提升补贴(取得职业技能等级证书)" in paid
    _no_overflow(page)

    # revoked by the organisation, with a reason: the public page says so, with date and reason
    sign_in(page, live_server, exam.admin)
    page.goto(f"{base}/certificates/{certificate.number}/revoke/")
    page.fill("textarea[name=reason]", "考试作弊，经核查属实")
    page.locator("form button[type=submit]").last.click()
    page.context.clear_cookies()
    page.goto(payload)
    assert page.get_by_test_id("verify-headline").inner_text() == "证书已撤销，不再有效"
    revoked = page.get_by_test_id("verify-revoked").inner_text()
    today = timezone.localdate()
    assert f"{today.year}年{today.month}月{today.day}日" in revoked
    assert "考试作弊，经核查属实" in revoked and "已撤销" in page.inner_text("main")
    _no_overflow(page)
