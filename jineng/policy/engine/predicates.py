"""Conditions and exclusions, judged for one subject and one trigger fact (explain path)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from jineng.policy.engine.compare import compare
from jineng.policy.engine.dates import add_duration
from jineng.policy.engine.facts import Fact, Subject, subject_attribute
from jineng.policy.engine.model import (
    AllPred,
    AnyPred,
    AttrPred,
    ElapsedPred,
    FactPred,
    NotPred,
    Predicate,
    TriggerPred,
)


@dataclass(frozen=True)
class Context:
    subject: Subject
    facts: tuple[Fact, ...]  # visible facts, derived facts included
    on: date


def fact_matches(pred: FactPred, candidate: Fact, trigger: Fact) -> bool:
    if candidate.kind != pred.kind:
        return False
    if pred.codes is not None and candidate.code not in pred.codes:
        return False
    if pred.same_code and candidate.code != trigger.code:
        return False
    if pred.levels is not None and candidate.level not in pred.levels:
        return False
    if pred.same_level and candidate.level != trigger.level:
        return False
    if pred.roles is not None and candidate.attrs.get("role") not in pred.roles:
        return False
    for name, values in pred.attrs.items():
        if not compare(candidate.attrs.get(name), "in", values):
            return False
    if pred.within is not None:
        if pred.within.direction == "after":
            low, high = trigger.date, add_duration(trigger.date, pred.within.duration)
        else:
            low, high = add_duration(trigger.date, pred.within.duration, -1), trigger.date
        if not low <= candidate.date <= high:
            return False
    return True


def holds(pred: Predicate, ctx: Context, trigger: Fact) -> bool:
    if isinstance(pred, AttrPred):
        value = subject_attribute(ctx.subject, ctx.facts, pred.name, pred.on or ctx.on)
        return compare(value, pred.op, pred.value)
    if isinstance(pred, TriggerPred):
        return compare(trigger.field_value(pred.field), pred.op, pred.value)
    if isinstance(pred, FactPred):
        return any(fact_matches(pred, f, trigger) for f in ctx.facts)
    if isinstance(pred, ElapsedPred):
        return elapsed_at_least(pred, ctx, trigger) and elapsed_at_most(pred, ctx, trigger)
    if isinstance(pred, AnyPred):
        return any(holds(p, ctx, trigger) for p in pred.preds)
    if isinstance(pred, AllPred):
        return all(holds(p, ctx, trigger) for p in pred.preds)
    if isinstance(pred, NotPred):
        return not holds(pred.pred, ctx, trigger)
    raise TypeError(f"unknown predicate {pred!r}")


def elapsed_at_least(pred: ElapsedPred, ctx: Context, trigger: Fact) -> bool:
    return pred.at_least is None or add_duration(trigger.date, pred.at_least) <= ctx.on


def elapsed_at_most(pred: ElapsedPred, ctx: Context, trigger: Fact) -> bool:
    return pred.at_most is None or ctx.on <= add_duration(trigger.date, pred.at_most)


@dataclass(frozen=True)
class ConditionsResult:
    failed: str | None  # label of the first failing condition
    waiting: str | None  # label of the first unmet top-level "elapsed at_least"


def judge_conditions(
    conditions: Sequence[Predicate], ctx: Context, trigger: Fact
) -> ConditionsResult:
    """A top-level `elapsed: {at_least}` that is not yet met means waiting, not failure."""
    waiting: str | None = None
    for pred in conditions:
        if isinstance(pred, ElapsedPred):
            if not elapsed_at_most(pred, ctx, trigger):
                return ConditionsResult(describe(pred), None)
            if waiting is None and not elapsed_at_least(pred, ctx, trigger):
                waiting = describe(pred)
        elif not holds(pred, ctx, trigger):
            return ConditionsResult(why_not(pred, ctx, trigger), None)
    return ConditionsResult(None, waiting)


def why_not(pred: Predicate, ctx: Context, trigger: Fact) -> str:
    """A failing predicate's description; for a conjunction (a shared condition), down to the
    first failing part."""
    if isinstance(pred, AllPred):
        for part in pred.preds:
            if not holds(part, ctx, trigger):
                inner = why_not(part, ctx, trigger)
                return f"{pred.label}: {inner}" if pred.label else inner
    return describe(pred)


def first_exclusion(exclusions: Sequence[Predicate], ctx: Context, trigger: Fact) -> str | None:
    for pred in exclusions:
        if holds(pred, ctx, trigger):
            return describe(pred)
    return None


def describe(pred: Predicate) -> str:
    """The predicate's label, or a readable rendering of it."""
    if pred.label:
        return pred.label
    if isinstance(pred, AttrPred):
        return f"{pred.name} {pred.op} {_v(pred.value)}" + (f" (于 {pred.on})" if pred.on else "")
    if isinstance(pred, TriggerPred):
        return f"触发事实 {pred.field} {pred.op} {_v(pred.value)}"
    if isinstance(pred, FactPred):
        parts = [pred.kind]
        if pred.codes:
            parts.append("/".join(pred.codes))
        if pred.same_code:
            parts.append("同一职业")
        if pred.levels:
            parts.append("等级 " + "/".join(pred.levels))
        if pred.within:
            direction = "之后" if pred.within.direction == "after" else "之前"
            parts.append(f"触发事实{direction}{pred.within.duration.describe()}内")
        return "须有事实: " + " ".join(parts)
    if isinstance(pred, ElapsedPred):
        out = []
        if pred.at_least:
            out.append(f"自触发事实起满{pred.at_least.describe()}")
        if pred.at_most:
            out.append(f"自触发事实起{pred.at_most.describe()}内")
        return "、".join(out)
    if isinstance(pred, AnyPred):
        return "(" + " 或 ".join(describe(p) for p in pred.preds) + ")"
    if isinstance(pred, AllPred):
        return "(" + " 且 ".join(describe(p) for p in pred.preds) + ")"
    if isinstance(pred, NotPred):
        return "非 " + describe(pred.pred)
    return repr(pred)


def _v(value: object) -> str:
    if isinstance(value, tuple):
        return "[" + ", ".join(str(v) for v in value) + "]"
    return str(value)
