"""Every write of the learning app: `catalogue` (courses, chapters, lessons, the review
pipeline) `learning_time` (streams and verified heartbeats) and `checks` (real-name checks while learning)."""

from jineng.learning.services.catalogue import (
    chapter_add,
    course_create,
    course_transition,
    course_update,
    lesson_add,
)
from jineng.learning.services.checks import learning_check_answer
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
    "learning_check_answer",
    "learning_heartbeat",
    "learning_stream_close",
    "learning_stream_open",
    "lesson_add",
]
