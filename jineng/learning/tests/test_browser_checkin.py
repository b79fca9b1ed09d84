"""In real browsers on phone-sized screens (Playwright driving Debian's chromium with a fake
camera): the teacher's QR screen shows the current check-in code; the trainee's phone opens the
address it encodes, the page takes a live frame from the camera (getUserMedia) and the position,
and checks in; the same code again is refused as used, and a stale code is refused as expired,
each with its Chinese reason."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from typing import Any

import qrcode
import qrcode.image.svg
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jineng.faces.testing import fake_face_image
from jineng.identity.models import Role, User
from jineng.identity.testing import make_user, otp_login
from jineng.learning.models import Attendance, Course, TrainingClass
from jineng.learning.services.attendance import checkin_token
from jineng.learning.services.classes import class_create, class_enrol, session_add
from jineng.learning.tests.class_helpers import CAMERA_FACES, CAMERA_LABEL, young
from jineng.organisations.models import Organisation
from jineng.web.tests.browser import BROWSER_MARKS, CHROMIUM, WAIT_MS

pytestmark = BROWSER_MARKS
VENUE = (22.9236, 113.8806)
PHONE: Any = {"width": 390, "height": 844}


def _cookie(user: User, base: str) -> Any:
    client = Client()
    otp_login(client, user)
    return {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base}


def _svg(url: str) -> bytes:
    out = io.BytesIO()
    qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=12).save(out)
    return out.getvalue()


def test_a_trainee_checks_in_by_scanning_the_teachers_rotating_qr(
    live_server: Any, settings: Any, make_course: Callable[..., Course], provider: Organisation
) -> None:
    from playwright.sync_api import expect, sync_playwright

    settings.SESSION_SAVE_EVERY_REQUEST = False  # SQLite in memory: one writer at a time
    settings.FACES_PROVIDER = CAMERA_FACES["FACES_PROVIDER"]
    # Two cores shared with the rest of the suite: the code stays valid a minute here (4 windows
    # of grace), so a slow step cannot turn the "used" case into an "expired" one.
    settings.CLASSES_QR_GRACE_WINDOWS = 4
    klass: TrainingClass = class_create(
        actor=None, course=make_course(), name="扫码签到演示班", subsidised=False, capacity=10
    )
    now = timezone.now()
    session = session_add(
        actor=None, klass=klass, starts_at=now - dt.timedelta(minutes=5),
        ends_at=now + dt.timedelta(hours=2), venue="实训楼 2 层", lat=VENUE[0], lng=VENUE[1],
    )  # fmt: skip
    person = young("手机学员")
    class_enrol(actor=None, klass=klass, person=person)
    from jineng.faces.services import face_enrol, face_enrolment_approve

    enrolment = face_enrol(actor=None, person=person, image=fake_face_image(CAMERA_LABEL))
    face_enrolment_approve(actor=make_user(Role.SYSADMIN), enrolment=enrolment)
    teacher = make_user(Role.TEACHER, organisation=provider)
    trainee = make_user(Role.WORKER, person=person)
    base = live_server.url

    expect.set_options(timeout=WAIT_MS)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--use-fake-device-for-media-stream",
                "--use-fake-ui-for-media-stream",
            ],
            headless=True,
        )
        try:
            # The teacher's phone: the QR screen, its image the current check-in address.
            teacher_ctx = browser.new_context(locale="zh-CN", viewport=PHONE)
            teacher_ctx.add_cookies([_cookie(teacher, base)])
            screen = teacher_ctx.new_page()
            screen.goto(f"{base}/learning/classes/sessions/{session.pk}/qr/")
            expect(screen.get_by_test_id("qr-image")).to_be_visible()
            shown = screen.evaluate(
                "() => fetch(document.querySelector('[data-testid=qr-image]').src)"
                ".then(r => r.text())"
            ).encode()
            token = checkin_token(session)
            address = base + reverse("learning:checkin", args=[token])
            earlier = base + reverse(
                "learning:checkin", args=[checkin_token(session, at=timezone.now() - dt.timedelta(seconds=15))]
            )  # fmt: skip
            assert shown in (_svg(address), _svg(earlier))
            if shown != _svg(address):
                address = earlier
            assert screen.evaluate("() => document.scripts.length") >= 1
            assert screen.locator("script:not([src])").count() == 0

            # The trainee's phone: camera and position allowed, at the venue.
            phone_ctx = browser.new_context(
                locale="zh-CN",
                viewport=PHONE,
                permissions=["camera", "geolocation"],
                geolocation={"latitude": VENUE[0] + 0.0005, "longitude": VENUE[1]},
            )
            phone_ctx.add_cookies([_cookie(trainee, base)])
            phone = phone_ctx.new_page()
            phone.goto(address)
            go = phone.get_by_test_id("checkin-go")
            expect(go).to_be_enabled()
            phone.wait_for_function(
                "() => document.querySelector('video').videoWidth > 0", timeout=WAIT_MS
            )
            phone.wait_for_timeout(500)  # let the position arrive (it is not asserted on time)
            go.click()
            result = phone.get_by_test_id("checkin-result")
            expect(result).to_contain_text("签到成功")
            record = Attendance.objects.get(session=session)
            assert record.kind == "in" and record.face_check is not None
            assert record.distance_m is not None and record.distance_m < 100
            assert "HeadlessChrome" in record.user_agent or "Chrome" in record.user_agent
            width = phone.evaluate("() => document.documentElement.scrollWidth")
            assert width <= PHONE["width"]

            # The same code again (a forwarded screenshot of it): refused as used.
            phone.goto(address)
            expect(go).to_be_enabled()
            go.click()
            expect(result).to_contain_text("已使用过")

            # A stale code: refused before the camera opens, with the reason.
            stale = checkin_token(session, at=timezone.now() - dt.timedelta(minutes=3))
            phone.goto(base + reverse("learning:checkin", args=[stale]))
            expect(phone.get_by_test_id("checkin-refused")).to_contain_text("已过期")
            assert Attendance.objects.filter(session=session).count() == 1
        finally:
            browser.close()
