"""The one heartbeat answer behind both the API (POST /api/v1/learning/heartbeats) and the player's
web endpoint: the service `learning_heartbeat` at the server's time of receipt, and the learner's
total on the lesson as the player shows it."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from jineng.core.errors import DomainError
from jineng.identity.models import Person
from jineng.learning import selectors_web
from jineng.learning.models import Lesson
from jineng.learning.services import learning_heartbeat
from jineng.learning.services.learning_time import hour_ms


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
    }
