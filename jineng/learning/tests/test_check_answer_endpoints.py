"""The player's and the API's answer to a real-name check: the heartbeat names the check, the
camera frame posted to the check's address passes or fails it with a Chinese message, another
person's check is 404, a missing photo is refused in Chinese."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.utils import timezone

from jineng.api.services import api_token_issue
from jineng.faces.services import face_enrol, face_enrolment_approve
from jineng.faces.testing import fake_face_image
from jineng.identity.models import Role, User
from jineng.identity.testing import make_user, otp_login
from jineng.learning.models import CheckStatus, LearningCheck, Lesson
from jineng.learning.tests.conftest import person_of

pytestmark = pytest.mark.django_db

CHECKS = {
    "LEARNING_CHECKS_PER_DAY": 315,  # one check per 60 s of credit
    "LEARNING_CHECK_JITTER": 0.0,
    "FACES_PROVIDER": "jineng.faces.testing.FakeFaceProvider",
}


@pytest.fixture(autouse=True)
def checks_on() -> Iterator[None]:
    with override_settings(**CHECKS):
        yield


@pytest.fixture
def enrolled(worker: User) -> User:
    enrolment = face_enrol(actor=None, person=person_of(worker), image=fake_face_image("学员"))
    face_enrolment_approve(actor=make_user(Role.SYSADMIN), enrolment=enrolment)
    return worker


def _watch_until_check(client: Client, lesson: Lesson) -> int:
    sid = client.post(
        f"/learning/lessons/{lesson.pk}/stream/",
        '{"device": "手机"}',
        content_type="application/json",
    ).json()["stream"]
    t0 = timezone.now()  # (the patch below moves every clock, the session's too)
    for second in range(0, 65, 5):
        with mock.patch(
            "jineng.api.learning.heartbeat.timezone.now",
            return_value=t0 + dt.timedelta(seconds=second),
        ):
            answer = client.post(
                f"/learning/lessons/{lesson.pk}/heartbeat/",
                json.dumps({"stream": sid, "position": second, "visible": True}),
                content_type="application/json",
            ).json()
        if answer["check"]:
            return int(answer["check"])
    raise AssertionError("no check came due after 60 s of credit")


def _photo(data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("capture.jpg", data, content_type="image/jpeg")


def test_the_player_answers_a_check_with_the_camera_frame(enrolled: User, lesson: Lesson) -> None:
    client = Client()
    otp_login(client, enrolled)
    check_id = _watch_until_check(client, lesson)
    url = f"/learning/checks/{check_id}/answer/"
    missing = client.post(url, {})
    assert missing.status_code == 400 and missing.json()["detail"] == "缺少摄像头拍摄的照片"
    with mock.patch(
        "django.utils.timezone.now", return_value=LearningCheck.objects.get().issued_at
    ):
        answer = client.post(url, {"image": _photo(fake_face_image("学员", offset=0.1))}).json()
    assert answer["passed"] is True and answer["message"] == "人脸核验通过，请继续学习"
    assert LearningCheck.objects.get(pk=check_id).status == CheckStatus.PASSED
    # another learner cannot see or answer it
    other = Client()
    otp_login(other, make_user(Role.WORKER))
    assert other.post(url, {"image": _photo(fake_face_image("学员"))}).status_code == 404


def test_the_api_answers_a_check_and_another_face_fails_it(enrolled: User, lesson: Lesson) -> None:
    client = Client()
    otp_login(client, enrolled)
    check_id = _watch_until_check(client, lesson)
    _, raw = api_token_issue(user=enrolled)
    api = Client(headers={"authorization": f"Bearer {raw}"})
    with mock.patch(
        "django.utils.timezone.now", return_value=LearningCheck.objects.get().issued_at
    ):
        resp = api.post(
            f"/api/v1/learning/checks/{check_id}/answer",
            {"image": _photo(fake_face_image("别人"))},
        )
    assert resp.status_code == 200, resp.content
    answer = resp.json()
    assert answer["passed"] is False and answer["status"] == CheckStatus.FAILED
    assert answer["message"].startswith("人脸核验未通过")
    assert "上次核验通过后的学习时长已作废" in answer["message"]
    assert answer["voided_ms"] == 60_000
