"""Reads of the policy app: the loaded policy files, the catalogue, one subject's explanation, and
the simulation runs a user may see.

Every read of a person or an organisation goes through `jineng.identity.access` with the acting
user; out of scope answers Http404 (never 403), so an id cannot be probed. Who may explain:
bureau officers, auditors and system administrators within their scope, and a worker for themself
("see what they are entitled to"). A facts document sent whole is explained for bureau staff,
auditors and administrators only.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cache
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import get_language

from jineng.dossier.selectors import subject_facts_document
from jineng.identity.access import access_organisation_by_id, access_person_by_id, scope_of
from jineng.identity.errors import ValidationFailed
from jineng.identity.models import BUREAU_ROLES, Person, Role, User
from jineng.organisations.models import Organisation
from jineng.policy import labels, whatif
from jineng.policy.engine import model as m
from jineng.policy.engine.errors import FactsError, PolicyError
from jineng.policy.engine.explain import explain
from jineng.policy.engine.facts import Fact, SubjectFacts, parse_subject_facts, visible_facts
from jineng.policy.engine.loader import DATA_DIR, load_policies
from jineng.policy.engine.model import Document, Item, Policies
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
from jineng.policy.engine.overrides import apply_overrides
from jineng.policy.engine.predicates import Context, elapsed_at_most, holds
from jineng.policy.models import SimulationRun

SubjectType = Literal["person", "organisation"]

# Who may explain any subject in their scope, and read simulation runs.
EXPLAIN_ROLES = frozenset(BUREAU_ROLES | {Role.AUDITOR, Role.SYSADMIN})
# Who may start a simulation: the bureau (the auditor reads only) and the system administrator.
SIMULATE_ROLES = frozenset(BUREAU_ROLES | {Role.SYSADMIN})

ITEM_KIND_ZH: Mapping[str, str] = {
    "money": "资金",
    "title": "称号",
    "quota": "名额",
    "recognition": "认定",
    "condition": "共用条件",
}
BENEFICIARY_ZH: Mapping[str, str] = {
    "person": "个人",
    "coach_team": "教练团队",
    "expert_team": "专家团队",
    "enterprise": "企业",
    "institution": "培训机构",
    "college": "职业（技工）院校",
    "master_studio": "技能大师工作室",
    "training_base": "培训基地",
    "host_unit": "承办单位",
    "organisation": "单位",
}
DOCUMENT_STATUS_ZH: Mapping[str, str] = {
    "in_force": "现行有效",
    "draft": "征求意见稿",
    "expired": "已失效",
    "not_yet": "尚未施行",
}
SUBJECT_KIND_ZH: Mapping[str, str] = {"person": "个人", "organisation": "单位", **BENEFICIARY_ZH}


@cache
def policies() -> Policies:
    """Every policy file, loaded and validated once per process (loading takes seconds)."""
    return load_policies()


def policy_document(policy: str | None) -> Document | None:
    """The document named by id or prefix; ValidationFailed for an unknown one."""
    if not policy:
        return None
    try:
        return policies().document(policy)
    except KeyError:
        raise ValidationFailed("policy", f"未知的政策文件：{policy}") from None


def check_overrides(overrides: Sequence[str]) -> tuple[str, ...]:
    """Check the what-if overrides against each item's listed parameters (an unknown item or
    parameter is refused in Chinese, naming them: OverrideRefused, the API's 422) and apply them
    once, so a bad one is reported to the caller instead of failing later."""
    loaded = policies()
    cleaned = whatif.check_override_texts([o for o in overrides if o.strip()], loaded)
    try:
        apply_overrides(loaded, cleaned)
    except PolicyError:
        raise whatif.OverrideRefused(
            "参数调整无法应用到所选条目，请检查生效日期是否在该条目的金额施行之后"
        ) from None
    return cleaned


def adjustable_items(on: dt.date) -> list[whatif.AdjustableItem]:
    """The items a what-if may adjust, with their parameters and current values on `on`."""
    loaded = policies()
    return whatif.adjustable_items(loaded.items, loaded.documents, on)


def describe_overrides(overrides: Iterable[str]) -> list[str]:
    return [whatif.describe_override(o, policies()) for o in overrides]


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
) -> SubjectExplanation:
    """The engine's explanation as typed rows for the API and the pages, in words; `policy` keeps
    one document's items (the engine still judged them all, so cross-document references hold)."""
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
        if keep is None or o.item.document_id == keep.id
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


def explain_facts(
    subject_facts: SubjectFacts,
    *,
    on: dt.date,
    policy: str | None = None,
    params: Mapping[str, str] | None = None,
    overrides: Sequence[str] = (),
) -> SubjectExplanation:
    """Explain already-read facts (no access check here: callers read them through one)."""
    policy_document(policy)
    cleaned = check_overrides(overrides)
    explanation = explain(subject_facts, on, policies(), dict(params or {}), cleaned)
    return explanation_view(explanation, subject_facts, policy=policy, params=params)


def subject_for_explain(
    user: User, subject_type: SubjectType, subject_id: int | str
) -> Person | Organisation:
    """The subject if `user` may explain it: Http404 when out of scope (or another person, for a
    worker), PermissionDenied for accounts that may explain nobody (organisation staff)."""
    scope = scope_of(user)  # read once, for the role check and the scoped read
    if scope.is_global or scope.has_role(*EXPLAIN_ROLES):
        if subject_type == "person":
            return access_person_by_id(user, subject_id, scope=scope)
        return access_organisation_by_id(user, subject_id, scope=scope)
    if scope.person_id is not None:
        if subject_type == "person" and str(subject_id) == str(scope.person_id):
            return access_person_by_id(user, subject_id, scope=scope)
        raise Http404("不存在或不在您的查看范围内")
    raise PermissionDenied


def read_subject_facts(subject: Person | Organisation, on: dt.date) -> SubjectFacts:
    """The dossier's facts document for the subject, parsed by the engine. The document is the
    dossier's own rendering (its format is tested against FACTS_SCHEMA in the dossier's tests), so
    the JSON Schema check — about a third of an explain's time — is not repeated per subject."""
    try:
        return parse_subject_facts(subject_facts_document(subject=subject, on=on), validate=False)
    except FactsError as exc:
        raise ValidationFailed("subject", f"档案事实不符合格式：{exc}") from None


def explain_subject(
    *,
    user: User,
    subject_type: SubjectType,
    subject_id: int | str,
    on: dt.date,
    policy: str | None = None,
    params: Mapping[str, str] | None = None,
    overrides: Sequence[str] = (),
) -> SubjectExplanation:
    subject = subject_for_explain(user, subject_type, subject_id)
    return explain_facts(
        read_subject_facts(subject, on),
        on=on,
        policy=policy,
        params=params,
        overrides=overrides,
    )


def explain_document(
    *,
    user: User,
    document: Mapping[str, Any],
    on: dt.date,
    policy: str | None = None,
    params: Mapping[str, str] | None = None,
    overrides: Sequence[str] = (),
) -> SubjectExplanation:
    """A whole facts document sent by the caller (no dossier read): bureau, auditor, sysadmin."""
    scope = scope_of(user)
    if not (scope.is_global or scope.has_role(*EXPLAIN_ROLES)):
        raise PermissionDenied
    try:
        subject_facts = parse_subject_facts(document)
    except FactsError as exc:
        raise ValidationFailed("facts", f"事实文件不符合格式：{exc}") from None
    return explain_facts(subject_facts, on=on, policy=policy, params=params, overrides=overrides)


# --- catalogue --------------------------------------------------------------------------------


def describe_schedule(schedule: m.Schedule) -> str:
    if isinstance(schedule, m.OneOff):
        return "一次性发放"
    if isinstance(schedule, m.After):
        return schedule.label or f"满{schedule.months}个月后一次性发放"
    if isinstance(schedule, m.Instalments):
        return "分期发放：" + "，".join(
            f"第{p.after_months}个月发 {p.percent}%" for p in schedule.parts
        )
    if isinstance(schedule, m.MonthlySchedule):
        months = schedule.months
        return (
            f"按月发放 {months} 个月"
            if isinstance(months, int)
            else f"按月发放（月数按记录中的{labels.field_label(months)}）"
        )
    if isinstance(schedule, m.Yearly):
        return f"按年发放 {schedule.years} 年"
    return ""


def _money(value: object) -> str:
    if isinstance(value, m.FenRange):
        return f"{format_yuan(value.min_fen)}–{format_yuan(value.max_fen)}（酌定）"
    if isinstance(value, int):
        return format_yuan(value)
    return "—"


def _key_label(key: str, code: str) -> str:
    if key == "level":
        return labels.level_label("", code)
    return labels.code_label("", code)


def describe_amount(amount: m.Amount | None) -> str:
    """An amount form in words, for the catalogue and the item page."""
    if isinstance(amount, m.Fixed):
        return f"固定金额 {_money(amount.value)}"
    if isinstance(amount, m.ByCategory):
        table = "；".join(
            f"{_key_label(amount.key, k)} {_money(v)}" for k, v in amount.table.items()
        )
        default = f"；其他 {_money(amount.default)}" if amount.default is not None else ""
        return f"按{labels.field_label(amount.key)}分档：{table}{default}"
    if isinstance(amount, m.RangeAmount):
        return f"酌定区间 {format_yuan(amount.min_fen)}–{format_yuan(amount.max_fen)}，由审核人决定"
    if isinstance(amount, m.Minimum):
        return f"不低于 {format_yuan(amount.value)}"
    if isinstance(amount, m.Maximum):
        return f"最高 {format_yuan(amount.value)}（预算按最高计）"
    if isinstance(amount, m.Monthly):
        months = (
            f"{amount.months} 个月"
            if isinstance(amount.months, int)
            else f"按记录中的{labels.field_label(amount.months)}"
        )
        return f"每月 {_money(amount.value)}，最多 {months}"
    if isinstance(amount, m.PercentOf):
        base = (
            "、".join(f"“{labels.item_title(i)}”" for i in amount.items)
            if amount.items
            else labels.field_label(amount.attr or "")
        )
        minus = (
            f"（不含{'、'.join(f'“{labels.item_title(i)}”' for i in amount.exclude)}）"
            if amount.exclude
            else ""
        )
        return f"{amount.percent}% × {base}{minus}"
    if isinstance(amount, m.Match):
        otherwise = f"；否则 {describe_amount(amount.otherwise)}" if amount.otherwise else ""
        return f"按{labels.field_label(amount.of)} 1:{amount.ratio} 配套{otherwise}"
    if isinstance(amount, m.PerThreshold):
        cap = f"，封顶 {format_yuan(amount.cap)}" if amount.cap is not None else ""
        count = labels.field_label(amount.count)
        return f"{count}每满 {amount.per} 给予 {_money(amount.value)}{cap}"
    if isinstance(amount, m.Uplift):
        return f"在“{labels.item_title(amount.base_item)}”金额基础上上浮 {amount.percent}%"
    if isinstance(amount, m.PerUnit):
        cap = f"，封顶 {format_yuan(amount.cap)}" if amount.cap is not None else ""
        return f"每{labels.field_label(amount.count)} {_money(amount.value)}{cap}"
    if isinstance(amount, m.Unstated):
        return "金额未在本文件中规定"
    return ""


def describe_rules(rules: m.Rules) -> list[str]:
    out = []
    if rules.group is not None:
        out.append("与同组条目就高不重复享受")
    if rules.once is not None:
        fields = "、".join(labels.field_label(f) for f in rules.once)
        out.append(f"同一{fields}只享受一次" if fields else "只享受一次")
    if rules.no_lower_after_higher:
        out.append("已取得较高等级后不再享受较低等级")
    if rules.per_year is not None:
        out.append(f"每人每年最多 {rules.per_year} 次")
    if rules.quota is not None:
        q = rules.quota
        size = f"每年 {q.per_year} 名" if q.per_year is not None else f"共 {q.total} 名"
        order = "，".join(
            f"{labels.field_label(t.field)}{'从高到低' if t.descending else '从早到晚' if t.field == 'date' else '从低到高'}"
            for t in q.tie_break
        )
        out.append(
            f"名额 {size}（“{labels.item_title(q.pool)}”）" + (f"，排序：{order}" if order else "")
        )
    return out


@dataclass(frozen=True)
class CatalogueItem:
    item: Item
    kind_label: str


@dataclass(frozen=True)
class CatalogueDocument:
    document: Document
    status: str  # on the chosen date: in_force | expired | draft | not_yet
    status_label: str
    source: str  # 《title》（number）
    jurisdiction_label: str
    items: tuple[CatalogueItem, ...]  # in file order


def catalogue(on: dt.date) -> list[CatalogueDocument]:
    """The documents with their status on `on` (their period and declared status, not a flag)."""
    loaded = policies()
    labels.region_names(d.jurisdiction for d in loaded.documents)
    out = []
    for doc in loaded.documents:
        status = document_status_on(doc, on)
        out.append(
            CatalogueDocument(
                document=doc,
                status=status,
                status_label=DOCUMENT_STATUS_ZH[status],
                source=labels.document_source(doc),
                jurisdiction_label=labels.jurisdiction_label(doc),
                items=tuple(
                    CatalogueItem(i, ITEM_KIND_ZH.get(str(i.kind), "其他"))
                    for i in loaded.items_of(doc.id)
                ),
            )
        )
    return out


@dataclass(frozen=True)
class VersionLine:
    valid_from: dt.date | None
    text: str


@dataclass(frozen=True)
class ItemDetail:
    item: Item
    document: Document
    document_status: str
    source: str  # 《title》（number）
    kind_label: str
    beneficiary_label: str
    trigger: str  # in words
    reading: str | None  # in the page's language
    versions: tuple[VersionLine, ...]
    rules: tuple[str, ...]
    schedule_text: str


def policy_item(item_id: str) -> Item:
    try:
        return policies().item(item_id)
    except KeyError:
        raise Http404("政策条目不存在") from None


def item_detail(item_id: str, on: dt.date) -> ItemDetail:
    item = policy_item(item_id)
    document = policies().document(item.document_id)
    return ItemDetail(
        item=item,
        document=document,
        document_status=DOCUMENT_STATUS_ZH[document_status_on(document, on)],
        source=labels.document_source(document),
        kind_label=ITEM_KIND_ZH.get(str(item.kind), "其他"),
        beneficiary_label=BENEFICIARY_ZH.get(item.beneficiary, "其他"),
        trigger=_trigger_words(item),
        reading=_reading(item),
        versions=tuple(VersionLine(v.valid_from, describe_amount(v.amount)) for v in item.versions),
        rules=tuple(describe_rules(item.rules)),
        schedule_text=describe_schedule(item.schedule),
    )


def item_source_yaml(item_id: str) -> str:
    """The item's block of its YAML file (for the analysts, as a plain-text download)."""
    item = policy_item(item_id)
    return _item_source(policies().document(item.document_id).file, item_id)


@cache
def _item_source(file: str, item_id: str) -> str:
    """The item's block of its YAML file, verbatim (the analyst reads it beside the text)."""
    lines = (DATA_DIR / file).read_text(encoding="utf-8").splitlines()
    start = next((i for i, line in enumerate(lines) if line.strip() == f"- id: {item_id}"), None)
    if start is None:
        return ""
    indent = len(lines[start]) - len(lines[start].lstrip())
    end = start + 1
    while end < len(lines):
        line = lines[end]
        stripped = line.lstrip()
        if stripped and (len(line) - len(stripped)) <= indent:  # the next item or a comment
            break
        end += 1
    return textwrap.dedent("\n".join(lines[start:end])).rstrip()


# --- simulation runs --------------------------------------------------------------------------


def simulation_runs_visible_to(user: User) -> QuerySet[SimulationRun]:
    """Runs whose region lies within the user's region scope (all, for a global scope), for
    bureau staff, auditors and administrators; nothing for anyone else."""
    scope = scope_of(user)
    runs = SimulationRun.objects.select_related("created_by")
    if scope.is_global:
        return runs.all()
    if not scope.has_role(*EXPLAIN_ROLES) or not scope.region_prefixes:
        return runs.none()
    q = Q()
    for prefix in scope.region_prefixes:
        q |= Q(region__startswith=prefix)
    return runs.filter(q)


def access_simulation_run_by_id(user: User, run_id: int | str) -> SimulationRun:
    try:
        pk = int(str(run_id))
    except ValueError:
        raise Http404 from None
    run = simulation_runs_visible_to(user).filter(pk=pk).first()
    if run is None:
        raise Http404("测算不存在或不在您的查看范围内")
    return run


def can_start_simulation(user: User) -> bool:
    scope = scope_of(user)
    return scope.is_global or (scope.has_role(*SIMULATE_ROLES) and not scope.read_only)
