"""Models of the learning app, one module per topic."""

from jineng.learning.models.catalogue import (
    Chapter,
    Course,
    CourseFunding,
    CourseMode,
    CourseStatus,
    CourseStatusChange,
    CourseTerm,
    Lesson,
    LessonKind,
)
from jineng.learning.models.checks import (
    CheckStatus,
    CourseFailure,
    LearningCheck,
    SegmentVoid,
)
from jineng.learning.models.time import (
    CreditedSegment,
    DailyLearning,
    LearningStream,
    LessonProgress,
    StreamState,
)

__all__ = [
    "CheckStatus",
    "CourseFailure",
    "LearningCheck",
    "SegmentVoid",
    "Chapter",
    "Course",
    "CourseFunding",
    "CourseMode",
    "CourseStatus",
    "CourseStatusChange",
    "CourseTerm",
    "CreditedSegment",
    "DailyLearning",
    "LearningStream",
    "Lesson",
    "LessonKind",
    "LessonProgress",
    "StreamState",
]
