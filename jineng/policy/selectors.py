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
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from jineng.dossier.models import FactKind
from jineng.dossier.selectors import subject_facts_document
from jineng.dossier.vocabulary import COMPETITION_ROLES, code_label, level_label
from jineng.identity.access import access_organisation_by_id, access_person_by_id, scope_of
from jineng.identity.errors import ValidationFailed
from jineng.identity.models import BUREAU_ROLES, Person, Role, User
from jineng.organisations.models import Organisation
from jineng.policy.engine import model as m
from jineng.policy.engine.errors import FactsError, PolicyError
from jineng.policy.engine.explain import explain
from jineng.policy.engine.facts import Fact, SubjectFacts, parse_subject_facts
from jineng.policy.engine.loader import DATA_DIR, load_policies
from jineng.policy.engine.model import Document, Item, Policies
from jineng.policy.engine.money import format_yuan
from jineng.policy.engine.outcome import (
    COUNTED,
    STATUS_ZH,
    Entitlement,
    Explanation,
    ItemOutcome,
    Status,
)
from jineng.policy.engine.overrides import apply_overrides
from jineng.policy.models import SimulationRun
from jineng.reference.models import Region

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
}


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
    """Parse and apply the what-if overrides once, so a bad one is reported to the caller (with
    the engine's message) instead of failing later."""
    cleaned = tuple(o.strip() for o in overrides if o.strip())
    try:
        apply_overrides(policies(), cleaned)
    except PolicyError as exc:
        raise ValidationFailed("overrides", f"参数调整有误：{exc}") from None
    return cleaned


# --- explanation ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CitationView:
    file: str
    section: str
    article: str
    quote: str


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
    branch: str
    reason: str
    version_from: dt.date | None
    schedule: tuple[PaymentView, ...]


@dataclass(frozen=True)
class ExplainedItem:
    id: str
    title: str
    document: str
    document_title: str
    kind: str
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
    reading: str | None
    reason: str
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
    reason: str


@dataclass(frozen=True)
class SubjectExplanation:
    subject_id: str
    subject_kind: str
    region: str
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


def _fact_words(fact: Fact | None) -> str:
    if fact is None:
        return ""
    kinds = dict(FactKind.choices)
    parts = [fact.date.isoformat(), str(kinds.get(fact.kind, fact.kind))]
    if fact.code:
        parts.append(code_label(fact.kind, fact.code) or _vocabulary_label(fact.kind, fact.code))
    if fact.level:
        parts.append(level_label(fact.kind, fact.level) or fact.level)
    role = fact.attrs.get("role")
    if isinstance(role, str) and role:
        parts.append(COMPETITION_ROLES.get(role, role))
    return " · ".join(p for p in parts if p)


def _vocabulary_label(kind: str, code: str) -> str:
    for doc in policies().documents:
        label = doc.vocabulary.get(kind, {}).get(code)
        if label:
            return label
    return code


def _payments(entitlements: Iterable[Entitlement]) -> tuple[PaymentView, ...]:
    payments = sorted((p for e in entitlements for p in e.schedule), key=lambda p: (p.date, p.fen))
    return tuple(PaymentView(p.date, p.fen, format_yuan(p.fen)) for p in payments)


def _distinct(texts: Iterable[str]) -> str:
    return "；".join(dict.fromkeys(t for t in texts if t))


def _entitlement_view(e: Entitlement, facts: Mapping[str, Fact]) -> EntitlementView:
    return EntitlementView(
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
        branch=e.branch,
        reason=e.reason,
        version_from=e.version_from,
        schedule=_payments([e]),
    )


def _item_view(
    outcome: ItemOutcome, documents: Mapping[str, Document], facts: Mapping[str, Fact]
) -> ExplainedItem:
    item = outcome.item
    counted = [e for e in outcome.entitlements if e.status in COUNTED]
    deciding = [e for e in outcome.entitlements if e.status == outcome.status]
    c = item.citation
    return ExplainedItem(
        id=item.id,
        title=item.title,
        document=item.document_id,
        document_title=documents[item.document_id].title,
        kind=str(item.kind),
        status=str(outcome.status),
        status_label=STATUS_ZH[outcome.status],
        amount_fen=outcome.fen,
        amount=format_yuan(outcome.fen),
        min_fen=sum(e.min_fen for e in counted),
        max_fen=sum(e.max_fen for e in counted),
        schedule=_payments(counted),
        schedule_text=describe_schedule(item.schedule),
        citation=CitationView(c.file, c.section, c.article, c.quote),
        branch=_distinct(e.branch for e in (counted or deciding)),
        reading=item.reading,
        reason=outcome.reason or _distinct(e.reason for e in deciding),
        entitlements=tuple(_entitlement_view(e, facts) for e in outcome.entitlements),
    )


def explanation_view(
    explanation: Explanation, subject_facts: SubjectFacts, *, policy: str | None = None
) -> SubjectExplanation:
    """The engine's explanation as typed rows for the API and the pages; `policy` keeps one
    document's items (the engine still judged them all, so cross-document references hold)."""
    loaded = policies()
    documents = {d.id: d for d in loaded.documents}
    keep = policy_document(policy)
    facts = {f.id: f for f in (*subject_facts.facts, *explanation.derived_facts)}
    items = tuple(
        _item_view(o, documents, facts)
        for o in explanation.items
        if keep is None or o.item.document_id == keep.id
    )
    total = sum(i.amount_fen for i in items)
    return SubjectExplanation(
        subject_id=explanation.subject_id,
        subject_kind=explanation.subject_kind,
        region=explanation.region,
        on=explanation.on,
        total_fen=total,
        total=format_yuan(total),
        documents=tuple(
            DocumentApplicability(d.document.id, d.document.title, d.applicable, d.reason)
            for d in explanation.documents
            if keep is None or d.document.id == keep.id
        ),
        items=items,
        notes=explanation.notes,
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
    return explanation_view(explanation, subject_facts, policy=policy)


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
            f"按月发放 {months} 个月" if isinstance(months, int) else f"按月发放（月数取 {months}）"
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


def describe_amount(amount: m.Amount | None) -> str:
    """An amount form in words, for the catalogue (the file itself is shown beside it)."""
    if isinstance(amount, m.Fixed):
        return f"固定金额 {_money(amount.value)}"
    if isinstance(amount, m.ByCategory):
        table = "；".join(f"{k} → {_money(v)}" for k, v in amount.table.items())
        default = f"；其他 → {_money(amount.default)}" if amount.default is not None else ""
        return f"按 {amount.key} 分档：{table}{default}"
    if isinstance(amount, m.RangeAmount):
        return f"酌定区间 {format_yuan(amount.min_fen)}–{format_yuan(amount.max_fen)}，由审核人决定"
    if isinstance(amount, m.Minimum):
        return f"不低于 {format_yuan(amount.value)}"
    if isinstance(amount, m.Maximum):
        return f"最高 {format_yuan(amount.value)}（预算按最高计）"
    if isinstance(amount, m.Monthly):
        return f"每月 {_money(amount.value)}，最多 {amount.months} 个月"
    if isinstance(amount, m.PercentOf):
        base = "+".join(amount.items) if amount.items else (amount.attr or "")
        minus = f"（不含 {'、'.join(amount.exclude)}）" if amount.exclude else ""
        return f"{amount.percent}% × {base}{minus}"
    if isinstance(amount, m.Match):
        otherwise = f"；否则 {describe_amount(amount.otherwise)}" if amount.otherwise else ""
        return f"按 {amount.of} 1:{amount.ratio} 配套{otherwise}"
    if isinstance(amount, m.PerThreshold):
        cap = f"，封顶 {format_yuan(amount.cap)}" if amount.cap is not None else ""
        return f"每满 {amount.per}（{amount.count}）给予 {_money(amount.value)}{cap}"
    if isinstance(amount, m.Uplift):
        return f"在 {amount.base_item} 金额基础上上浮 {amount.percent}%"
    if isinstance(amount, m.PerUnit):
        cap = f"，封顶 {format_yuan(amount.cap)}" if amount.cap is not None else ""
        return f"每单位 {_money(amount.value)} × {amount.count}{cap}"
    return ""


def describe_rules(rules: m.Rules) -> list[str]:
    out = []
    if rules.group is not None:
        out.append(f"就高不重复享受（组 {rules.group.id}）")
    if rules.once is not None:
        out.append(f"同一 {' + '.join(rules.once)} 只享受一次")
    if rules.no_lower_after_higher:
        out.append("已取得较高等级后不再享受较低等级")
    if rules.per_year is not None:
        out.append(f"每人每年最多 {rules.per_year} 次")
    if rules.quota is not None:
        q = rules.quota
        size = f"每年 {q.per_year} 名" if q.per_year is not None else f"共 {q.total} 名"
        order = "，".join(f"{t.field} {'降序' if t.descending else '升序'}" for t in q.tie_break)
        out.append(f"名额 {size}（{q.pool}）" + (f"，排序：{order}" if order else ""))
    return out


@dataclass(frozen=True)
class CatalogueItem:
    item: Item
    kind_label: str


@dataclass(frozen=True)
class CatalogueDocument:
    document: Document
    status_label: str
    jurisdiction_label: str
    items: tuple[CatalogueItem, ...]  # in file order


def catalogue() -> list[CatalogueDocument]:
    loaded = policies()
    codes = [d.jurisdiction.ljust(6, "0") for d in loaded.documents if d.jurisdiction.isdigit()]
    names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
    out = []
    for doc in loaded.documents:
        jurisdiction = doc.jurisdiction or "全国"
        if "${" in jurisdiction:
            jurisdiction = f"{jurisdiction}（采用城市为参数）"
        elif name := names.get(jurisdiction.ljust(6, "0")):
            jurisdiction = f"{name}（{jurisdiction}）"
        out.append(
            CatalogueDocument(
                document=doc,
                status_label=DOCUMENT_STATUS_ZH.get(doc.status, doc.status),
                jurisdiction_label=jurisdiction,
                items=tuple(
                    CatalogueItem(i, ITEM_KIND_ZH.get(str(i.kind), str(i.kind)))
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
    kind_label: str
    beneficiary_label: str
    versions: tuple[VersionLine, ...]
    rules: tuple[str, ...]
    schedule_text: str
    source_yaml: str  # the item as written in its policy file


def item_detail(item_id: str) -> ItemDetail:
    loaded = policies()
    try:
        item = loaded.item(item_id)
    except KeyError:
        raise Http404("政策条目不存在") from None
    document = loaded.document(item.document_id)
    return ItemDetail(
        item=item,
        document=document,
        document_status=DOCUMENT_STATUS_ZH.get(document.status, document.status),
        kind_label=ITEM_KIND_ZH.get(str(item.kind), str(item.kind)),
        beneficiary_label=BENEFICIARY_ZH.get(item.beneficiary, item.beneficiary),
        versions=tuple(VersionLine(v.valid_from, describe_amount(v.amount)) for v in item.versions),
        rules=tuple(describe_rules(item.rules)),
        schedule_text=describe_schedule(item.schedule),
        source_yaml=_item_source(document.file, item_id),
    )


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
