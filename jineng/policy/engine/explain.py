"""Explain: every entitlement of one subject (or of each subject of a population) on a date.

For each applicable document (the subject's region is under its jurisdiction) and each of its items,
every trigger fact is judged: validity on the fact's date → beneficiary kind → conditions →
exclusions → amount (the version in force on the fact's date) → waiting → the rules (rules.py).
Recognition and title items run first and add derived facts (to a fixed point), so money items on
a recognised title apply. Items are judged in layers: an uplift item after the item it uplifts.

Quotas rank a population: `explain()` of one subject without `population` assumes a place is
available (and says so); `explain_population()` ranks among the subjects given — that is what
`evaluate()` computes column-wise, and the two must agree line for line.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from jineng.policy.engine.amounts import (
    AmountOrWhy,
    AmountResult,
    StandardOf,
    Unavailable,
    compute,
    standard,
)
from jineng.policy.engine.dates import add_months
from jineng.policy.engine.facts import Fact, Subject, SubjectFacts, visible_facts
from jineng.policy.engine.model import (
    ORGANISATION_BENEFICIARIES,
    PERSON_BENEFICIARIES,
    After,
    Amount,
    Item,
    ItemKind,
    Policies,
    Trigger,
    Uplift,
)
from jineng.policy.engine.outcome import (
    COUNTED,
    DocumentOutcome,
    Entitlement,
    Explanation,
    ItemOutcome,
    Status,
    summary_status,
)
from jineng.policy.engine.overrides import Override, apply_overrides
from jineng.policy.engine.predicates import Context, first_exclusion, judge_conditions
from jineng.policy.engine.rules import Draft, apply_groups, apply_item_rules, apply_quotas
from jineng.policy.engine.schedule import plan

MAX_RECOGNITION_ROUNDS = 10
QUOTA_ASSUMED = "名额按可用计 (单人解释未提供人群,未做名额排序)"


def trigger_matches(trigger: Trigger, fact: Fact) -> bool:
    return (
        fact.kind == trigger.kind
        and (trigger.codes is None or fact.code in trigger.codes)
        and (trigger.levels is None or fact.level in trigger.levels)
        and (trigger.roles is None or fact.attrs.get("role") in trigger.roles)
    )


def derived_chain(fact: Fact) -> tuple[str, ...]:
    """The items that derived this fact (derived ids are `<fact>><item>><item>…`)."""
    return tuple(fact.id.split(">")[1:])


def beneficiary_mismatch(item: Item, subject: Subject) -> str | None:
    if item.beneficiary in PERSON_BENEFICIARIES and subject.kind != "person":
        return "受益对象为个人"
    if item.beneficiary in ORGANISATION_BENEFICIARIES and subject.kind == "person":
        return "受益对象为单位"
    return None


@dataclass
class _Subject:
    """One subject's working state through the layers."""

    subject: Subject
    ctx: Context
    documents: tuple[DocumentOutcome, ...]
    items: tuple[Item, ...]  # items of applicable documents, in file order
    grants: list[Draft]
    drafts: dict[str, list[Draft]]  # item id → drafts (money items)
    derived: tuple[Fact, ...]
    by_kind: dict[str, list[Fact]] = field(default_factory=dict)  # ctx.facts by kind, once settled


@dataclass(frozen=True)
class _Plan:
    """What every explanation under one Policies object shares (built once, kept on it)."""

    standard_of: StandardOf
    layers: tuple[int, ...]
    pays: frozenset[str]
    grants: frozenset[str]
    untriggered: Mapping[str, ItemOutcome]  # the outcome of an item without a trigger fact


def _plan(policies: Policies) -> _Plan:
    cached = policies.__dict__.get("_explain_plan")
    if isinstance(cached, _Plan):
        return cached
    by_id = {i.id: i for i in policies.items}

    def amount_of(item_id: str, fact: Fact) -> Amount | None:
        version = by_id[item_id].version_on(fact.date)
        return None if version is None else version.amount

    plan_ = _Plan(
        standard_of=standard(amount_of),
        layers=tuple(sorted({i.layer for i in policies.items})),
        pays=frozenset(i.id for i in policies.items if i.pays),
        grants=frozenset(i.id for i in policies.items if i.grants_fact),
        untriggered={i.id: _untriggered(i) for i in policies.items if i.trigger is not None},
    )
    policies.__dict__["_explain_plan"] = plan_  # a cache on a frozen object: not part of its value
    return plan_


def _untriggered(item: Item) -> ItemOutcome:
    assert item.trigger is not None
    t = item.trigger
    what = " ".join(
        p
        for p in (
            t.kind,
            "/".join(t.codes) if t.codes else "",
            "等级 " + "/".join(t.levels) if t.levels else "",
            "角色 " + "/".join(t.roles) if t.roles else "",
        )
        if p
    )
    return ItemOutcome(item, Status.CONDITION_FAILED, 0, (), f"无触发事实 ({what})")


def _judge(item: Item, fact: Fact, s: _Subject, subject_region: str) -> Draft:
    """Validity, beneficiary, conditions, exclusions — before amounts and rules."""
    d = Draft(s.subject.id, subject_region, item, fact, Status.CONDITION_FAILED)
    if item.valid_from is not None and fact.date < item.valid_from:
        d.status, d.reason = (
            Status.NOT_IN_FORCE,
            f"触发事实日期 {fact.date} 早于施行日 {item.valid_from}",
        )
        return d
    if item.valid_to is not None and fact.date > item.valid_to:
        d.status, d.reason = (
            Status.EXPIRED,
            f"触发事实日期 {fact.date} 晚于有效期止 {item.valid_to}",
        )
        return d
    mismatch = beneficiary_mismatch(item, s.subject)
    if mismatch:
        d.reason = mismatch
        return d
    cond = judge_conditions(item.conditions, s.ctx, fact)
    if cond.failed is not None:
        d.reason = f"条件不符: {cond.failed}"
        return d
    excluded = first_exclusion(item.exclusions, s.ctx, fact)
    if excluded is not None:
        d.status, d.reason = Status.EXCLUDED, f"排除: {excluded}"
        return d
    d.status = Status.WAITING if cond.waiting else Status.PAID
    d.reason = f"待满足: {cond.waiting}" if cond.waiting else ""
    return d


def _recognise(s: _Subject, base_facts: tuple[Fact, ...], on: date, grants: frozenset[str]) -> None:
    """Recognition/title items to a fixed point: granted items add derived facts."""
    grant_items = [i for i in s.items if i.id in grants]
    derived: dict[str, Fact] = {}
    for _round in range(MAX_RECOGNITION_ROUNDS):
        facts = tuple(sorted((*base_facts, *derived.values()), key=lambda f: (f.date, f.id)))
        s.ctx = Context(s.subject, facts, on)
        drafts: list[Draft] = []
        new: dict[str, Fact] = {}
        for item in grant_items:
            assert item.trigger is not None and item.grants is not None
            for fact in facts:
                if not trigger_matches(item.trigger, fact) or item.id in derived_chain(fact):
                    continue
                d = _judge(item, fact, s, s.subject.region)
                if d.status is Status.PAID:
                    d.status, d.reason = (
                        Status.GRANTED,
                        f"认定为 {item.grants.kind}:{item.grants.code}",
                    )
                    derived_id = f"{fact.id}>{item.id}"
                    new[derived_id] = Fact(
                        id=derived_id,
                        kind=item.grants.kind,
                        date=fact.date,
                        code=item.grants.code,
                        level=item.grants.level,
                        region=fact.region,
                        derived_from=item.id,
                    )
                drafts.append(d)
        s.grants = drafts
        if new.keys() == derived.keys():
            s.derived = tuple(sorted(new.values(), key=lambda f: (f.date, f.id)))
            return
        derived = new
    raise RuntimeError(
        f"subject {s.subject.id}: recognition did not settle in {MAX_RECOGNITION_ROUNDS} rounds"
    )


def _prepare(
    sf: SubjectFacts, on: date, policies: Policies, params: Mapping[str, str], plan_: _Plan
) -> _Subject:
    docs: list[DocumentOutcome] = []
    applicable: set[str] = set()
    for doc in policies.documents:
        prefix = doc.jurisdiction_for(params)
        if prefix is None:
            missing = ", ".join(doc.parameters)
            docs.append(DocumentOutcome(doc, False, f"未设置参数 {missing}"))
        elif sf.subject.region.startswith(prefix):
            applicable.add(doc.id)
            docs.append(
                DocumentOutcome(doc, True, f"地区 {sf.subject.region} 属于 {prefix or '全国'}")
            )
        else:
            docs.append(DocumentOutcome(doc, False, f"地区 {sf.subject.region} 不属于 {prefix}"))
    base = visible_facts(sf.facts, on)
    s = _Subject(
        subject=sf.subject,
        ctx=Context(sf.subject, base, on),
        documents=tuple(docs),
        items=tuple(i for i in policies.items if i.document_id in applicable),
        grants=[],
        drafts={},
        derived=(),
    )
    _recognise(s, base, on, plan_.grants)
    for fact in s.ctx.facts:
        s.by_kind.setdefault(fact.kind, []).append(fact)
    return s


def _judge_money(item: Item, s: _Subject, standard_of: StandardOf, on: date) -> list[Draft]:
    assert item.trigger is not None
    out: list[Draft] = []
    for fact in s.by_kind.get(item.trigger.kind, ()):
        if not trigger_matches(item.trigger, fact):
            continue
        d = _judge(item, fact, s, s.subject.region)
        if d.status in (Status.PAID, Status.WAITING):
            _price(d, item, fact, s, standard_of, on)
        out.append(d)
    if out:
        apply_item_rules(item, out, s.ctx.facts)
    return out


def _price(
    d: Draft, item: Item, fact: Fact, s: _Subject, standard_of: StandardOf, on: date
) -> None:
    version = item.version_on(fact.date)
    if version is None:
        d.status, d.reason = Status.CONDITION_FAILED, f"{fact.date} 无适用金额版本"
        return
    uplift_base: AmountOrWhy | None = None
    if isinstance(version.amount, Uplift):
        uplift_base = _uplift_base(version.amount.base_item, fact, s)
    result = compute(version.amount, fact, standard_of, uplift_base)
    if isinstance(result, Unavailable):
        d.status, d.reason = Status.CONDITION_FAILED, f"金额无法确定: {result.reason}"
        return
    d.amount, d.version_from = result, version.valid_from
    if result.discretionary:
        d.status = Status.DISCRETIONARY
        d.reason = "酌定金额,待审核决定" + (f";{d.reason}" if d.reason else "")
    elif result.unstated:
        d.status = Status.UNSTATED
        d.reason = result.branch + (f";{d.reason}" if d.reason else "")
    elif isinstance(item.schedule, After) and add_months(fact.date, item.schedule.months) > on:
        d.status = Status.WAITING
        d.reason = item.schedule.label or f"满{item.schedule.months}个月后发放"


def _uplift_base(base_id: str, fact: Fact, s: _Subject) -> AmountOrWhy:
    for d in s.drafts.get(base_id, ()):
        if d.fact.id == fact.id:
            if d.status is Status.UNSTATED and d.amount is not None:
                return Unavailable(f"基础项目 {base_id} {d.amount.branch}")
            if d.status in COUNTED and d.amount is not None:
                return AmountResult(
                    d.fen,
                    d.amount.min_fen,
                    d.amount.max_fen,
                    d.amount.discretionary,
                    d.amount.may_be_more,
                    d.amount.branch,
                )
            return Unavailable(f"基础项目 {base_id} 未发放 ({d.status})")
    return Unavailable(f"基础项目 {base_id} 未因此事实触发")


def _entitlement(d: Draft) -> Entitlement:
    a = d.amount
    counted = d.status in COUNTED
    fen = a.fen if (a is not None and counted) else 0
    branch = a.branch if a is not None else ""
    return Entitlement(
        subject_id=d.subject_id,
        item_id=d.item.id,
        fact_id=d.fact.id,
        trigger_date=d.fact.date,
        status=d.status,
        fen=fen,
        amount_fen=a.fen if a is not None else 0,
        min_fen=a.min_fen if a is not None else 0,
        max_fen=a.max_fen if a is not None else 0,
        discretionary=a.discretionary if a is not None else False,
        may_be_more=a.may_be_more if a is not None else False,
        branch=branch,
        reason=d.reason,
        version_from=d.version_from,
        schedule=plan(d.item.schedule, fen, d.fact)
        if counted and d.status is not Status.UNSTATED
        else (),
    )


def _outcome(item: Item, drafts: Sequence[Draft], plan_: _Plan) -> ItemOutcome:
    if not drafts:
        return plan_.untriggered[item.id]
    ents = tuple(_entitlement(d) for d in sorted(drafts, key=Draft.order_key))
    return ItemOutcome(item, summary_status(ents), sum(e.fen for e in ents), ents, "")


def explain_population(
    population: Iterable[SubjectFacts],
    on: date,
    policies: Policies,
    params: Mapping[str, str] | None = None,
    overrides: Iterable[Override | str] = (),
    *,
    rank_quotas: bool = True,
) -> list[Explanation]:
    """Explain each subject; quotas are ranked among the subjects given."""
    policies = apply_overrides(policies, overrides)
    params = dict(params or {})
    plan_ = _plan(policies)
    states = [_prepare(sf, on, policies, params, plan_) for sf in population]
    for layer in plan_.layers:
        layer_drafts: list[Draft] = []
        for s in states:
            for item in s.items:
                if item.layer == layer and item.id in plan_.pays:
                    s.drafts[item.id] = _judge_money(item, s, plan_.standard_of, on)
                    layer_drafts.extend(s.drafts[item.id])
        if rank_quotas:
            apply_quotas(layer_drafts)
        apply_groups(layer_drafts)
    out = []
    for s in states:
        notes: list[str] = []
        outcomes = []
        for item in s.items:
            if item.id in plan_.grants:
                outcomes.append(
                    _outcome(item, [d for d in s.grants if d.item.id == item.id], plan_)
                )
            elif item.id in plan_.pays:
                drafts = s.drafts.get(item.id, [])
                if not rank_quotas and item.rules.quota and any(d.counted for d in drafts):
                    for d in drafts:
                        if d.counted:
                            d.reason = "; ".join(p for p in (d.reason, QUOTA_ASSUMED) if p)
                    if QUOTA_ASSUMED not in notes:
                        notes.append(QUOTA_ASSUMED)
                outcomes.append(_outcome(item, drafts, plan_))
        out.append(
            Explanation(
                subject_id=s.subject.id,
                subject_kind=s.subject.kind,
                region=s.subject.region,
                on=on,
                documents=s.documents,
                items=tuple(outcomes),
                derived_facts=s.derived,
                notes=tuple(notes),
            )
        )
    return out


def explain(
    subject_facts: SubjectFacts,
    on: date,
    policies: Policies,
    params: Mapping[str, str] | None = None,
    overrides: Iterable[Override | str] = (),
    population: Sequence[SubjectFacts] | None = None,
) -> Explanation:
    """One subject's entitlements on `on`. With `population`, quotas rank among it (the subject is
    added if absent); without, a quota place is assumed available and the explanation says so."""
    if population is None:
        return explain_population(
            [subject_facts], on, policies, params, overrides, rank_quotas=False
        )[0]
    pop = list(population)
    if all(sf.subject.id != subject_facts.subject.id for sf in pop):
        pop.append(subject_facts)
    for e in explain_population(pop, on, policies, params, overrides):
        if e.subject_id == subject_facts.subject.id:
            return e
    raise AssertionError("unreachable")


__all__ = ["ItemKind", "explain", "explain_population", "trigger_matches"]
