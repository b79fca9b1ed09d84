"""In a real browser at 390 px: an invigilator opens the room's record from the session, records
a seal opened before a witness, draws the workstations by lot, records an incident and signs;
the second invigilator's signature closes the record. Every page fits the phone's width."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from jineng.assessment.models import RoomIncident, RoomRecord, SealOpening, WorkstationSeat
from jineng.assessment.tests.exam_support import make_exam
from jineng.assessment.tests.room_support import staff_member
from jineng.web.tests.browser import BROWSER_MARKS, chromium_page, sign_in

pytestmark = BROWSER_MARKS
WIDTH = 390


@pytest.fixture
def page() -> Iterator[Any]:
    with chromium_page(width=WIDTH, height=844) as page:
        yield page


def _fits(page: Any, where: str, overflow: list[str]) -> None:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    if width > WIDTH:
        overflow.append(f"{where}: {width}px")


def test_an_invigilator_records_the_room_and_signs_at_390px(
    live_server: Any, page: Any, settings: Any
) -> None:
    settings.SESSION_SAVE_EVERY_REQUEST = False
    from playwright.sync_api import expect

    exam = make_exam(candidates=3)
    first = staff_member(exam, "theory", "王监考")
    second = staff_member(exam, "theory", "李监考")
    failed: list[str] = []
    overflow: list[str] = []
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 500 else None)
    sign_in(page, live_server, first)

    page.goto(f"{live_server.url}/assessment/sessions/{exam.session.pk}/")
    page.get_by_test_id("rooms").get_by_role("link").first.click()
    expect(page.get_by_role("heading", name="考场记录")).to_be_visible()
    _fits(page, "考场记录", overflow)

    page.fill("#seal_numbers", "SJ-2026-0417")
    page.get_by_test_id("seals").locator("select[name=witness]").select_option(label="李监考")
    page.click("[data-testid=seal-save]")
    expect(page.get_by_test_id("seals")).to_contain_text("SJ-2026-0417")

    page.fill("#seed", "20261204")
    page.click("[data-testid=draw-save]")
    expect(page.get_by_test_id("seat")).to_have_count(3)
    expect(page.get_by_test_id("seed")).to_have_text("20261204")
    _fits(page, "工位抽签后", overflow)

    page.get_by_test_id("incidents").locator("select[name=registration]").select_option(
        label="考生1号"
    )
    page.fill("#description", "考生携带手机进入考场")
    page.fill("#action_taken", "手机交监考员保管，考试继续")
    page.click("[data-testid=incident-save]")
    expect(page.get_by_test_id("incident")).to_contain_text("考生1号")

    page.click("[data-testid=sign]")
    expect(page.get_by_test_id("signers")).to_contain_text("王监考：已签名")
    expect(page.get_by_test_id("signers")).to_contain_text("李监考：未签名")
    _fits(page, "签名后", overflow)

    sign_in(page, live_server, second)
    page.goto(f"{live_server.url}/assessment/sessions/{exam.session.pk}/rooms/1/")
    page.click("[data-testid=sign]")
    expect(page.get_by_test_id("closed")).to_be_visible()
    expect(page.locator("[data-testid=incident-save]")).to_have_count(0)
    _fits(page, "封存后", overflow)

    record = RoomRecord.objects.get(session=exam.session, room=1)
    assert record.closed_at is not None
    assert SealOpening.objects.get(record=record).witness_id == second.person_id
    assert WorkstationSeat.objects.filter(draw__record=record).count() == 3
    assert RoomIncident.objects.filter(record=record).count() == 1
    assert not failed, failed
    assert not overflow, overflow
