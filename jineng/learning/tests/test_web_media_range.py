"""The lesson media view answers HTTP Range requests (206, Content-Range, Accept-Ranges; 416 when
unsatisfiable), and only to people who may see the lesson."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jineng.identity.models import Role, User
from jineng.identity.testing import make_user, otp_login
from jineng.learning.models import Course, Lesson
from jineng.learning.services import chapter_add, lesson_add
from jineng.web.learning.media import parse_range

pytestmark = pytest.mark.django_db
BODY = bytes(range(256)) * 40  # 10,240 bytes, each position distinguishable


def _body(resp: object) -> bytes:
    content = getattr(resp, "content", None)
    if content is None:
        return b"".join(resp.streaming_content)  # type: ignore[attr-defined]
    return bytes(content)


@pytest.fixture
def media_lesson(make_course: Callable[..., Course]) -> Lesson:
    course = make_course(lessons=(), publish=False)
    chapter = course.chapters.first() or chapter_add(actor=None, course=course, title="第一章")
    lesson = lesson_add(
        actor=None,
        chapter=chapter,
        title="演示视频",
        kind="video",
        duration_seconds=20,
        media=ContentFile(BODY, name="range.mp4"),
    )
    from jineng.learning.services import course_transition

    course_transition(actor=None, course=course, to="submitted")
    course_transition(actor=None, course=course, to="published")
    return lesson


def _client(user: User) -> Client:
    client = Client()
    otp_login(client, user)
    return client


def test_whole_file_without_range(media_lesson: Lesson, worker: User) -> None:
    resp = _client(worker).get(f"/learning/lessons/{media_lesson.pk}/media")
    assert resp.status_code == 200
    assert resp["Accept-Ranges"] == "bytes"
    assert resp["Content-Length"] == str(len(BODY))
    assert resp["Content-Type"] == "video/mp4"
    assert _body(resp) == BODY


@pytest.mark.parametrize(
    ("header", "first", "last"),
    [
        ("bytes=0-99", 0, 99),
        ("bytes=100-", 100, len(BODY) - 1),
        ("bytes=-500", len(BODY) - 500, len(BODY) - 1),
        ("bytes=10000-99999", 10000, len(BODY) - 1),  # last clipped to the end
    ],
)
def test_partial_content(
    media_lesson: Lesson, worker: User, header: str, first: int, last: int
) -> None:
    resp = _client(worker).get(f"/learning/lessons/{media_lesson.pk}/media", HTTP_RANGE=header)
    assert resp.status_code == 206
    assert resp["Content-Range"] == f"bytes {first}-{last}/{len(BODY)}"
    assert resp["Content-Length"] == str(last - first + 1)
    assert _body(resp) == BODY[first : last + 1]


@pytest.mark.parametrize("header", ["bytes=10240-", "bytes=20000-20010", "bytes=-0"])
def test_unsatisfiable_range_is_416(media_lesson: Lesson, worker: User, header: str) -> None:
    resp = _client(worker).get(f"/learning/lessons/{media_lesson.pk}/media", HTTP_RANGE=header)
    assert resp.status_code == 416
    assert resp["Content-Range"] == f"bytes */{len(BODY)}"


@pytest.mark.parametrize("header", ["bytes=0-1,5-9", "items=0-5", "bytes=9-3"])
def test_unusable_range_serves_everything(media_lesson: Lesson, worker: User, header: str) -> None:
    resp = _client(worker).get(f"/learning/lessons/{media_lesson.pk}/media", HTTP_RANGE=header)
    assert resp.status_code == 200
    assert _body(resp) == BODY


def test_head_answers_headers_only(media_lesson: Lesson, worker: User) -> None:
    resp = _client(worker).head(
        f"/learning/lessons/{media_lesson.pk}/media", HTTP_RANGE="bytes=0-9"
    )
    assert resp.status_code == 206
    assert resp["Content-Length"] == "10"
    assert resp.content == b""


def test_a_draft_lessons_media_is_404_to_a_worker_and_served_to_its_provider(
    make_course: Callable[..., Course], worker: User, staff: User
) -> None:
    course = make_course(lessons=(), publish=False)
    chapter = chapter_add(actor=None, course=course, title="第二章")
    lesson = lesson_add(
        actor=None,
        chapter=chapter,
        title="草稿视频",
        kind="video",
        duration_seconds=20,
        media=ContentFile(BODY, name="draft.mp4"),
    )
    assert _client(worker).get(f"/learning/lessons/{lesson.pk}/media").status_code == 404
    other_org_staff = make_user(Role.ORG_ADMIN)
    assert _client(other_org_staff).get(f"/learning/lessons/{lesson.pk}/media").status_code == 404
    resp = _client(staff).get(f"/learning/lessons/{lesson.pk}/media", HTTP_RANGE="bytes=0-3")
    assert resp.status_code == 206 and _body(resp) == BODY[:4]
    assert Client().get(f"/learning/lessons/{lesson.pk}/media").status_code == 302


@settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(size=st.integers(0, 5000), a=st.integers(0, 6000), b=st.integers(0, 6000))
def test_parse_range_stays_inside_the_file(size: int, a: int, b: int) -> None:
    for header in (f"bytes={a}-{b}", f"bytes={a}-", f"bytes=-{b}"):
        got = parse_range(header, size)
        if got is None or got is False:
            continue
        assert isinstance(got, tuple)
        first, last = got
        assert 0 <= first <= last < size
