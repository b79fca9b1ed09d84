"""The public verification page at 390 × 844 in a real browser: the form, a valid result typed in
by number and name, a revoked one and an altered one fit the width, nothing blocked by the CSP."""

from __future__ import annotations

from typing import Any

from jineng.certificates.models import Certificate
from jineng.certificates.services import certificate_issue, certificate_revoke
from jineng.certificates.tests.conftest import ISSUED_ON, TURNER
from jineng.identity.testing import make_person
from jineng.organisations.models import Organisation
from jineng.web.tests.browser import BROWSER_MARKS, chromium_page
from jineng.web.tests.test_site_phone import OVERFLOW_JS, WIDTH

pytestmark = BROWSER_MARKS


def test_verification_fits_a_phone(
    live_server: Any, certificate: Certificate, evaluation_org: Organisation
) -> None:
    revoked = certificate_issue(
        actor=None,
        person=make_person(name="欧阳建国"),
        occupation=TURNER,
        level="4",
        issuer=evaluation_org,
        issued_on=ISSUED_ON,
    )
    certificate_revoke(
        actor=None,
        certificate=revoked,
        reason="经核查，该证书的理论考试成绩系评价机构工作人员事后篡改，依规撤销并追回相关补贴",
    )
    altered = certificate_issue(
        actor=None,
        person=make_person(name="李四"),
        occupation=TURNER,
        level="4",
        issuer=evaluation_org,
        issued_on=ISSUED_ON,
    )
    Certificate.objects.filter(pk=altered.pk).update(
        level="3", issuer_name="某某省某某市某某区职业技能等级认定与社会培训评价指导服务中心"
    )
    failures: list[str] = []
    with chromium_page(width=WIDTH, height=844) as page:
        blocked: list[str] = []
        page.on(
            "console",
            lambda msg: blocked.append(msg.text) if "Content Security Policy" in msg.text else None,
        )
        page.goto(f"{live_server.url}/verify/")
        page.fill("[data-testid=verify-number-input]", certificate.number)
        page.fill("[data-testid=verify-name-input]", "邓志明")
        page.click("[data-testid=verify-submit]")
        page.wait_for_selector("[data-testid=verify-result]")
        outcomes = [page.get_attribute("[data-testid=verify-result]", "data-outcome")]
        checks = [("表单查询", page.evaluate(OVERFLOW_JS))]
        for label, token in (("已撤销", revoked.token), ("被篡改", altered.token)):
            page.goto(f"{live_server.url}/verify/{token}")
            outcomes.append(page.get_attribute("[data-testid=verify-result]", "data-outcome"))
            checks.append((label, page.evaluate(OVERFLOW_JS)))
        for label, result in checks:
            if result["scroll"] > WIDTH:
                failures.append(f"{label}: 宽 {result['scroll']}px {result['worst']}")
        failures += [f"CSP {text[:120]}" for text in blocked]
    assert outcomes == ["valid", "revoked", "altered"]
    assert failures == [], "\n".join(failures)
