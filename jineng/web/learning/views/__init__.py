"""Learning pages (issue 8 §1, §2, §8): the workers' catalogue, a course, 我的课程, the player and
the learner's ledger (学习记录); the provider's own courses (create, edit, chapters, lessons,
submit); the bureau's review queue; an officer's view of a learner's ledger.

Pages validate input and render; access is decided by `jineng.learning.access` (Http404 out of
scope) and the services (403 / Chinese errors). The player's stream and heartbeat endpoints answer
JSON and call the same services as the API (`learning_stream_open`, `learning_heartbeat`)."""

from __future__ import annotations

from jineng.web.learning.views.catalogue import (
    CatalogueForm,
    catalogue,
    course,
    mine,
)
from jineng.web.learning.views.common import (
    MAX_VIDEO_BYTES,
    PROVIDERS,
    REVIEWERS,
    WORKER,
)
from jineng.web.learning.views.player import (
    check_answer,
    heartbeat,
    media,
    person_records,
    player,
    records,
    stream_open,
)
from jineng.web.learning.views.provider import (
    ChapterForm,
    CourseForm,
    LessonForm,
    ReasonForm,
    provider_chapter_add,
    provider_course,
    provider_edit,
    provider_lesson_add,
    provider_list,
    provider_new,
    provider_submit,
)
from jineng.web.learning.views.review import (
    review_course,
    review_queue,
)

__all__ = [
    "WORKER",
    "PROVIDERS",
    "REVIEWERS",
    "MAX_VIDEO_BYTES",
    "CatalogueForm",
    "catalogue",
    "course",
    "mine",
    "player",
    "stream_open",
    "check_answer",
    "heartbeat",
    "media",
    "records",
    "person_records",
    "CourseForm",
    "ChapterForm",
    "LessonForm",
    "ReasonForm",
    "provider_list",
    "provider_new",
    "provider_edit",
    "provider_course",
    "provider_chapter_add",
    "provider_lesson_add",
    "provider_submit",
    "review_queue",
    "review_course",
]
