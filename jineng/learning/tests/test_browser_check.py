"""In a real browser at 390 px (Playwright driving Debian's chromium with its fake camera): a
real-name check comes due while a worker watches a lesson, the player pauses and opens the camera
panel (getUserMedia), the worker takes the picture, the Chinese result is shown, the video plays on
and time keeps being credited. The face provider here takes any camera frame for the enrolled
learner (chromium's fake camera shows a test pattern, not a face); the real comparison is tested
in jineng/faces. No timing assertions: each step waits for what the page shows."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files import File
from django.test import Client

from jineng.faces.errors import BadImage
from jineng.faces.providers import FaceEncoding, FaceMatch, compare_vectors
from jineng.faces.services import face_enrol, face_enrolment_approve
from jineng.identity.models import Role
from jineng.identity.testing import make_organisation, make_user, otp_login
from jineng.learning.models import CheckStatus, LearningCheck, Lesson, LessonProgress
from jineng.learning.services import chapter_add, course_transition, lesson_add
from jineng.learning.tests.conftest import build_course
from jineng.web.tests.browser import BROWSER_MARKS, CHROMIUM, WAIT_MS

pytestmark = [
    *BROWSER_MARKS,
    pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg is not installed"),
]

VIDEO_SECONDS = 90


class CameraFrameIsTheLearner:
    """Any JPEG is the same face: chromium's fake camera stands in for the learner."""

    model = "camera-test"

    def encode(self, image_bytes: bytes) -> FaceEncoding:
        if not image_bytes.startswith(b"\xff\xd8") and b"enrolment" not in image_bytes:
            raise BadImage()
        return FaceEncoding(model=self.model, vector=(0.1,) * 8)

    def compare(self, enrolled: FaceEncoding, capture: FaceEncoding) -> FaceMatch:
        return compare_vectors(enrolled, capture)


@pytest.fixture
def page() -> Iterator[Any]:
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=WAIT_MS)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--use-fake-ui-for-media-stream",
                "--use-fake-device-for-media-stream",
                "--autoplay-policy=no-user-gesture-required",
            ],
            headless=True,
        )
        context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
        context.set_default_timeout(WAIT_MS)
        try:
            yield context.new_page()
        finally:
            context.close()
            browser.close()


def _lesson(tmp_path: Path) -> Lesson:
    target = tmp_path / "lesson.webm"
    subprocess.run(
        [
            "ffmpeg", "-y", "-loglevel", "error", "-f", "lavfi",
            "-i", f"testsrc=duration={VIDEO_SECONDS}:size=160x120:rate=10",
            "-c:v", "libvpx", "-b:v", "100k", "-g", "10", str(target),
        ],
        check=True,
        timeout=180,
    )  # fmt: skip
    provider = make_organisation(name="东莞市技能培训学校", region="441900003")
    course = build_course(provider=provider, title="电工安全操作", lessons=(), publish=False)
    chapter = chapter_add(actor=None, course=course, title="第一章 安全")
    with target.open("rb") as fh:
        lesson = lesson_add(
            actor=None,
            chapter=chapter,
            title="停电验电挂接地线",
            kind="video",
            duration_seconds=VIDEO_SECONDS,
            media=File(fh, name="lesson.webm"),
        )
    course_transition(actor=None, course=course, to="submitted")
    course_transition(actor=None, course=course, to="published")
    return lesson


def test_a_check_comes_due_is_answered_with_the_camera_and_crediting_goes_on(
    live_server: Any, page: Any, tmp_path: Path, settings: Any
) -> None:
    settings.SESSION_SAVE_EVERY_REQUEST = False  # SQLite in memory: one writer at a time
    settings.FACES_PROVIDER = f"{__name__}.CameraFrameIsTheLearner"
    # 7 学时 × 45 min ÷ 3,150 = one check per 6 s of credit, exactly
    settings.LEARNING_CHECKS_PER_DAY = 3150
    settings.LEARNING_CHECK_JITTER = 0.0
    lesson = _lesson(tmp_path)
    worker = make_user(Role.WORKER)
    assert worker.person is not None
    enrolment = face_enrol(actor=None, person=worker.person, image=b"enrolment photo")
    face_enrolment_approve(actor=make_user(Role.SYSADMIN), enrolment=enrolment)
    client = Client()
    otp_login(client, worker)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page.goto(f"{live_server.url}/learning/lessons/{lesson.pk}/")
    page.wait_for_selector("[data-testid=player][data-stream]")
    page.evaluate("() => { const v = document.querySelector('video'); v.muted = true; v.play(); }")

    # the check comes due: the video pauses, the camera panel opens with the live camera
    panel = page.get_by_test_id("check-panel")
    panel.wait_for(state="visible", timeout=120_000)
    assert page.evaluate("() => document.querySelector('[data-testid=player] video').paused")
    page.wait_for_function(
        "() => document.querySelector('[data-testid=check-camera]').videoWidth > 0"
    )
    assert page.evaluate("() => innerWidth") == 390
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    check = LearningCheck.objects.get(person=worker.person)
    assert check.status == CheckStatus.PENDING
    credited_at_check = LessonProgress.objects.get(person=worker.person, lesson=lesson).credited_ms

    page.get_by_test_id("check-capture").click()
    page.wait_for_selector("[data-testid=player][data-check-status=passed]")
    assert "人脸核验通过" in (page.get_by_test_id("notice").text_content() or "")
    assert panel.is_hidden()
    check.refresh_from_db()
    assert check.status == CheckStatus.PASSED and check.face_check is not None

    # the video plays on and time keeps being credited after the check
    page.wait_for_function(
        "n => parseInt(document.querySelector('[data-testid=credited]').dataset.seconds, 10)"
        " * 1000 > n",
        arg=credited_at_check,
        timeout=120_000,
    )
    progress = LessonProgress.objects.get(person=worker.person, lesson=lesson)
    assert progress.credited_ms > credited_at_check
