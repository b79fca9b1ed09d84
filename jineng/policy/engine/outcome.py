"""What the engine says about a subject: statuses, entitlements, explanations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from jineng.policy.engine.facts import Fact
from jineng.policy.engine.model import Citation, Document, Item


class Status(StrEnum):
    PAID = "paid"
    DISCRETIONARY = "discretionary"  # range or maximum awaiting a reviewer's decision
    UNSTATED = "unstated"  # granted, but the amount is set outside the text (0 fen counted)
    WAITING = "waiting"  # schedule `after` / elapsed at_least not yet met
    GRANTED = "granted"  # title / recognition items
    CONDITION_FAILED = "condition_failed"
    EXCLUDED = "excluded"
    SUPERSEDED = "superseded"  # by a higher item of the same group
    QUOTA_FULL = "quota_full"
    NOT_IN_FORCE = "not_in_force"  # trigger dated before the item's valid.from
    EXPIRED = "expired"  # trigger dated after valid.to
    ONCE_ALREADY = "once_already"
    YEARLY_CAP = "yearly_cap"
    LOWER_AFTER_HIGHER = "lower_after_higher"


# Statuses whose amount counts in totals and takes part in once/per_year/quota/group rules.
COUNTED = frozenset({Status.PAID, Status.DISCRETIONARY, Status.UNSTATED, Status.WAITING})

# An item's summary status when it has several entitlements: the first present in this order.
PRECEDENCE: tuple[Status, ...] = (
    Status.PAID,
    Status.DISCRETIONARY,
    Status.UNSTATED,
    Status.WAITING,
    Status.GRANTED,
    Status.SUPERSEDED,
    Status.QUOTA_FULL,
    Status.YEARLY_CAP,
    Status.ONCE_ALREADY,
    Status.LOWER_AFTER_HIGHER,
    Status.EXCLUDED,
    Status.CONDITION_FAILED,
    Status.NOT_IN_FORCE,
    Status.EXPIRED,
)

# Small integer codes for the vectorised path (and compact storage).
STATUS_CODE: dict[Status, int] = {s: i for i, s in enumerate(PRECEDENCE)}
STATUS_BY_CODE: dict[int, Status] = {i: s for s, i in STATUS_CODE.items()}

STATUS_ZH: dict[Status, str] = {
    Status.PAID: "应发",
    Status.DISCRETIONARY: "待酌定",
    Status.UNSTATED: "金额未规定",
    Status.WAITING: "待满足期限",
    Status.GRANTED: "已认定",
    Status.CONDITION_FAILED: "条件不符",
    Status.EXCLUDED: "排除",
    Status.SUPERSEDED: "就高不重复",
    Status.QUOTA_FULL: "名额已满",
    Status.NOT_IN_FORCE: "尚未施行",
    Status.EXPIRED: "已过期",
    Status.ONCE_ALREADY: "已享受过",
    Status.YEARLY_CAP: "超过年度次数",
    Status.LOWER_AFTER_HIGHER: "低于已取得等级",
}


@dataclass(frozen=True)
class Payment:
    date: date
    fen: int


@dataclass(frozen=True)
class Entitlement:
    """One item judged on one trigger fact of one subject."""

    subject_id: str
    item_id: str
    fact_id: str
    trigger_date: date
    status: Status
    fen: int  # counted amount: the amount for COUNTED statuses, else 0
    amount_fen: int  # the amount computed before rules (0 when not computed)
    min_fen: int
    max_fen: int
    discretionary: bool
    may_be_more: bool
    branch: str
    reason: str
    version_from: date | None
    schedule: tuple[Payment, ...]

    @property
    def year(self) -> int:
        return self.trigger_date.year


@dataclass(frozen=True)
class ItemOutcome:
    item: Item
    status: Status
    fen: int
    entitlements: tuple[Entitlement, ...]
    reason: str  # for items with no trigger fact: why

    @property
    def citation(self) -> Citation:
        return self.item.citation


@dataclass(frozen=True)
class DocumentOutcome:
    document: Document
    applicable: bool
    reason: str


@dataclass(frozen=True)
class Explanation:
    subject_id: str
    subject_kind: str
    region: str
    on: date
    documents: tuple[DocumentOutcome, ...]
    items: tuple[ItemOutcome, ...]
    derived_facts: tuple[Fact, ...]
    notes: tuple[str, ...]

    @property
    def total_fen(self) -> int:
        return sum(o.fen for o in self.items)

    @property
    def entitlements(self) -> tuple[Entitlement, ...]:
        return tuple(e for o in self.items for e in o.entitlements)

    def outcome(self, item_id: str) -> ItemOutcome | None:
        for o in self.items:
            if o.item.id == item_id:
                return o
        return None


def summary_status(entitlements: tuple[Entitlement, ...]) -> Status:
    present = {e.status for e in entitlements}
    for status in PRECEDENCE:
        if status in present:
            return status
    return Status.CONDITION_FAILED
