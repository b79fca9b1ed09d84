"""Typed model of policy documents: documents, items, amount forms, predicates, rules.

Everything is a frozen dataclass built by `loader.py` from a validated YAML file; money is int fen,
percentages are Decimal, dates are `datetime.date`. Both engine paths (explain, evaluate) read only
this model.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Literal

from jineng.policy.engine.dates import Duration

# ----------------------------------------------------------------------------- money values


@dataclass(frozen=True)
class FenRange:
    """A discretionary range the reviewer decides within (e.g. 15–30万)."""

    min_fen: int
    max_fen: int


MoneyValue = int | FenRange

# ----------------------------------------------------------------------------- amount forms


@dataclass(frozen=True)
class Fixed:
    value: MoneyValue


@dataclass(frozen=True)
class ByCategory:
    key: str  # "level" | "code" | "attrs.<name>"
    table: Mapping[str, MoneyValue]
    default: MoneyValue | None = None


@dataclass(frozen=True)
class RangeAmount:
    min_fen: int
    max_fen: int


@dataclass(frozen=True)
class Minimum:
    value: int


@dataclass(frozen=True)
class Maximum:
    value: int


@dataclass(frozen=True)
class Monthly:
    value: MoneyValue
    months: int | str  # a number, or the trigger fact's field holding it ("attrs.months")
    # a trigger field the months may not exceed ("attrs.filed_months": 不超过备案期限); when set
    # and the fact lacks it, the amount cannot be computed
    at_most: str | None = None


@dataclass(frozen=True)
class PercentOf:
    """percent × (Σ items' standard amounts − Σ exclude's) on the trigger fact, or × a fen attribute."""

    percent: Decimal
    items: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    attr: str | None = None  # "attrs.team_award_total_fen" | "amount_fen"
    scope: str = "same_event"


@dataclass(frozen=True)
class Match:
    ratio: Decimal
    of: str  # "attrs.prize_fen" | "amount_fen"
    otherwise: Amount | None = None


@dataclass(frozen=True)
class PerThreshold:
    per: int
    value: MoneyValue
    count: str
    cap: int | None = None  # fen, on the total


@dataclass(frozen=True)
class Uplift:
    percent: Decimal
    base_item: str


@dataclass(frozen=True)
class PerUnit:
    value: MoneyValue
    count: str
    cap: int | None = None  # fen, on the total
    at_most: str | None = None  # a trigger field the count may not exceed (as Monthly.at_most)


@dataclass(frozen=True)
class Unstated:
    """Money the text grants without stating the amount: an entitlement of status `unstated`,
    counted (rules, budget counts) with 0 fen; `basis` says where the amount is set."""

    basis: str


Amount = (
    Fixed
    | ByCategory
    | RangeAmount
    | Minimum
    | Maximum
    | Monthly
    | PercentOf
    | Match
    | PerThreshold
    | Uplift
    | PerUnit
    | Unstated
)

# ----------------------------------------------------------------------------- predicates

Scalar = str | int | bool | date
Op = Literal["eq", "ne", "in", "not_in", "lt", "le", "gt", "ge", "under"]


@dataclass(frozen=True)
class AttrPred:
    """A subject attribute (see SUBJECT_ATTRIBUTES) compared with a value."""

    name: str
    op: Op
    value: Scalar | tuple[Scalar, ...]
    on: date | None = (
        None  # age/retired/insured computed on this date instead of the evaluation date
    )
    label: str | None = None


@dataclass(frozen=True)
class Within:
    duration: Duration
    direction: Literal["before", "after"]


@dataclass(frozen=True)
class FactPred:
    """The subject has a (visible) fact of this kind dated ≤ the evaluation date."""

    kind: str
    codes: tuple[str, ...] | None = None
    same_code: bool = False
    levels: tuple[str, ...] | None = None
    same_level: bool = False
    roles: tuple[str, ...] | None = None
    attrs: Mapping[str, tuple[Scalar, ...]] = field(default_factory=dict)
    within: Within | None = None
    label: str | None = None


@dataclass(frozen=True)
class TriggerPred:
    """A field of the trigger fact: code, level, date, region, issuer, amount_fen, attrs.<name>."""

    field: str
    op: Op
    value: Scalar | tuple[Scalar, ...]
    label: str | None = None


@dataclass(frozen=True)
class ElapsedPred:
    """Evaluation date − trigger date. A failing `at_least` at the top level means "waiting"."""

    at_least: Duration | None = None
    at_most: Duration | None = None
    label: str | None = None


@dataclass(frozen=True)
class AnyPred:
    preds: tuple[Predicate, ...]
    label: str | None = None


@dataclass(frozen=True)
class AllPred:
    preds: tuple[Predicate, ...]
    label: str | None = None


@dataclass(frozen=True)
class NotPred:
    pred: Predicate
    label: str | None = None


Predicate = AttrPred | FactPred | TriggerPred | ElapsedPred | AnyPred | AllPred | NotPred

# ----------------------------------------------------------------------------- schedule


@dataclass(frozen=True)
class OneOff:
    pass


@dataclass(frozen=True)
class InstalmentPart:
    percent: Decimal
    after_months: int


@dataclass(frozen=True)
class Instalments:
    parts: tuple[InstalmentPart, ...]


@dataclass(frozen=True)
class MonthlySchedule:
    months: int | str


@dataclass(frozen=True)
class After:
    months: int
    label: str | None = None


@dataclass(frozen=True)
class Yearly:
    years: int


Schedule = OneOff | Instalments | MonthlySchedule | After | Yearly

# ----------------------------------------------------------------------------- rules


@dataclass(frozen=True)
class GroupRule:
    id: str
    rule: Literal["highest"] = "highest"


@dataclass(frozen=True)
class TieBreak:
    field: str  # level | date | subject_id | fact_id | fen | attrs.<name>
    descending: bool


@dataclass(frozen=True)
class QuotaRule:
    pool: str  # the quota item's id, or the item's own id for an inline quota
    per_year: int | None = None
    total: int | None = None
    scope: Literal["jurisdiction", "region"] = "jurisdiction"
    tie_break: tuple[TieBreak, ...] = ()
    # what one place is: one counted entitlement ("payment"), or one subject with all its
    # entitlements in the pool and period ("subject": "每年不超过20名" counts people)
    unit: Literal["payment", "subject"] = "payment"


@dataclass(frozen=True)
class Rules:
    group: GroupRule | None = None
    once: tuple[str, ...] | None = (
        None  # trigger fields: kind, code, level, region, issuer, attrs.<x>
    )
    no_lower_after_higher: bool = False
    per_year: int | None = None
    quota: QuotaRule | None = None


# ----------------------------------------------------------------------------- items, documents


class ItemKind(StrEnum):
    MONEY = "money"
    TITLE = "title"
    QUOTA = "quota"
    RECOGNITION = "recognition"
    CONDITION = "condition"


PERSON_BENEFICIARIES = frozenset({"person"})
ORGANISATION_BENEFICIARIES = frozenset(
    {"enterprise", "institution", "college", "training_base", "host_unit", "organisation"}
)


@dataclass(frozen=True)
class Citation:
    file: str
    section: str
    article: str
    quote: str


@dataclass(frozen=True)
class Trigger:
    kind: str
    codes: tuple[str, ...] | None = None
    levels: tuple[str, ...] | None = None
    roles: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Grant:
    kind: str
    code: str
    level: str | None = None


@dataclass(frozen=True)
class Version:
    """The amount in force from `valid_from` (judged on the trigger fact's date)."""

    valid_from: date | None  # None: the item's own `amount`, in force from the beginning
    amount: Amount


@dataclass(frozen=True)
class Item:
    id: str
    title: str
    kind: ItemKind
    document_id: str
    citation: Citation
    beneficiary: str
    trigger: Trigger | None
    conditions: tuple[Predicate, ...]
    exclusions: tuple[Predicate, ...]
    versions: tuple[Version, ...]  # sorted; first has valid_from None when the item has `amount`
    schedule: Schedule
    rules: Rules
    valid_from: date | None
    valid_to: date | None
    reading: str | None  # 条文解读, in Chinese
    reading_en: str | None  # the same reading in English (shown when the page is in English)
    grants: Grant | None
    quota: QuotaRule | None  # kind: quota items
    order: int  # position across all loaded files, for stable listings
    layer: int = 0  # 0, or 1 + the base item's layer for uplift items (computed after it)

    @property
    def prefix(self) -> str:
        return self.id.split(".", 1)[0]

    @property
    def pays(self) -> bool:
        return self.kind is ItemKind.MONEY and self.trigger is not None and bool(self.versions)

    @property
    def grants_fact(self) -> bool:
        return (
            self.kind in (ItemKind.TITLE, ItemKind.RECOGNITION)
            and self.trigger is not None
            and self.grants is not None
        )

    def version_on(self, d: date) -> Version | None:
        """The version in force on `d` (the trigger fact's date)."""
        current: Version | None = None
        for version in self.versions:
            if version.valid_from is None or version.valid_from <= d:
                current = version
        return current


@dataclass(frozen=True)
class Parameter:
    default: str | None
    doc: str


@dataclass(frozen=True)
class Document:
    id: str
    prefix: str
    title: str
    issuer: str
    number: str | None
    issued: date | None
    effective_from: date | None
    effective_to: date | None
    jurisdiction: str  # region code prefix; "" = national; may be "${param}"
    parameters: Mapping[str, Parameter]
    source: str
    status: str  # in_force | draft | expired
    notes: str
    vocabulary: Mapping[str, Mapping[str, str]]
    file: str

    def jurisdiction_for(self, params: Mapping[str, str]) -> str | None:
        """The region prefix this document governs under `params`; None if a parameter is unset."""
        return substitute(self.jurisdiction, self.parameters, params)


def substitute(
    text: str, parameters: Mapping[str, Parameter], params: Mapping[str, str]
) -> str | None:
    """Replace `${name}` by params[name] (else the parameter's default); None when unset."""
    if "${" not in text:
        return text
    out = text
    for name, parameter in parameters.items():
        token = "${" + name + "}"
        if token in out:
            value = params.get(name, parameter.default)
            if value is None:
                return None
            out = out.replace(token, value)
    return None if "${" in out else out


@dataclass(frozen=True)
class Policies:
    documents: tuple[Document, ...]
    items: tuple[Item, ...]

    def item(self, item_id: str) -> Item:
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(item_id)

    def document(self, document_id: str) -> Document:
        for document in self.documents:
            if document.id == document_id or document.prefix == document_id:
                return document
        raise KeyError(document_id)

    def items_of(self, document_id: str) -> tuple[Item, ...]:
        return tuple(i for i in self.items if i.document_id == document_id)

    def only(self, document_ids: tuple[str, ...]) -> Policies:
        """The subset of documents named by id or prefix (national base kept when referenced)."""
        keep = {self.document(d).id for d in document_ids}
        return Policies(
            documents=tuple(d for d in self.documents if d.id in keep),
            items=tuple(i for i in self.items if i.document_id in keep),
        )
