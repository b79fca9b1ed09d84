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
from jineng.learning.models.records import TrainingRecord, TrainingResult, TrainingSource
from jineng.learning.models.time import (
    CreditedSegment,
    DailyLearning,
    LearningStream,
    LessonProgress,
    StreamState,
)
from jineng.learning.models.vouchers import (
    ACTIVE_VOUCHER_STATUSES,
    TrainingVoucher,
    VoucherBatch,
    VoucherBatchKind,
    VoucherStatus,
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
    "ACTIVE_VOUCHER_STATUSES",
    "TrainingRecord",
    "TrainingResult",
    "TrainingSource",
    "TrainingVoucher",
    "VoucherBatch",
    "VoucherBatchKind",
    "VoucherStatus",
]
