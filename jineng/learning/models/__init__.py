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
from jineng.learning.models.time import (
    CreditedSegment,
    DailyLearning,
    LearningStream,
    LessonProgress,
    StreamState,
)

__all__ = [
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
