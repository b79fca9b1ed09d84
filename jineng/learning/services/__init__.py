"""Every write of the learning app: `catalogue` (courses, chapters, lessons, the review
pipeline) and `learning_time` (streams and verified heartbeats)."""

from jineng.learning.services.catalogue import (
    chapter_add,
    course_create,
    course_transition,
    course_update,
    lesson_add,
)
from jineng.learning.services.learning_time import (
    HeartbeatResult,
    Outcome,
    learning_heartbeat,
    learning_stream_close,
    learning_stream_open,
)

__all__ = [
    "HeartbeatResult",
    "Outcome",
    "chapter_add",
    "course_create",
    "course_transition",
    "course_update",
    "learning_heartbeat",
    "learning_stream_close",
    "learning_stream_open",
    "lesson_add",
]
