"""In a real browser at 390 px (Playwright driving Debian's chromium): a class the worker enrolled
in with a voucher completes, and the completion shows in the worker's training record (我的培训档案),
in the dossier timeline the bureau officer reads, and in the policy explain page with the item the
training fact triggers (dg.training.voucher, 职业培训券(电子社保卡), 000 art. 7). Nothing about time
is asserted."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from jineng.identity.models import Role, User
from jineng.identity.testing import make_user, otp_login
from jineng.learning.tests.test_enrol_self import build_world, complete_with_voucher
from jineng.web.tests.browser import BROWSER_MARKS, chromium_page

pytestmark = BROWSER_MARKS

WIDTH = 390


@pytest.fixture
def page() -> Iterator[Any]:
    with chromium_page(width=WIDTH, height=844) as page:
        yield page


def _sign_in(page: Any, live_server: Any, user: User) -> None:
    page.context.clear_cookies()
    client = Client()
    otp_login(client, user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def _fits(page: Any) -> bool:
    return bool(page.evaluate(f"() => document.documentElement.scrollWidth <= {WIDTH}"))


def test_a_completed_class_shows_in_the_record_the_timeline_and_policy_explain(
    live_server: Any, page: Any, settings: Any
) -> None:
    settings.SESSION_SAVE_EVERY_REQUEST = False
    world = build_world()
    record = complete_with_voucher(world)
    person = world.worker.person
    assert person is not None

    _sign_in(page, live_server, world.worker)
    page.goto(f"{live_server.url}/learning/training-record/")
    body = page.locator("main").inner_text()
    assert world.school.name in body and "培训结果：合格" in body and "使用职业培训券" in body
    assert f"{record.hours} 学时" in body
    assert _fits(page)

    officer = make_user(Role.BUREAU_REVIEWER, region="441900")
    _sign_in(page, live_server, officer)
    page.goto(f"{live_server.url}/console/people/{person.pk}/")
    entry = page.locator("[data-testid=timeline-entry][data-kind=training]")
    assert entry.count() >= 1
    assert world.school.name in entry.first.inner_text()
    assert _fits(page)

    page.goto(f"{live_server.url}/policy/explain/?person={person.pk}")
    main = page.locator("main").inner_text()
    assert "职业培训券(电子社保卡)" in main, main[:2000]
    assert _fits(page)
