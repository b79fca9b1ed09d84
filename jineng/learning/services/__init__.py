"""Every write of the learning app: `catalogue` (courses, chapters, lessons, the review
pipeline) `learning_time` (streams and verified heartbeats), `checks` (real-name checks while
learning), `records` (the training ledger), `vouchers` and `voucher_import` (training vouchers)."""

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
from jineng.learning.services.records import (
    TrainingRecordExists,
    TrainingRecordInvalid,
    online_course_completed,
    training_ledger_export,
    training_record_issue,
)
from jineng.learning.services.voucher_import import VoucherImportRefused, voucher_batch_import
from jineng.learning.services.vouchers import (
    VoucherInvalid,
    VoucherRefused,
    voucher_batch_issue_by_rule,
    voucher_cancel,
    voucher_claim,
    voucher_redeem,
    voucher_verify,
    vouchers_expire,
)

__all__ = [
    "TrainingRecordExists",
    "TrainingRecordInvalid",
    "VoucherImportRefused",
    "VoucherInvalid",
    "VoucherRefused",
    "online_course_completed",
    "training_ledger_export",
    "training_record_issue",
    "voucher_batch_import",
    "voucher_batch_issue_by_rule",
    "voucher_cancel",
    "voucher_claim",
    "voucher_redeem",
    "voucher_verify",
    "vouchers_expire",
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
