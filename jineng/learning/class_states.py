"""The class pipeline as data (issue 8 §4): a class moves only along these edges, each by whom
it names, through `jineng.learning.services.classes.class_transition`.

    planned → approved → filed → training → completed      (subsidised, 项目制培训)
    planned → training → completed                          (not subsidised: no approval, no filing)
    planned → rejected → planned;  planned / approved / filed → cancelled

The bureau (a reviewer or approver whose region covers the provider) approves or rejects a
subsidised plan; the provider's staff do the rest. A rejection and a cancellation need a reason.
"""

from __future__ import annotations

from dataclasses import dataclass

from jineng.audit.vocabulary import AuditAction, AuditObject
from jineng.core.states import StateMachine
from jineng.learning.models import ClassStatus, TrainingClass
from jineng.learning.states import Party


@dataclass(frozen=True)
class ClassStep:
    source: ClassStatus
    target: ClassStatus
    parties: frozenset[Party]
    label: str
    reason_required: bool = False
    subsidised: bool | None = None  # None: any class; True/False: only such classes


_P = frozenset({Party.PROVIDER})
_B = frozenset({Party.BUREAU})
_PB = frozenset({Party.PROVIDER, Party.BUREAU})
S = ClassStatus

CLASS_STEPS: tuple[ClassStep, ...] = (
    ClassStep(S.PLANNED, S.APPROVED, _B, "批准计划", subsidised=True),
    ClassStep(S.PLANNED, S.REJECTED, _B, "退回计划", reason_required=True, subsidised=True),
    ClassStep(S.REJECTED, S.PLANNED, _P, "重新提交计划", subsidised=True),
    ClassStep(S.APPROVED, S.FILED, _P, "花名册备案", subsidised=True),
    ClassStep(S.FILED, S.TRAINING, _P, "开班", subsidised=True),
    ClassStep(S.PLANNED, S.TRAINING, _P, "开班", subsidised=False),
    ClassStep(S.TRAINING, S.COMPLETED, _P, "结业"),
    ClassStep(S.PLANNED, S.CANCELLED, _PB, "取消", reason_required=True),
    ClassStep(S.APPROVED, S.CANCELLED, _PB, "取消", reason_required=True),
    ClassStep(S.FILED, S.CANCELLED, _PB, "取消", reason_required=True),
)


def step_for(klass: TrainingClass, target: str) -> ClassStep | None:
    """The declared step from the class's status to `target` for a class like it, or None."""
    for step in steps_from(klass):
        if step.target == target:
            return step
    return None


def steps_from(klass: TrainingClass) -> list[ClassStep]:
    return [
        s
        for s in CLASS_STEPS
        if s.source == klass.status and (s.subsidised is None or s.subsidised == klass.subsidised)
    ]


CLASS_STATES: StateMachine[TrainingClass] = StateMachine(
    TrainingClass,
    {s: {t.target for t in CLASS_STEPS if t.source == s} for s in {t.source for t in CLASS_STEPS}},
    ClassStatus,
    object_type=AuditObject.TRAINING_CLASS,
    audit_action=AuditAction.CLASS_TRANSITION,
    describe=lambda klass: f"培训班“{klass.name}”",
)

# Before filing the class's plan (sessions, teachers) and roster may still change.
PLAN_EDITABLE = frozenset({S.PLANNED, S.REJECTED, S.APPROVED})
