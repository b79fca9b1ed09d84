"""In a real browser (Playwright driving Debian's chromium): a Huzhou bureau officer logs in with
the TOTP step, finds a WorldSkills gold medallist, reads the paid item beside its quoted clause (two
columns on a desktop, stacked on a phone), then starts a what-if simulation with an override and
reads the budget table with its delta and the chart; a queued run's page reloads itself until the
run has finished."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from jineng.policy.models import PopulationSource, SimulationRun, SimulationStatus
from jineng.policy.tests.test_api_explain import (
    HZ_MEDAL,
    ON,
    build_policy_world,
    policy_item,
    table_fen,
)
from jineng.web.tests.browser import BROWSER_MARKS, chromium_page
from jineng.web.tests.world import PASSWORD, totp_code, with_password

pytestmark = BROWSER_MARKS


@pytest.fixture
def page() -> Iterator[Any]:
    with chromium_page(width=1280, height=900) as page:
        yield page


def test_officer_explains_a_person_then_simulates_a_raise(live_server: Any, page: Any) -> None:
    from playwright.sync_api import expect

    world = build_policy_world()
    officer = with_password(world.hz_officer)
    base = live_server.url
    fetched: list[str] = []
    page.on("request", lambda r: fetched.append(r.url))

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

    # the explanation page from the navigation; find the person by name
    page.get_by_test_id("nav-policy-explain").click()
    page.get_by_test_id("explain-q").fill("沈一")
    page.get_by_test_id("explain-q-submit").click()
    page.get_by_test_id("explain-person-link").filter(has_text=world.gold.name).click()
    expect(page.get_by_test_id("subject-name")).to_have_text(world.gold.name)
    page.get_by_test_id("explain-on").fill(ON.isoformat())
    page.get_by_test_id("explain-submit").click()

    # the paid item with its amount, beside the quoted clause
    item = page.locator(f'[data-testid="explain-item"][data-item="{HZ_MEDAL}"]')
    expect(item).to_have_attribute("data-status", "paid")
    expect(item.get_by_test_id("item-amount")).to_have_text("¥1,000,000.00")
    quote = policy_item("hz.yaml", HZ_MEDAL)["citation"]["quote"]
    expect(item.get_by_test_id("clause-quote")).to_have_text(quote)
    expect(page.get_by_test_id("explain-total")).to_have_text("¥1,000,000.00")
    left = item.locator(".entitlement").bounding_box()
    right = item.get_by_test_id("clause").bounding_box()
    assert right["x"] > left["x"] + left["width"] - 1  # two columns on a desktop
    page.set_viewport_size({"width": 390, "height": 844})
    left = item.locator(".entitlement").bounding_box()
    right = item.get_by_test_id("clause").bounding_box()
    assert right["y"] >= left["y"] + left["height"] - 1  # stacked on a phone
    page.set_viewport_size({"width": 1280, "height": 900})

    # a what-if: the gold award raised to 1,500,000 from 2022-01-01
    page.get_by_test_id("nav-policy-simulate").click()
    # whatif.js (a deferred script) listens for the item's change: choose only once it has run
    page.wait_for_load_state("load")
    page.get_by_test_id("simulation-on").fill(ON.isoformat())
    # the item by its title, then its parameter (listed by whatif.js with its current value)
    row = page.get_by_test_id("adjustment-row").first
    row.get_by_test_id("adjustment-item").select_option(HZ_MEDAL)
    parameter = row.get_by_test_id("adjustment-parameter")
    expect(parameter.locator("option[value='table.gold']")).to_have_text(
        "金牌 金额（现为 ¥1,000,000.00）"
    )
    parameter.select_option("table.gold")
    row.get_by_test_id("adjustment-value").fill("1500000")
    row.get_by_test_id("adjustment-from").fill("2022-01-01")
    page.get_by_test_id("simulation-submit").click()
    expect(page).to_have_url(re.compile(r"/policy/simulate/\d+/$"))
    expect(page.get_by_test_id("run-status")).to_have_text("已完成")
    row = page.locator(f'[data-testid="budget-row"][data-item="{HZ_MEDAL}"][data-year="2022"]')
    delta = 150_000_000 - table_fen("hz.yaml", HZ_MEDAL, "gold")
    expect(row.get_by_test_id("budget-row-delta")).to_have_attribute("data-fen", str(delta))
    expect(row.get_by_test_id("budget-row-delta")).to_have_text("+500,000.00")
    expect(page.get_by_test_id("budget-delta")).to_have_text("+500,000.00")
    expect(page.get_by_test_id("budget-chart")).to_be_visible()
    expect(page.get_by_test_id("chart-bar")).to_have_count(2 * 2)  # 2022 and 2023, two series
    page.set_viewport_size({"width": 390, "height": 844})  # a phone: no sideways scrolling
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # a run still in the queue: its page reloads itself until the run has finished
    queued = SimulationRun.objects.create(
        created_by=officer, on=ON, population=PopulationSource.CITY, region="3305"
    )
    page.goto(f"{base}/policy/simulate/{queued.pk}/")
    expect(page.get_by_test_id("run-status")).to_have_text("排队中")
    SimulationRun.objects.filter(pk=queued.pk).update(status=SimulationStatus.DONE, progress=100)
    expect(page.get_by_test_id("run-status")).to_have_text("已完成", timeout=10_000)

    # nothing was fetched from anywhere but the site itself
    assert all(url.startswith(base) for url in fetched), [
        u for u in fetched if not u.startswith(base)
    ]
