"""In a real browser at 390 px (Playwright driving Debian's chromium): a worker opens 我的培训券,
claims the voucher and sees its QR code; the designated institution's staff open the address the
QR carries, verify the voucher at enrolment and record the completion; the worker then sees the
training record in 我的培训档案 and the voucher as redeemed. Nothing about time is asserted."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from jineng.identity.models import Role, User
from jineng.identity.testing import make_organisation, make_user, otp_login
from jineng.learning.models import TrainingRecord, TrainingVoucher
from jineng.learning.tests.conftest import person_of
from jineng.learning.tests.training_helpers import batch_for, designated_school, make_unemployed
from jineng.web.tests.browser import BROWSER_MARKS, chromium_page

pytestmark = BROWSER_MARKS

WIDTH = 390


@pytest.fixture
def page() -> Iterator[Any]:
    with chromium_page(width=WIDTH, height=844) as page:
        yield page


def _sign_in(context: Any, live_server: Any, user: User) -> None:
    client = Client()
    otp_login(client, user)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def _fits(page: Any) -> bool:
    return bool(page.evaluate(f"() => document.documentElement.scrollWidth <= {WIDTH}"))


def test_claim_verify_complete_then_the_record_shows(
    live_server: Any, page: Any, settings: Any
) -> None:
    settings.SESSION_SAVE_EVERY_REQUEST = False
    school = designated_school(name="东莞市车工技能培训学校")
    worker = make_user(Role.WORKER)
    make_unemployed(person_of(worker), make_organisation(kind="enterprise"))
    batch_for()
    staff = make_user(Role.ORG_ADMIN, organisation=school)

    _sign_in(page.context, live_server, worker)
    page.goto(f"{live_server.url}/learning/vouchers/")
    page.get_by_test_id("voucher-claim").click()
    page.wait_for_selector("[data-testid=voucher-qr]")
    # the QR image arrives (a PNG the server made) and is drawn
    page.wait_for_function(
        "() => { const i = document.querySelector('[data-testid=voucher-qr]');"
        " return i.complete && i.naturalWidth > 0; }"
    )
    code = page.get_by_test_id("voucher-code").inner_text().strip()
    voucher = TrainingVoucher.objects.get(person=person_of(worker))
    assert code == voucher.code and voucher.status == "claimed"
    assert _fits(page)

    # The institution's phone: the QR's address (the verification page with the code).
    staff_context = page.context.browser.new_context(
        locale="zh-CN", viewport={"width": WIDTH, "height": 844}
    )
    try:
        _sign_in(staff_context, live_server, staff)
        desk = staff_context.new_page()
        desk.goto(f"{live_server.url}/learning/vouchers/verify/?code={code}")
        assert person_of(worker).name in desk.get_by_test_id("voucher-holder").inner_text()
        desk.fill("input[name=enrolment_ref]", "车工初级班（第3期）")
        desk.get_by_test_id("voucher-verify").click()
        desk.wait_for_selector("[data-testid=voucher-complete-form]")
        assert desk.get_by_test_id("voucher-status").inner_text() == "已核验报名"
        assert _fits(desk)
        desk.fill("input[name=hours]", "40")
        desk.get_by_test_id("voucher-complete").click()
        desk.wait_for_selector("[data-testid=voucher-not-found]")  # redeemed: no longer presentable
    finally:
        staff_context.close()

    record = TrainingRecord.objects.get(person=person_of(worker))
    assert record.institution_id == school.pk and record.hours == 40
    page.goto(f"{live_server.url}/learning/training-record/")
    card = page.get_by_test_id("training-record")
    assert "东莞市车工技能培训学校" in card.inner_text()
    assert "使用职业培训券" in card.inner_text()
    assert _fits(page)
    page.goto(f"{live_server.url}/learning/vouchers/")
    assert page.get_by_test_id("voucher-status").inner_text() == "已兑付"
