"""One subject's explanation, as the pages and the API show it: every item with its status in
Chinese, the clause that pays it, the payments and the next step.

Every read of a person or an organisation goes through the access helpers with the acting user;
out of scope answers Http404 (never 403), so an id cannot be probed. Who may explain: bureau
officers, auditors and system administrators within their scope, and a worker for themself. A
facts document sent whole is explained for bureau staff, auditors and administrators only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, replace

from django.utils.translation import get_language

from jineng.policy import labels
from jineng.policy.engine import model as m
from jineng.policy.engine.facts import Fact, SubjectFacts, visible_facts
from jineng.policy.engine.model import Document, Item
from jineng.policy.engine.money import format_yuan
from jineng.policy.engine.outcome import (
    COUNTED,
    STATUS_ZH,
    DocumentOutcome,
    Entitlement,
    Explanation,
    ItemOutcome,
    Status,
)
from jineng.policy.engine.predicates import Context, elapsed_at_most, holds
from jineng.policy.selectors.amounts import describe_schedule
from jineng.policy.selectors.documents import (
    BENEFICIARY_ZH,
    DOCUMENT_STATUS_ZH,
    ITEM_KIND_ZH,
    SUBJECT_KIND_ZH,
    policies,
    policy_document,
)

# --- explanation ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CitationView:
    file: str
    section: str
    article: str
    quote: str
    source: str  # 《title》（number）: how a person names the document (not the seed file)


@dataclass(frozen=True)
class PaymentView:
    date: dt.date
    amount_fen: int
    amount: str


@dataclass(frozen=True)
class EntitlementView:
    """One trigger fact judged for the item."""

    fact_id: str
    trigger: str  # the trigger fact in words: 2022-10-15 竞赛成绩 · 世界技能大赛 · 金牌
    trigger_date: dt.date
    status: str
    status_label: str
    amount_fen: int  # counted amount (0 unless paid / discretionary / waiting)
    amount: str
    min_fen: int
    max_fen: int
    discretionary: bool
    branch: str  # in words (codes replaced by their labels)
    reason: str  # in words
    version_from: dt.date | None
    schedule: tuple[PaymentView, ...]


# How 我的待遇 groups the items: what the subject gets, what is pending, what they nearly
# qualify for (a trigger fact and exactly one condition missing), and the rest.
GROUP_GETS, GROUP_PENDING, GROUP_NEARLY, GROUP_OTHER = "gets", "pending", "nearly", "other"
GROUP_ZH: Mapping[str, str] = {
    GROUP_GETS: "可享受",
    GROUP_PENDING: "待定",
    GROUP_NEARLY: "差一项条件",
    GROUP_OTHER: "其他",
}
PENDING = frozenset({Status.WAITING, Status.DISCRETIONARY, Status.UNSTATED})


@dataclass(frozen=True)
class ExplainedItem:
    id: str
    title: str
    document: str
    document_title: str
    kind: str
    kind_label: str
    beneficiary: str
    beneficiary_label: str
    status: str
    status_label: str
    amount_fen: int
    amount: str
    min_fen: int
    max_fen: int
    schedule: tuple[PaymentView, ...]
    schedule_text: str
    citation: CitationView
    branch: str
    reading: str | None  # in the page's language (Chinese; English when asked for)
    reading_en: str | None
    reason: str
    group: str  # gets | pending | nearly | other
    group_label: str
    next_step: str  # what to do next, in a sentence ("" for the rest)
    missing: str  # nearly: the one condition missing, in words
    entitlements: tuple[EntitlementView, ...]

    @property
    def counted(self) -> bool:
        return self.status in COUNTED

    @property
    def granted(self) -> bool:
        return self.status == Status.GRANTED

    @property
    def is_range(self) -> bool:
        return self.min_fen != self.max_fen


@dataclass(frozen=True)
class DocumentApplicability:
    id: str
    title: str
    applicable: bool
    reason: str  # in words: 您所在的东莞市在本文件适用地区（东莞市）内
    jurisdiction: str
    jurisdiction_label: str
    status: str  # on the explanation's date: in_force | expired | draft | not_yet
    status_label: str


@dataclass(frozen=True)
class SubjectExplanation:
    subject_id: str
    subject_kind: str
    subject_kind_label: str
    region: str
    region_label: str
    on: dt.date
    total_fen: int
    total: str
    documents: tuple[DocumentApplicability, ...]
    items: tuple[ExplainedItem, ...]
    notes: tuple[str, ...]

    @property
    def paid(self) -> list[ExplainedItem]:
        """Paid, discretionary (awaiting a decision) and waiting: what the subject is entitled to."""
        return [i for i in self.items if i.counted]

    @property
    def granted(self) -> list[ExplainedItem]:
        return [i for i in self.items if i.granted]

    @property
    def not_paid(self) -> list[ExplainedItem]:
        return [i for i in self.items if not i.counted and not i.granted]

    def in_group(self, group: str) -> list[ExplainedItem]:
        return [i for i in self.items if i.group == group]

    @property
    def gets(self) -> list[ExplainedItem]:
        return self.in_group(GROUP_GETS)

    @property
    def pending(self) -> list[ExplainedItem]:
        return self.in_group(GROUP_PENDING)

    @property
    def nearly(self) -> list[ExplainedItem]:
        return self.in_group(GROUP_NEARLY)

    @property
    def others(self) -> list[ExplainedItem]:
        return self.in_group(GROUP_OTHER)

    def for_beneficiary(self, beneficiaries: frozenset[str]) -> SubjectExplanation:
        """Only the items whose beneficiary is one of these (a worker reads the person items)."""
        return replace(self, items=tuple(i for i in self.items if i.beneficiary in beneficiaries))


def _fact_words(fact: Fact | None) -> str:
    if fact is None:
        return ""
    parts = [fact.date.isoformat(), labels.fact_kind_label(fact.kind)]
    if fact.code:
        parts.append(labels.code_label(fact.kind, fact.code))
    if fact.level:
        parts.append(labels.level_label(fact.kind, fact.level))
    role = fact.attrs.get("role")
    if isinstance(role, str) and role:
        parts.append(labels.role_label(role))
    return " · ".join(p for p in parts if p)


def _payments(entitlements: Iterable[Entitlement]) -> tuple[PaymentView, ...]:
    payments = sorted((p for e in entitlements for p in e.schedule), key=lambda p: (p.date, p.fen))
    return tuple(PaymentView(p.date, p.fen, format_yuan(p.fen)) for p in payments)


def _distinct(texts: Iterable[str]) -> str:
    return "；".join(dict.fromkeys(t for t in texts if t))


def _trigger_words(item: Item) -> str:
    """What the item is triggered by, in words: 竞赛成绩（世界技能大赛；金牌、银牌；选手）."""
    t = item.trigger
    if t is None:
        return ""
    parts = []
    if t.codes:
        parts.append("、".join(labels.code_label(t.kind, c) for c in t.codes))
    if t.levels:
        parts.append("、".join(labels.level_label(t.kind, lv) for lv in t.levels))
    if t.roles:
        parts.append("、".join(labels.role_label(r) for r in t.roles))
    inner = f"（{'；'.join(parts)}）" if parts else ""
    return labels.fact_kind_label(t.kind) + inner


@dataclass(frozen=True)
class _Judged:
    """Why one trigger fact failed, re-judged here to say it in words and to count what is
    missing (the engine's reason names only the first failing condition)."""

    failed: tuple[m.Predicate, ...]
    excluded: bool
    deadline_passed: bool


def _rejudge(item: Item, fact: Fact, ctx: Context) -> _Judged:
    failed: list[m.Predicate] = []
    deadline = False
    for pred in item.conditions:
        if isinstance(pred, m.ElapsedPred):
            if not elapsed_at_most(pred, ctx, fact):
                deadline = True
                failed.append(pred)
        elif not holds(pred, ctx, fact):
            failed.append(pred)
    excluded = any(holds(p, ctx, fact) for p in item.exclusions)
    return _Judged(tuple(failed), excluded, deadline)


def _reading(item: Item) -> str | None:
    """The reading in the page's language: English (falling back to Chinese) when asked for."""
    language = get_language() or ""
    text = item.reading
    if language.lower().startswith("en"):
        text = item.reading_en or item.reading
    return labels.humanise(text, words=False) if text else None


def _next_step(item: Item, status: Status, counted: list[Entitlement], missing: str) -> str:
    if status == Status.PAID:
        first = min((p.date for e in counted for p in e.schedule), default=None)
        when = f"（发放日期 {first.isoformat()} 起）" if first else ""
        return f"您符合条件，可向人社部门申请领取{when}；以审核结果为准。"
    if status == Status.GRANTED:
        return "您已符合认定条件，可向人社部门申请认定，并凭此享受相关待遇。"
    if status == Status.WAITING:
        first = min((p.date for e in counted for p in e.schedule), default=None)
        when = f"，预计 {first.isoformat()} 起可以领取" if first else ""
        return f"还需满足期限要求{when}；期满后向人社部门申请。"
    if status == Status.DISCRETIONARY:
        return "金额由人社部门在规定区间内审核确定；请向人社部门提出申请，等待审核结果。"
    if status == Status.UNSTATED:
        return "文件未规定具体金额，由相关实施细则确定；请向人社部门咨询申请办法。"
    if missing:
        return f"还差一项条件：{missing}。满足后即可申请本项待遇；如档案记录不全，请联系所在单位或人社部门补充。"
    return ""


def _item_view(
    outcome: ItemOutcome,
    documents: Mapping[str, Document],
    facts: Mapping[str, Fact],
    ctx: Context,
) -> ExplainedItem:
    item = outcome.item
    counted = [e for e in outcome.entitlements if e.status in COUNTED]
    deciding = [e for e in outcome.entitlements if e.status == outcome.status]
    document = documents[item.document_id]
    c = item.citation
    reasons: dict[str, str] = {}
    missing = ""
    for e in outcome.entitlements:
        fact = facts.get(e.fact_id)
        if e.status != Status.CONDITION_FAILED or fact is None or e.reason.startswith("受益对象"):
            continue
        judged = _rejudge(item, fact, ctx)
        if judged.failed:
            reasons[e.fact_id] = "不符合条件：" + labels.predicate_text(judged.failed[0])
        if len(judged.failed) == 1 and not judged.excluded and not judged.deadline_passed:
            missing = missing or labels.predicate_text(judged.failed[0])

    def reason_of(e: Entitlement) -> str:
        return reasons.get(e.fact_id) or labels.humanise(e.reason)

    status = outcome.status
    if status in (Status.PAID, Status.GRANTED):
        group = GROUP_GETS
    elif status in PENDING:
        group = GROUP_PENDING
    elif status == Status.CONDITION_FAILED and missing:
        group = GROUP_NEARLY
    else:
        group = GROUP_OTHER
        missing = ""
    if outcome.entitlements:
        reason = _distinct(reason_of(e) for e in deciding)
    else:
        what = _trigger_words(item)
        reason = f"档案中没有相关记录：{what}" if what else labels.humanise(outcome.reason)
    return ExplainedItem(
        id=item.id,
        title=item.title,
        document=item.document_id,
        document_title=document.title,
        kind=str(item.kind),
        kind_label=ITEM_KIND_ZH.get(str(item.kind), "其他"),
        beneficiary=item.beneficiary,
        beneficiary_label=BENEFICIARY_ZH.get(item.beneficiary, "其他"),
        status=str(status),
        status_label=STATUS_ZH[status],
        amount_fen=outcome.fen,
        amount=format_yuan(outcome.fen),
        min_fen=sum(e.min_fen for e in counted),
        max_fen=sum(e.max_fen for e in counted),
        schedule=_payments(counted),
        schedule_text=describe_schedule(item.schedule),
        citation=CitationView(
            c.file, c.section, c.article, c.quote, labels.document_source(document)
        ),
        branch=labels.humanise(_distinct(e.branch for e in (counted or deciding))),
        reading=_reading(item),
        reading_en=item.reading_en,
        reason=reason,
        group=group,
        group_label=GROUP_ZH[group],
        next_step=_next_step(item, status, counted, missing),
        missing=missing,
        entitlements=tuple(
            EntitlementView(
                fact_id=e.fact_id,
                trigger=_fact_words(facts.get(e.fact_id)),
                trigger_date=e.trigger_date,
                status=str(e.status),
                status_label=STATUS_ZH[e.status],
                amount_fen=e.fen,
                amount=format_yuan(e.fen),
                min_fen=e.min_fen,
                max_fen=e.max_fen,
                discretionary=e.discretionary,
                branch=labels.humanise(e.branch),
                reason=reason_of(e),
                version_from=e.version_from,
                schedule=_payments([e]),
            )
            for e in outcome.entitlements
        ),
    )


def document_status_on(document: Document, on: dt.date) -> str:
    """The document's status on a date: its declared status (a draft stays a draft, a repealed
    document stays expired) and then its effective period."""
    if document.status in ("draft", "expired"):
        return document.status
    if document.effective_from is not None and on < document.effective_from:
        return "not_yet"
    if document.effective_to is not None and on > document.effective_to:
        return "expired"
    return "in_force"


def _applicability(
    outcome: DocumentOutcome, region: str, params: Mapping[str, str], on: dt.date
) -> DocumentApplicability:
    doc = outcome.document
    prefix = doc.jurisdiction_for(params)
    where = labels.region_name(region) if region else "未知地区"
    if prefix is None:
        reason = "本文件的适用城市由采用城市确定，尚未设定，暂不适用"
        jurisdiction = labels.jurisdiction_label(doc)
    else:
        jurisdiction = labels.region_name(prefix)
        if not prefix:
            reason = "全国适用"
        elif outcome.applicable:
            reason = f"所在地{where}在本文件适用地区（{jurisdiction}）内"
        else:
            reason = f"本文件适用于{jurisdiction}，所在地{where}不在其内"
    status = document_status_on(doc, on)
    return DocumentApplicability(
        id=doc.id,
        title=doc.title,
        applicable=outcome.applicable,
        reason=reason,
        jurisdiction=prefix if prefix is not None else doc.jurisdiction,
        jurisdiction_label=jurisdiction,
        status=status,
        status_label=DOCUMENT_STATUS_ZH[status],
    )


def explanation_view(
    explanation: Explanation,
    subject_facts: SubjectFacts,
    *,
    policy: str | None = None,
    params: Mapping[str, str] | None = None,
    statuses: Collection[str] | None = None,
) -> SubjectExplanation:
    """The engine's explanation as typed rows for the API and the pages, in words; `policy` keeps
    one document's items (the engine still judged them all, so cross-document references hold);
    `statuses` keeps only the items with an entitlement in one of them (a claims run freezes only
    what it claims, and putting every other item into words is most of an explanation's time)."""
    loaded = policies()
    documents = {d.id: d for d in loaded.documents}
    keep = policy_document(policy)
    facts = {f.id: f for f in (*subject_facts.facts, *explanation.derived_facts)}
    labels.prefetch_occupations(f.code for f in facts.values() if f.code)
    labels.region_names([explanation.region, *(d.jurisdiction for d in loaded.documents)])
    ctx = Context(
        subject_facts.subject,
        visible_facts((*subject_facts.facts, *explanation.derived_facts), explanation.on),
        explanation.on,
    )
    items = tuple(
        _item_view(o, documents, facts, ctx)
        for o in explanation.items
        if (keep is None or o.item.document_id == keep.id)
        and (statuses is None or any(e.status in statuses for e in o.entitlements))
    )
    total = sum(i.amount_fen for i in items)
    return SubjectExplanation(
        subject_id=explanation.subject_id,
        subject_kind=explanation.subject_kind,
        subject_kind_label=SUBJECT_KIND_ZH.get(explanation.subject_kind, "其他"),
        region=explanation.region,
        region_label=labels.region_name(explanation.region) if explanation.region else "未知地区",
        on=explanation.on,
        total_fen=total,
        total=format_yuan(total),
        documents=tuple(
            _applicability(d, explanation.region, params or {}, explanation.on)
            for d in explanation.documents
            if keep is None or d.document.id == keep.id
        ),
        items=items,
        notes=tuple(labels.humanise(n) for n in explanation.notes),
    )
