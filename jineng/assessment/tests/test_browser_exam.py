"""In a real browser on a phone-sized screen (Playwright driving Debian's chromium): a candidate
starts a short timed exam, answers, loses the connection (an answer given offline waits on the
device), comes back (reload: the waiting answer is sent), opens the exam on another device (a
new browser context: answers and the running time come from the server), and is submitted
automatically when the time is up. Then two assessors mark the practical sheet on their pages,
far apart, and a third resolves the difference. No timing is asserted: the waits only bound how
long a step may take."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from jineng.assessment import services
from jineng.assessment.models import (
    Answer,
    Attempt,
    AttemptStatus,
    ExamSession,
    ItemKind,
    MarkingTask,
    SubmittedBy,
)
from jineng.assessment.tests.exam_support import admit, make_exam
from jineng.identity.testing import otp_login
from jineng.web.tests.browser import BROWSER_MARKS, chromium_page

pytestmark = BROWSER_MARKS


@pytest.fixture
def page() -> Iterator[Any]:
    with chromium_page(width=390, height=844) as page:
        yield page


def _cookie(page: Any, live_server: Any, user: Any) -> None:
    client = Client()
    otp_login(client, user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def test_a_candidate_resumes_after_a_dropped_connection_and_is_submitted_by_the_clock(
    live_server: Any, page: Any, settings: Any
) -> None:
    settings.SESSION_SAVE_EVERY_REQUEST = False  # SQLite in memory: one writer at a time
    exam = make_exam(candidates=1, minutes=2)
    user, registration = exam.candidates[0]
    admit(exam, registration)
    # two minutes from a start a minute ago: about a minute left when the candidate starts
    ExamSession.objects.filter(pk=exam.session.pk).update(
        starts_at=timezone.now() - dt.timedelta(seconds=60)
    )
    _cookie(page, live_server, user)
    url = f"{live_server.url}/assessment/registrations/{registration.pk}/exam/"
    page.goto(url)
    page.get_by_test_id("start").click()
    page.wait_for_selector("[data-testid=question]")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    exam_root = page.get_by_test_id("exam")

    attempt = Attempt.objects.get(registration=registration)
    assert attempt.paper is not None
    entries = {e.pk: e for e in attempt.paper.entries.select_related("item")}
    singles = list(page.query_selector_all(".q[data-kind=single]"))
    first, second = (int(q.get_attribute("data-entry")) for q in singles)
    short = page.query_selector(".q[data-kind=short_answer] textarea")
    singles[0].query_selector_all("input")[1].check()
    short.fill("检查防护罩和润滑，取下卡盘扳手")
    page.wait_for_function(
        "() => document.querySelector('[data-testid=exam]').dataset.pending === '0'"
        " && !!document.querySelector('.q[data-kind=short_answer] [data-testid=saved]').textContent"
    )
    before = int(exam_root.get_attribute("data-remaining-shown") or 0)

    # the connection drops: the next answer waits on the device
    page.context.set_offline(True)
    singles[1].query_selector_all("input")[2].check()
    page.wait_for_function(
        "() => document.querySelector('[data-testid=exam]').dataset.pending !== '0'"
    )
    page.context.set_offline(False)
    page.reload()  # back online: the waiting answer is sent again from localStorage
    page.wait_for_function(
        "() => document.querySelector('[data-testid=exam]').dataset.pending === '0'"
    )
    stored = dict(Answer.objects.filter(attempt=attempt).values_list("entry_id", "response"))
    assert stored[first] == 1 and stored[second] == 2
    assert any("卡盘扳手" in str(v) for v in stored.values())

    # another device: a fresh browser context with the same account
    other = page.context.browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    try:
        device = other.new_page()
        _cookie(device, live_server, user)
        device.goto(url)
        device.wait_for_selector("[data-testid=question]")
        assert device.locator(f".q[data-entry='{first}'] input[value='1']").is_checked()
        assert device.locator(f".q[data-entry='{second}'] input[value='2']").is_checked()
        assert "卡盘扳手" in device.locator(".q[data-kind=short_answer] textarea").input_value()
        after = int(device.get_by_test_id("exam").get_attribute("data-remaining") or 0)
        assert 0 < after <= before  # the time kept running; it was not restarted
        # the clock submits: the page shows the submission without the candidate doing anything
        device.wait_for_selector("[data-testid=submitted]", timeout=180_000)
    finally:
        other.close()
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.SUBMITTED
    assert attempt.submitted_by == SubmittedBy.TIMER
    assert attempt.paper is not None and attempt.paper.scored_at is not None
    key = entries[first].option_order.index(entries[first].item.answer)
    scored = dict(attempt.paper.entries.values_list("pk", "score"))
    assert (scored[first] == entries[first].points) == (key == 1)
    assert MarkingTask.objects.filter(
        registration=registration, item__kind=ItemKind.SHORT_ANSWER
    ).exists()


def test_two_assessors_mark_a_practical_sheet_and_a_third_resolves(
    live_server: Any, page: Any, settings: Any
) -> None:
    settings.SESSION_SAVE_EVERY_REQUEST = False
    exam = make_exam(candidates=1)
    services.practical_tasks_create(actor=exam.admin, session=exam.session)
    task = MarkingTask.objects.get(part="practical")
    name = exam.candidates[0][1].person.name
    for assessor, marks in zip(exam.assessors[:2], (("58", "38"), ("30", "28")), strict=True):
        page.context.clear_cookies()
        _cookie(page, live_server, assessor)
        page.goto(f"{live_server.url}/assessment/marking/")
        assert name not in page.content()
        page.get_by_test_id("task").filter(has_text=task.candidate_code).get_by_role("link").click()
        page.fill("#c0", marks[0])
        page.fill("#c1", marks[1])
        page.get_by_role("button", name="提交评分").click()
        page.wait_for_selector("[data-testid=messages]")
    task.refresh_from_db()
    assert task.final_score is None  # 96 and 58: more than 10 % apart
    page.context.clear_cookies()
    _cookie(page, live_server, exam.assessors[2])
    page.goto(f"{live_server.url}/assessment/marking/")
    page.get_by_test_id("third-task").filter(has_text=task.candidate_code).get_by_role(
        "link"
    ).click()
    assert name not in page.content()
    page.fill("#c0", "55")
    page.fill("#c1", "35")
    page.get_by_role("button", name="提交评分").click()
    page.wait_for_selector("[data-testid=messages]")
    task.refresh_from_db()
    assert str(task.final_score) == "93.00"  # 90 with the nearer 96
