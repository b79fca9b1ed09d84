"""In a real browser at 390 px (Playwright driving Debian's chromium), the player's other ways to
earn time without watching, each earning nothing (issue 8 "Done when"; the seek ahead is in
test_browser_player.py): playing at 2× speed, a hidden tab, and a second device, whose stream
pauses the first (the first device's heartbeats then answer "inactive" and the credit stops).
No timing assertions: each waits for the player's own answers and reads the ledger."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from jineng.identity.models import Role, User
from jineng.identity.testing import make_user, otp_login
from jineng.learning.models import CreditedSegment, Lesson
from jineng.learning.tests.test_browser_player import _lesson
from jineng.web.tests.browser import BROWSER_MARKS, chromium_page

pytestmark = [
    *BROWSER_MARKS,
    pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg is not installed"),
]

OUTCOMES = (
    "() => (document.querySelector('[data-testid=player]').dataset.outcomes || '').split(' ')"
)


@pytest.fixture
def page() -> Iterator[Any]:
    with chromium_page(width=390, height=844) as page:
        yield page


def _open(page: Any, live_server: Any, user: User, lesson: Lesson) -> None:
    client = Client()
    otp_login(client, user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page.goto(f"{live_server.url}/learning/lessons/{lesson.pk}/")
    page.wait_for_selector("[data-testid=player][data-stream]")


def _play(page: Any, rate: float = 1.0) -> None:
    page.evaluate(
        "r => { const v = document.querySelector('video'); v.muted = true; v.playbackRate = r;"
        " v.play(); }",
        rate,
    )


def _outcomes(page: Any) -> list[str]:
    return [o for o in page.evaluate(OUTCOMES) if o]


def _more_answers(page: Any, n: int) -> None:
    """Wait until the player has had `n` more answers from the server."""
    seen = len(_outcomes(page))
    page.wait_for_function(f"() => ({OUTCOMES})().filter(Boolean).length >= {seen + n}")


def _credited_ms(user: User, lesson: Lesson) -> int:
    return sum(
        s.end_ms - s.start_ms
        for s in CreditedSegment.objects.filter(lesson=lesson, person=user.person)
    )


def test_two_times_speed_earns_nothing(
    live_server: Any, page: Any, tmp_path: Path, settings: Any
) -> None:
    settings.SESSION_SAVE_EVERY_REQUEST = False
    lesson, worker = _lesson(tmp_path), make_user(Role.WORKER)
    _open(page, live_server, worker, lesson)
    _play(page, rate=2.0)
    page.wait_for_function("() => document.querySelector('video').currentTime >= 16")
    _more_answers(page, 2)
    outcomes = _outcomes(page)
    assert "too_fast" in outcomes and "credited" not in outcomes, outcomes
    assert _credited_ms(worker, lesson) == 0
    assert page.get_by_test_id("credited").get_attribute("data-seconds") in (None, "0")


def test_a_hidden_tab_earns_nothing(
    live_server: Any, page: Any, tmp_path: Path, settings: Any
) -> None:
    settings.SESSION_SAVE_EVERY_REQUEST = False
    lesson, worker = _lesson(tmp_path), make_user(Role.WORKER)
    _open(page, live_server, worker, lesson)
    # The tab goes to the background (another app in front): the page says so to the player.
    page.evaluate(
        "() => { Object.defineProperty(document, 'visibilityState', {get: () => 'hidden',"
        " configurable: true}); Object.defineProperty(document, 'hidden', {get: () => true,"
        " configurable: true}); document.dispatchEvent(new Event('visibilitychange')); }"
    )
    _play(page)
    page.wait_for_function("() => document.querySelector('video').currentTime >= 12")
    _more_answers(page, 2)
    outcomes = _outcomes(page)
    assert "hidden" in outcomes and "credited" not in outcomes, outcomes
    assert _credited_ms(worker, lesson) == 0


def test_a_second_device_pauses_the_first_and_its_time_stops(
    live_server: Any, page: Any, tmp_path: Path, settings: Any
) -> None:
    settings.SESSION_SAVE_EVERY_REQUEST = False
    lesson, worker = _lesson(tmp_path), make_user(Role.WORKER)
    _open(page, live_server, worker, lesson)
    _play(page)
    page.wait_for_function(
        f"() => ({OUTCOMES})().includes('credited')", timeout=90_000
    )  # the first device earns while it is the only one
    other = page.context.browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    try:
        second = other.new_page()
        _open(second, live_server, worker, lesson)  # another phone opens the same lesson
        page.wait_for_function(f"() => ({OUTCOMES})().includes('inactive')", timeout=90_000)
        held = _credited_ms(worker, lesson)
        assert held > 0
        _more_answers(page, 2)  # the first device plays on, answered "inactive"
        assert _outcomes(page)[-1] == "inactive"
        assert _credited_ms(worker, lesson) == held
    finally:
        other.close()
