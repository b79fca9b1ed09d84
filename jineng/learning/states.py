"""The course review pipeline as data (issue 8 §1): a course moves only along these edges, each
by whom it names, through `jineng.learning.services.catalogue.course_transition`.

    draft → submitted → published → withdrawn
                      ↘ rejected → draft

The provider's staff write and submit; only the bureau (a reviewer or approver whose region covers
the provider) publishes or rejects, with a reason for a rejection. Either may withdraw a published
course (the provider stops offering it, or the bureau takes it down, with a reason).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from jineng.audit.vocabulary import AuditAction, AuditObject
from jineng.core.states import StateMachine
from jineng.learning.models import Course, CourseStatus


class Party(StrEnum):
    PROVIDER = "provider"  # staff of the course's provider organisation
    BUREAU = "bureau"  # a bureau reviewer/approver whose region covers the provider


@dataclass(frozen=True)
class Transition:
    source: CourseStatus
    target: CourseStatus
    parties: frozenset[Party]
    reason_required: bool = False
    label: str = ""


TRANSITIONS: tuple[Transition, ...] = (
    Transition(
        CourseStatus.DRAFT, CourseStatus.SUBMITTED, frozenset({Party.PROVIDER}), label="提交审核"
    ),
    Transition(
        CourseStatus.SUBMITTED, CourseStatus.PUBLISHED, frozenset({Party.BUREAU}), label="审核发布"
    ),
    Transition(
        CourseStatus.SUBMITTED,
        CourseStatus.REJECTED,
        frozenset({Party.BUREAU}),
        reason_required=True,
        label="退回修改",
    ),
    Transition(
        CourseStatus.REJECTED, CourseStatus.DRAFT, frozenset({Party.PROVIDER}), label="重新编辑"
    ),
    Transition(
        CourseStatus.PUBLISHED,
        CourseStatus.WITHDRAWN,
        frozenset({Party.PROVIDER, Party.BUREAU}),
        reason_required=True,
        label="下架",
    ),
)

_BY_EDGE = {(t.source, t.target): t for t in TRANSITIONS}

# The same edges as the project's state machine (jineng.core.states): `transition()` makes the
# status-checked, locked, audited move; the parties and reasons above are checked before it.
COURSE_STATES: StateMachine[Course] = StateMachine(
    Course,
    {s: {t.target for t in TRANSITIONS if t.source == s} for s in {t.source for t in TRANSITIONS}},
    CourseStatus,
    object_type=AuditObject.COURSE,
    audit_action=AuditAction.COURSE_TRANSITION,
    describe=lambda course: f"课程“{course.title}”",
)

# A course's content (fields, chapters, lessons) may change only while the provider holds it.
EDITABLE_STATUSES = frozenset({CourseStatus.DRAFT, CourseStatus.REJECTED})


def transition_for(source: str, target: str) -> Transition | None:
    """The declared edge from `source` to `target`, or None when the pipeline does not list it."""
    return _BY_EDGE.get((CourseStatus(source), CourseStatus(target)))


def targets_from(source: str) -> list[CourseStatus]:
    return [t.target for t in TRANSITIONS if t.source == source]
