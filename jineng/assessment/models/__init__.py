"""Question banks (题库), their knowledge points (鉴定要素), items with versions and review,
blueprints (组卷规则) and the papers drawn from them, stored so any result can be reproduced.

An item that has been drawn into a paper is never edited: `item_supersede` makes a new version
(`supersedes` → the old one), which is reviewed like any item; its approval retires the old one.
The paper keeps the exact version and option order of every item it drew."""

from __future__ import annotations

from jineng.assessment.models.banks import (
    BANK_FILING_STATES,
    CHOICE_KINDS,
    ITEM_STATES,
    OBJECTIVE_KINDS,
    Difficulty,
    FilingStatus,
    Item,
    ItemKind,
    ItemStatus,
    KnowledgePoint,
    QuestionBank,
)
from jineng.assessment.models.papers import (
    BLUEPRINT_STATES,
    Blueprint,
    BlueprintRule,
    BlueprintSection,
    BlueprintStatus,
    FixedItem,
    Paper,
    PaperItem,
)
from jineng.assessment.models.sessions import (
    SESSION_STATES,
    ApplicationCondition,
    AssessmentLicence,
    AssessmentPart,
    AssessorQualification,
    ExamSession,
    Registration,
    SessionStaff,
    SessionStatus,
    StaffingRule,
)

__all__ = [
    "FilingStatus",
    "QuestionBank",
    "BANK_FILING_STATES",
    "KnowledgePoint",
    "ItemKind",
    "OBJECTIVE_KINDS",
    "CHOICE_KINDS",
    "Difficulty",
    "ItemStatus",
    "Item",
    "ITEM_STATES",
    "BlueprintStatus",
    "Blueprint",
    "BLUEPRINT_STATES",
    "BlueprintSection",
    "BlueprintRule",
    "FixedItem",
    "Paper",
    "PaperItem",
    "AssessmentPart",
    "AssessmentLicence",
    "ApplicationCondition",
    "StaffingRule",
    "AssessorQualification",
    "SessionStatus",
    "ExamSession",
    "SESSION_STATES",
    "Registration",
    "SessionStaff",
]
