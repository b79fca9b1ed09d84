"""In a real browser at phone width (390 × 844): a worker applies for a discretionary subsidy
with an attachment; the reviewer sees the application and its attachment; a claim flagged as a
suspected duplicate cannot be approved until an officer clears the flag with a reason."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pytest

from jineng.claims.models import Claim, ClaimFlag, FlagKind
from jineng.claims.services import claim_review, integrity_check
from jineng.dossier.services import fact_append
from jineng.identity.models import Role, User
from jineng.web.tests.browser import BROWSER_MARKS, chromium_page
from jineng.web.tests.world import PASSWORD, build_world, totp_code, with_password

pytestmark = BROWSER_MARKS
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def page() -> Iterator[Any]:
    with chromium_page(width=390, height=844) as page:
        yield page


def _login(page: Any, base: str, user: User, *, otp: bool) -> None:
    from playwright.sync_api import expect

    page.context.clear_cookies()
    page.goto(f"{base}/login/")
    page.get_by_test_id("login-username").fill(user.username)
    page.get_by_test_id("login-password").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    if otp:
        expect(page).to_have_url(re.compile(r"/login/otp/"))
        field = page.locator(
            '[data-testid="otp-token"], input[name="otp_token"], input[name="token"], '
            'input[name="otp"]'
        ).first
        field.fill(totp_code(user))
        field.press("Enter")
        expect(page).not_to_have_url(re.compile(r"/login/"))


def _no_horizontal_overflow(page: Any) -> None:
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the page is {overflow}px wider than the 390px screen"


def _duplicates(person: Any, region: str) -> tuple[Claim, Claim]:
    fields: dict[str, Any] = {
        "person": person,
        "subject_key": f"P{person.pk}",
        "item_id": "nb.skill_upgrade",
        "item_title": "技能提升补贴",
        "source": "automatic",
        "region": region,
        "trigger_kind": "certificate",
        "trigger_code": "4-01-02-01",
        "trigger_level": "4",
        "trigger_date": dt.date(2024, 5, 1),
        "amount_fen": 150_000,
        "min_fen": 150_000,
        "max_fen": 150_000,
        "due_on": dt.date(2024, 5, 1),
        "evaluated_on": dt.date(2024, 5, 1),
        "payee_account": person.bank_account,
    }
    return Claim.objects.create(fact_id="dup1", **fields), Claim.objects.create(
        fact_id="dup2", **fields
    )


def test_apply_review_and_a_flag_that_blocks_approval(live_server: Any, page: Any) -> None:
    from playwright.sync_api import expect

    world = build_world()
    side = world.a
    worker = with_password(side.users[Role.WORKER])
    reviewer = with_password(side.users[Role.BUREAU_REVIEWER])
    approver = with_password(side.users[Role.BUREAU_APPROVER])
    fact_append(
        actor=None,
        subject=side.person,
        kind="appointment",
        code="skill_leader_class1",
        date=dt.date(2024, 3, 1),
        region=side.home,
        source="test",
    )
    base = live_server.url

    # the worker applies, with a PDF attachment
    _login(page, base, worker, otp=False)
    page.goto(f"{base}/claims/apply/")
    row = page.get_by_test_id("apply-row").filter(has_text="技能领军人才生活补贴")
    expect(row).to_have_count(1)
    row.get_by_test_id("apply-link").click()
    expect(page.get_by_test_id("apply-title")).to_have_text("技能领军人才生活补贴")
    expect(page.get_by_test_id("apply-amount")).to_contain_text("由主管部门核定")
    page.get_by_test_id("apply-statement").fill("本人已聘任为一类技能领军人才")
    page.get_by_test_id("apply-requested").fill("300000")
    page.locator("#id_title1").fill("聘任文件")
    page.get_by_test_id("apply-file1").set_input_files(
        {"name": "appointment.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    _no_horizontal_overflow(page)
    page.get_by_test_id("apply-submit").click()
    expect(page.get_by_test_id("application-status")).to_have_text("已受理")
    expect(page.get_by_test_id("attachment-row")).to_have_count(1)
    _no_horizontal_overflow(page)

    # the reviewer sees it in the queue, its application and the attachment (a real PDF back)
    _login(page, base, reviewer, otp=True)
    page.goto(f"{base}/claims/?q={side.name_part}")
    page.get_by_test_id("claim-link").filter(has_text="技能领军人才生活补贴").click()
    page.get_by_test_id("claim-application").get_by_role("link").click()
    link = page.get_by_test_id("attachment-link")
    expect(link).to_have_text("聘任文件")
    answer = page.request.get(base + link.get_attribute("href"))
    assert answer.status == 200 and answer.body() == PDF
    assert answer.headers["content-type"] == "application/pdf"

    # a suspected duplicate: reviewed, then refused at 复审 until its flag is cleared
    first, _second = _duplicates(side.person, side.home)
    integrity_check(actor=None)
    claim_review(actor=reviewer, claim=first)
    assert ClaimFlag.objects.filter(claim=first, kind=FlagKind.DUPLICATE).exists()
    _login(page, base, approver, otp=True)

    def approve_first() -> None:
        page.goto(f"{base}/claims/?status=reviewed")
        expect(page.get_by_test_id("claim-row")).to_have_count(1)
        page.get_by_test_id("claim-select").check()
        page.get_by_test_id("bulk-action").select_option("approve")
        page.get_by_test_id("bulk-submit").click()

    approve_first()
    expect(page.get_by_test_id("messages")).to_contain_text("有待核查的疑点")
    first.refresh_from_db()
    assert first.status == "reviewed"

    page.goto(f"{base}/claims/flags/?kind=duplicate")
    expect(page.get_by_test_id("flag-row")).to_have_count(2)
    page.get_by_test_id("flag-link").first.click()
    if (
        not page.get_by_test_id("flag-summary")
        .get_by_role("link")
        .get_attribute("href")
        .endswith(f"/{first.pk}/")
    ):
        page.goto(f"{base}/claims/flags/{ClaimFlag.objects.get(claim=first).pk}/")
    page.get_by_label("核查无误（解除疑点）").check()
    page.get_by_test_id("flag-reason").fill("同一证书重复录入，另一条已撤回处理")
    page.get_by_test_id("flag-submit").click()
    expect(page.get_by_test_id("flag-status")).to_have_text("核查无误")
    _no_horizontal_overflow(page)

    approve_first()
    expect(page.get_by_test_id("messages")).to_contain_text("已办理 1 件")
    first.refresh_from_db()
    assert first.status == "publicity"
