"""The one heartbeat answer behind both the API (POST /api/v1/learning/heartbeats) and the player's
web endpoint: the service `learning_heartbeat` at the server's time of receipt, and the learner's
total on the lesson as the player shows it."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils import timezone

from jineng.core.errors import DomainError
from jineng.identity.access import Scope
from jineng.identity.models import Person
from jineng.learning import selectors_web
from jineng.learning.access import access_lesson_by_id
from jineng.learning.errors import LearningForbidden
from jineng.learning.models import CheckStatus, CourseStatus, LearningCheck, Lesson
from jineng.learning.services import learning_heartbeat
from jineng.learning.services.learning_time import hour_ms

if TYPE_CHECKING:
    from jineng.identity.models import User

# Lessons of published courses, by id, as last read (monotonic time, lesson): a published
# course's lessons are visible to everyone and cannot be edited, so a heartbeat every few seconds
# need not read the lesson, its chapter and course again; a withdrawal is seen within
# LEARNING_LESSON_CACHE_SECONDS (0 turns the cache off, as the tests do: their ids repeat).
_PUBLISHED_LESSONS: dict[int, tuple[float, Lesson]] = {}
_CACHE_LIMIT = 10_000


def _cached_lesson(lesson_id: int) -> Lesson | None:
    hit = _PUBLISHED_LESSONS.get(lesson_id)
    if hit is not None and time.monotonic() - hit[0] < float(
        settings.LEARNING_LESSON_CACHE_SECONDS
    ):
        return hit[1]
    return None


def _remember(lesson: Lesson) -> None:
    if float(settings.LEARNING_LESSON_CACHE_SECONDS) > 0:
        if len(_PUBLISHED_LESSONS) >= _CACHE_LIMIT:
            _PUBLISHED_LESSONS.clear()
        _PUBLISHED_LESSONS[lesson.pk] = (time.monotonic(), lesson)


def heartbeat_lesson(user: User, lesson_id: int, *, scope: Scope) -> Lesson:
    """`access_lesson_by_id` for the heartbeat endpoints, with the published-lesson cache."""
    lesson = _cached_lesson(lesson_id)
    if lesson is not None:
        return lesson
    lesson = access_lesson_by_id(user, lesson_id, scope=scope)
    if lesson.chapter.course.status == CourseStatus.PUBLISHED:
        _remember(lesson)
    return lesson


def published_lesson(lesson_id: int) -> Lesson:
    """The lesson of a stream token (jineng.learning.stream_tokens), with the same cache: access
    was decided when the stream opened; a course withdrawn since refuses further heartbeats."""
    lesson = _cached_lesson(lesson_id)
    if lesson is not None:
        return lesson
    lesson = (
        Lesson.objects.select_related("chapter__course")
        .filter(pk=lesson_id, chapter__course__status=CourseStatus.PUBLISHED)
        .first()
    )
    if lesson is None:
        raise LearningForbidden("lesson", "课时所属课程未发布，不能学习")
    _remember(lesson)
    return lesson


def hours_label(ms: int) -> str:
    """Credited time as 学时 and minutes, e.g. "1.2 学时（52 分钟）"; seconds under a minute."""
    minutes = ms / 60_000
    if minutes < 1:
        return f"{ms // 1000} 秒"
    return f"{ms / hour_ms():.1f} 学时（{minutes:.0f} 分钟）"


def heartbeat_answer(
    *, person: Person, lesson: Lesson, stream: Any, position: Any, visible: bool
) -> dict[str, Any]:
    if not isinstance(stream, int) or isinstance(stream, bool):
        raise DomainError("stream", "缺少学习记录")
    if not isinstance(position, int | float) or isinstance(position, bool):
        raise DomainError("position_seconds", "播放位置无效")
    result = learning_heartbeat(
        person=person,
        lesson=lesson,
        stream=stream,
        position_seconds=float(position),
        visible=visible,
        at=timezone.now(),
    )
    total = result.lesson_credited_ms
    if total is None:
        total = selectors_web.lesson_credited_ms(person=person, lesson=lesson)
    return {
        "outcome": str(result.outcome),
        "label": result.outcome.label,
        "credited_ms": result.credited_ms,
        "lesson_credited_ms": total,
        "lesson_credited": hours_label(total),
        "completed": result.completed,
        "check": result.check_id,  # a real-name check waits: the player opens the camera
    }


def captured_image(upload: Any) -> bytes:
    """The camera frame the player posted (getUserMedia → canvas → JPEG), checked for size."""
    if upload is None:
        raise DomainError("image", "缺少摄像头拍摄的照片")
    if upload.size > int(settings.FACES_MAX_IMAGE_BYTES):
        raise DomainError("image", "照片过大，请重新拍摄")
    data: bytes = upload.read()
    if not data:
        raise DomainError("image", "缺少摄像头拍摄的照片")
    return data


def check_answer_out(check: LearningCheck) -> dict[str, Any]:
    """The player's answer to a real-name check, in Chinese."""
    passed = check.status == CheckStatus.PASSED
    if passed:
        message = "人脸核验通过，请继续学习"
    elif check.status == CheckStatus.MISSED:
        message = "人脸核验超时，上次核验通过后的学习时长已作废"
    else:
        reason = check.reason or "人脸比对未通过"
        message = f"人脸核验未通过（{reason}），上次核验通过后的学习时长已作废"
    return {
        "check": check.pk,
        "status": str(check.status),
        "status_label": check.get_status_display(),
        "passed": passed,
        "message": message,
        "voided_ms": check.voided_ms,
    }
