"""In a real browser (Playwright driving Debian's chromium): a bureau officer logs in with the TOTP
step, finds a worker by full ID number, sees the masked identity, reveals it, and finds the reveal
in the audit trail."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from jineng.identity.models import Role
from jineng.web.tests.browser import BROWSER_MARKS, chromium_page
from jineng.web.tests.world import PASSWORD, build_world, totp_code, with_password

pytestmark = BROWSER_MARKS


@pytest.fixture
def page() -> Iterator[Any]:
    with chromium_page(width=390, height=844) as page:
        yield page


def test_officer_finds_reveals_and_sees_the_audit_entry(live_server: Any, page: Any) -> None:
    from playwright.sync_api import expect

    world = build_world()
    side = world.a
    officer = with_password(side.users[Role.BUREAU_REVIEWER])
    base = live_server.url

    # log in: password, then the TOTP step
    page.goto(f"{base}/login/")
    page.get_by_test_id("login-username").fill(officer.username)
    page.get_by_test_id("login-password").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    expect(page).to_have_url(re.compile(r"/login/otp/"))
    otp = page.locator(
        '[data-testid="otp-token"], input[name="otp_token"], input[name="token"], input[name="otp"]'
    ).first
    otp.fill(totp_code(officer))
    otp.press("Enter")
    expect(page).to_have_url(re.compile(r"/console/$"))

    # search by the full ID number: one masked row
    page.get_by_test_id("search-id-number").fill(side.id_number)
    page.get_by_test_id("search-id-submit").click()
    row = page.get_by_test_id("person-row")
    expect(row).to_have_count(1)
    expect(row.get_by_test_id("person-masked-id")).to_have_text(side.masked_id)
    expect(page.locator("body")).not_to_contain_text(side.id_number)

    # the person's page: masked, then revealed once with a reason
    row.get_by_test_id("person-link").click()
    expect(page.get_by_test_id("person-id-number")).to_have_text(side.masked_id)
    page.get_by_test_id("reveal-reason").fill("浏览器测试核对身份")
    page.get_by_test_id("reveal-submit").click()
    expect(page.get_by_test_id("revealed-value")).to_have_text(side.id_number)
    expect(page.get_by_test_id("reveal-notice")).to_be_visible()

    # the audit trail lists the reveal with its reason
    page.get_by_test_id("nav-audit").click()
    entry = page.locator('[data-testid="audit-entry"][data-action="reveal"]').filter(
        has_text="浏览器测试核对身份"
    )
    expect(entry).to_have_count(1)
    expect(entry).to_contain_text(officer.username)
