"""In a real browser on a phone-sized screen (Playwright driving Debian's chromium): a worker opens
a lesson with a real short video (made here with ffmpeg), plays it, seeks ahead by setting
`video.currentTime`, and plays to the end. The server credits only what was played: every credited
segment lies inside what the browser itself reports as played (`video.played`), the skipped part
earns nothing, and the player shows the refusal's Chinese label. No timing assertions: the
expectations are derived from the played ranges, with the service's own tolerance."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files import File
from django.test import Client

from jineng.identity.models import Role
from jineng.identity.testing import make_organisation, make_user, otp_login
from jineng.learning.models import CreditedSegment, Lesson
from jineng.learning.services import chapter_add, course_transition, lesson_add
from jineng.learning.tests.conftest import build_course
from jineng.web.tests.browser import BROWSER_MARKS, chromium_page

pytestmark = [
    *BROWSER_MARKS,
    pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg is not installed"),
]

VIDEO_SECONDS = 30
PLAY_UNTIL = 11.0  # watch the start this far, then
SEEK_TO = 22.0  # skip ahead to here and watch to the end
SLACK = float(settings.LEARNING_RATE_TOLERANCE_SECONDS) + 0.5  # position reports may lag


@pytest.fixture
def page() -> Iterator[Any]:
    with chromium_page(width=390, height=844) as page:
        yield page


def _webm(target: Path) -> Path:
    subprocess.run(
        [
            "ffmpeg", "-y", "-loglevel", "error", "-f", "lavfi",
            "-i", f"testsrc=duration={VIDEO_SECONDS}:size=160x120:rate=15",
            "-c:v", "libvpx", "-b:v", "200k", "-g", "15", str(target),
        ],
        check=True,
        timeout=120,
    )  # fmt: skip
    return target


def _lesson(tmp_path: Path) -> Lesson:
    provider = make_organisation(name="东莞市技能培训学校", region="441900003")
    course = build_course(provider=provider, title="车工安全操作", lessons=(), publish=False)
    chapter = chapter_add(actor=None, course=course, title="第二章 实操")
    with _webm(tmp_path / "lesson.webm").open("rb") as fh:
        lesson = lesson_add(
            actor=None,
            chapter=chapter,
            title="车床开机前检查",
            kind="video",
            duration_seconds=VIDEO_SECONDS,
            media=File(fh, name="lesson.webm"),
        )
    course_transition(actor=None, course=course, to="submitted")
    course_transition(actor=None, course=course, to="published")
    return lesson


def _overlap(a: tuple[float, float], b: tuple[float, float]) -> float:
    return max(0.0, min(a[1], b[1]) - max(a[0], b[0]))


def test_a_worker_is_credited_only_for_what_was_played(
    live_server: Any, page: Any, tmp_path: Path, settings: Any
) -> None:
    # The browser fetches video ranges while the player sends heartbeats; the test database
    # (SQLite in memory, shared cache) refuses a second concurrent writer at once instead of
    # waiting, so the session is not re-saved on every request here (PostgreSQL waits).
    settings.SESSION_SAVE_EVERY_REQUEST = False
    lesson = _lesson(tmp_path)
    worker = make_user(Role.WORKER)
    client = Client()
    otp_login(client, worker)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    failed: list[str] = []
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.goto(f"{live_server.url}/learning/lessons/{lesson.pk}/")
    page.wait_for_selector("[data-testid=player][data-stream]")
    page.evaluate("() => { const v = document.querySelector('video'); v.muted = true; v.play(); }")
    try:
        page.wait_for_function(
            f"() => document.querySelector('video').currentTime >= {PLAY_UNTIL}", timeout=90_000
        )
    except Exception:
        state = page.evaluate(
            "() => { const v = document.querySelector('video'); return [v.currentTime, v.readyState,"
            " v.networkState, v.error && v.error.message, v.paused]; }"
        )
        raise AssertionError(f"the video did not play: {state}, failed requests {failed}") from None
    page.evaluate(f"() => {{ document.querySelector('video').currentTime = {SEEK_TO}; }}")
    page.wait_for_function("() => document.querySelector('video').ended", timeout=90_000)
    beats = page.evaluate(
        "() => (document.querySelector('[data-testid=player]').dataset.outcomes || '').split(' ').length"
    )
    # two more answers after the end: the last position has been measured
    page.wait_for_function(
        "n => (document.querySelector('[data-testid=player]').dataset.outcomes || '')"
        ".split(' ').length >= n + 2",
        arg=beats,
        timeout=60_000,
    )
    played: list[tuple[float, float]] = [
        (float(a), float(b))
        for a, b in page.evaluate(
            "() => { const p = document.querySelector('video').played; const out = [];"
            " for (let i = 0; i < p.length; i++) { out.push([p.start(i), p.end(i)]); }"
            " return out; }"
        )
    ]
    outcomes = page.get_by_test_id("player").get_attribute("data-outcomes").split()
    shown = page.get_by_test_id("credited").get_attribute("data-seconds")

    segments = [
        (s.start_ms / 1000, s.end_ms / 1000)
        for s in CreditedSegment.objects.filter(lesson=lesson, person=worker.person)
    ]
    credited = sum(b - a for a, b in segments)
    played_total = sum(b - a for a, b in played)
    # the browser played the start and, after the seek, the end — not the middle
    assert played[0][0] <= SLACK and played[0][1] >= PLAY_UNTIL
    assert any(a >= SEEK_TO - SLACK for a, _b in played)
    gap = (max(b for _a, b in played if b < SEEK_TO) + SLACK, SEEK_TO - SLACK)
    assert gap[1] > gap[0]

    # every credited second was played; none of the skipped part was credited
    for seg in segments:
        inside = max(_overlap(seg, (a - SLACK, b + SLACK)) for a, b in played)
        assert inside == pytest.approx(seg[1] - seg[0]), (seg, played)
    assert sum(_overlap(seg, gap) for seg in segments) == 0
    assert credited <= played_total + SLACK
    # what was watched before the seek was credited, up to the last two heartbeat intervals
    first = played[0][1] - played[0][0]
    assert sum(_overlap(seg, played[0]) for seg in segments) >= first - 10 - SLACK
    # the skip was refused with its Chinese label, and the page shows the server's total
    assert "too_fast" in outcomes and "credited" in outcomes
    assert int(shown or 0) == int(credited)
    records = client.get("/learning/records/").content.decode()
    assert f'data-credited-seconds="{int(credited)}"' in records
