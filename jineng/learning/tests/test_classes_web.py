"""The class pages through the client: the institution plans a class on its pages, the QR image
encodes this site's check-in address, the trainee checks in on the 扫码签到 page (JSON answer in
Chinese), a stale code shows why, and the sheet masks the network address."""

from __future__ import annotations

import base64
import datetime as dt
import re
from collections.abc import Callable, Iterator

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from jineng.faces.testing import fake_face_image
from jineng.identity.models import Role
from jineng.identity.testing import make_user, otp_login
from jineng.learning.models import Attendance, ClassSession, Course, TrainingClass
from jineng.learning.services.attendance import checkin_token
from jineng.learning.services.classes import class_enrol, session_add
from jineng.learning.tests.class_helpers import FAKE_FACES, face_ready, young
from jineng.organisations.models import Organisation
from jineng.web.learning.attendance import describe_device, mask_ip

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fake_faces() -> Iterator[None]:
    with override_settings(**FAKE_FACES):
        yield


def test_masks_and_device_words() -> None:
    assert mask_ip("203.0.113.7") == "203.0.113.*"
    assert mask_ip("2001:db8:1:2::5") == "2001:0db8:0001:*"
    assert describe_device("Mozilla/5.0 (iPhone) Safari/604.1") == "苹果手机 · Safari 浏览器"


def test_the_institution_plans_a_class_on_its_pages(
    make_course: Callable[..., Course], provider: Organisation
) -> None:
    course = make_course()
    staff = make_user(Role.ORG_ADMIN, organisation=provider)
    client = Client()
    otp_login(client, staff)
    answer = client.post(
        "/learning/classes/new/",
        {
            "course": course.pk,
            "name": "页面创建的班",
            "capacity": 20,
            "attendance_threshold": 80,
            "subsidised": "on",
        },
    )
    assert answer.status_code == 302
    klass = TrainingClass.objects.get(name="页面创建的班")
    assert klass.subsidised
    url = f"/learning/classes/{klass.pk}/"
    answer = client.post(
        url,
        {
            "action": "session",
            "day": "2026-06-01",
            "start": "09:00",
            "end": "08:00",
            "venue": "一楼",
        },
    )
    assert "下课时间必须晚于上课时间" in answer.content.decode()
    client.post(
        url,
        {
            "action": "session",
            "day": "2026-06-01",
            "start": "09:00",
            "end": "12:00",
            "venue": "一楼",
        },
    )
    assert klass.sessions.count() == 1
    person = young("页面学员")
    client.post(url, {"action": "enrol", "name": "页面学员", "id_number": person.id_number})
    assert klass.enrolments.filter(person=person).exists()
    page = client.get(url).content.decode()
    assert "页面学员" in page and person.id_number not in page and person.masked_id_number in page


def test_qr_check_in_through_the_pages(
    make_course: Callable[..., Course], provider: Organisation
) -> None:
    klass = TrainingClass.objects.create(
        name="扫码班",
        course=make_course(),
        provider=provider,
        occupation_id="6-18-01-01",
        level="5",
        capacity=5,
        attendance_threshold=80,
    )
    now = timezone.now()
    session_add(
        actor=None, klass=klass, starts_at=now - dt.timedelta(minutes=10),
        ends_at=now + dt.timedelta(hours=1), venue="二楼",
    )  # fmt: skip
    session = ClassSession.objects.get(klass=klass)
    person = young("扫码学员")
    class_enrol(actor=None, klass=klass, person=person)
    face_ready(person, "扫码学员")
    teacher = make_user(Role.TEACHER, organisation=provider)
    staff_client = Client()
    otp_login(staff_client, teacher)
    svg = staff_client.get(f"/learning/classes/sessions/{session.pk}/qr.svg")
    assert svg["Content-Type"] == "image/svg+xml" and "no-store" in svg["Cache-Control"]
    assert b"<svg" in svg.content
    qr_page = staff_client.get(f"/learning/classes/sessions/{session.pk}/qr/").content.decode()
    assert "qr.js" in qr_page and "<script>" not in qr_page

    worker = make_user(Role.WORKER, person=person)
    client = Client()
    otp_login(client, worker)
    token = checkin_token(session)
    url = f"/learning/classes/checkin/{token}/"
    page = client.get(url).content.decode()
    assert "拍照签到" in page and "checkin.js" in page
    image = "data:image/jpeg;base64," + base64.b64encode(fake_face_image("扫码学员")).decode()
    answer = client.post(
        url,
        {"image": image},
        HTTP_USER_AGENT="Mozilla/5.0 (Android) Chrome",
        REMOTE_ADDR="198.51.100.23",
    )
    assert answer.status_code == 200 and answer.json()["message"].startswith("签到成功")
    again = client.post(url, {"image": image})
    assert again.status_code == 422 and "已使用过" in again.json()["message"]
    stale = checkin_token(session, at=timezone.now() - dt.timedelta(minutes=2))
    refused = client.get(f"/learning/classes/checkin/{stale}/")
    assert refused.status_code == 422 and "已过期" in refused.content.decode()
    record = Attendance.objects.get(session=session)
    assert record.ip == "198.51.100.23"
    sheet = staff_client.get(f"/learning/classes/sessions/{session.pk}/").content.decode()
    assert "198.51.100.*" in sheet and "198.51.100.23" not in sheet
    assert "安卓手机 · Chrome 浏览器" in sheet
    assert re.search(r"已签到 1 / 1 人", sheet)
