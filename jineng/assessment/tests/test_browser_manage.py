"""In a real browser at 390 px (Playwright driving Debian's chromium): an organisation's clerk
creates a bank, adds a knowledge point and an item and submits it; a reviewer (another
assessor) approves it; the clerk writes a blueprint, sees the check in words, and publishes it.
Every page fits the phone's width."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from jineng.assessment.models import Blueprint, BlueprintStatus, Item, ItemStatus, QuestionBank
from jineng.assessment.tests.support import make_world
from jineng.identity.models import User
from jineng.identity.testing import otp_login
from jineng.web.tests.browser import BROWSER_MARKS, chromium_page

pytestmark = BROWSER_MARKS
WIDTH = 390


@pytest.fixture
def page() -> Iterator[Any]:
    with chromium_page(width=WIDTH, height=844) as page:
        yield page


def _as(page: Any, live_server: Any, user: User) -> None:
    client = Client()
    otp_login(client, user)
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def _fits(page: Any, where: str, overflow: list[str]) -> None:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    if width > WIDTH:
        overflow.append(f"{where}: {width}px")


def test_a_clerk_builds_a_bank_a_reviewer_approves_and_a_blueprint_is_published(
    live_server: Any, page: Any, settings: Any
) -> None:
    settings.SESSION_SAVE_EVERY_REQUEST = False
    world = make_world()
    from playwright.sync_api import expect

    failed: list[str] = []
    overflow: list[str] = []
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 500 else None)
    _as(page, live_server, world.admin)

    page.goto(f"{live_server.url}/assessment/manage/banks/")
    page.click("[data-testid=bank-new]")
    page.select_option("#id_organisation", str(world.organisation.pk))
    page.fill("#id_occupation", world.bank.occupation.name)
    page.select_option("#id_level", label="中级工（四级）")
    page.fill("#id_name", "中级工理论题库")
    _fits(page, "新建题库", overflow)
    page.click("[data-testid=bank-save]")
    expect(page.get_by_test_id("bank-name")).to_have_text("中级工理论题库")
    bank = QuestionBank.objects.get(name="中级工理论题库")

    page.fill("#id_code", "1")
    page.fill("#id_name", "安全文明生产")
    page.click("[data-testid=point-save]")
    expect(page.get_by_test_id("point")).to_contain_text("1 安全文明生产")

    page.click("[data-testid=item-new-true_false]")
    page.fill("#id_stem", "操作车床时可以戴手套。")
    page.fill("#id_answer", "错误")
    _fits(page, "新增试题", overflow)
    page.click("[data-testid=item-save]")
    expect(page.get_by_test_id("item-status")).to_contain_text("草稿")
    page.click("[data-testid=item-submit]")
    expect(page.get_by_test_id("item-status")).to_contain_text("待审核")
    _fits(page, "题库", overflow)

    _as(page, live_server, world.assessor)
    page.goto(f"{live_server.url}/assessment/manage/review/")
    card = page.get_by_test_id("review-item").filter(has_text="操作车床时可以戴手套。")
    card.get_by_test_id("review-decision").select_option("approve")
    _fits(page, "试题审核", overflow)
    card.get_by_test_id("review-save").click()
    expect(page.get_by_test_id("messages")).to_contain_text("试题已审核通过")
    item = Item.objects.get(bank=bank)
    assert item.status == ItemStatus.APPROVED and item.reviewed_by == world.assessor

    _as(page, live_server, world.admin)
    page.goto(f"{live_server.url}/assessment/manage/banks/{bank.pk}/")
    page.fill("#bp-name", "中级工理论试卷")
    page.click("[data-testid=blueprint-save]")
    expect(page.get_by_test_id("check-problems")).to_contain_text("还没有任何部分")
    expect(page.get_by_test_id("publish")).to_be_disabled()
    page.fill("#id_title", "判断题")
    page.select_option("#id_kind", label="判断题")
    page.click("[data-testid=section-save]")
    page.select_option("#id_difficulty", label="中等")
    page.fill("#id_count", "1")
    page.fill("#id_points", "100")
    page.click("[data-testid=rule-save]")
    expect(page.get_by_test_id("check-ok")).to_be_visible()
    blueprint = Blueprint.objects.get(name="中级工理论试卷")
    _fits(page, "组卷规则", overflow)
    page.click("[data-testid=publish]")
    expect(page.get_by_test_id("blueprint-status")).to_have_text("已发布")
    blueprint.refresh_from_db()
    assert blueprint.status == BlueprintStatus.PUBLISHED
    assert not failed, failed
    assert not overflow, overflow
