"""In a real browser at phone width (390 × 844): a worker logs in, opens 我的登录令牌 from the
navigation, sees the token a program obtained through the API (by its name, never the token),
revokes it, sees it gone — and the program's token is refused from then on."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from jineng.identity.models import Role
from jineng.identity.testing import make_user
from jineng.web.tests.browser import BROWSER_MARKS, chromium_page
from jineng.web.tests.world import PASSWORD, with_password

pytestmark = BROWSER_MARKS


@pytest.fixture
def page() -> Iterator[Any]:
    with chromium_page(width=390, height=844) as page:
        yield page


def _no_horizontal_overflow(page: Any) -> None:
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the page is {overflow}px wider than the 390px screen"


def test_worker_sees_and_revokes_a_token_issued_through_the_api(
    live_server: Any, page: Any
) -> None:
    from playwright.sync_api import expect

    worker = with_password(make_user(Role.WORKER))
    # a program logs in through the API and names its token
    api = Client()
    resp = api.post(
        "/api/v1/auth/token",
        {"username": worker.username, "password": PASSWORD, "label": "车间考勤机"},
        content_type="application/json",
    )
    assert resp.status_code == 200
    raw = resp.json()["token"]
    bearer = {"authorization": f"Bearer {raw}"}
    assert api.get("/api/v1/me", headers=bearer).status_code == 200

    # the worker logs in and opens the page from the navigation
    page.goto(f"{live_server.url}/login/")
    page.get_by_test_id("login-username").fill(worker.username)
    page.get_by_test_id("login-password").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    expect(page).to_have_url(re.compile(r"/me/$"))
    page.get_by_test_id("nav-tokens").click()
    expect(page).to_have_url(re.compile(r"/account/tokens/$"))
    expect(page.locator("h1")).to_have_text("我的登录令牌")

    # the token is listed by its name, with when it was issued and last used; never itself
    row = page.get_by_test_id("token-row")
    expect(row).to_have_count(1)
    expect(row.get_by_test_id("token-label")).to_have_text("车间考勤机")
    expect(row.get_by_test_id("token-last-used")).not_to_have_text("尚未使用")
    expect(page.locator("body")).not_to_contain_text(raw[:8])
    _no_horizontal_overflow(page)

    # revoke it: it is gone from the page and refused by the API
    row.get_by_test_id("token-revoke").click()
    expect(page.get_by_test_id("messages")).to_contain_text("已吊销该令牌")
    expect(page.get_by_test_id("token-row")).to_have_count(0)
    expect(page.get_by_test_id("no-tokens")).to_be_visible()
    _no_horizontal_overflow(page)
    assert api.get("/api/v1/me", headers=bearer).status_code == 401
