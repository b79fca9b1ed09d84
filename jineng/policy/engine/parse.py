"""Build the typed model from one validated policy-file mapping (JSON-compatible, dates as ISO).

Raises ValueError with the field path; loader.py wraps it in a PolicyError naming file and item.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any, cast

from jineng.policy.engine.dates import Duration
from jineng.policy.engine.model import (
    After,
    AllPred,
    Amount,
    AnyPred,
    AttrPred,
    ByCategory,
    Citation,
    Document,
    ElapsedPred,
    FactPred,
    FenRange,
    Fixed,
    Grant,
    GroupRule,
    InstalmentPart,
    Instalments,
    Match,
    Maximum,
    Minimum,
    MoneyValue,
    Monthly,
    MonthlySchedule,
    NotPred,
    OneOff,
    Op,
    Parameter,
    PercentOf,
    PerThreshold,
    PerUnit,
    Predicate,
    QuotaRule,
    RangeAmount,
    Rules,
    Scalar,
    Schedule,
    TieBreak,
    Trigger,
    TriggerPred,
    Unstated,
    Uplift,
    Within,
    Yearly,
)
from jineng.policy.engine.money import to_decimal, yuan_to_fen


class FieldError(ValueError):
    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")


def at(field: str, fn: Any, *args: Any) -> Any:
    """Call fn(*args), re-raising a ValueError as a FieldError at `field`."""
    try:
        return fn(*args)
    except FieldError as exc:
        raise FieldError(f"{field}.{exc.field}" if exc.field else field, exc.message) from None
    except ValueError as exc:
        raise FieldError(field, str(exc)) from None


def parse_date(value: Any) -> date | None:
    if value is None:
        return None
    return date.fromisoformat(str(value))


def str_tuple(value: Any) -> tuple[str, ...] | None:
    if value is None:
        return None
    if isinstance(value, list):
        return tuple(str(v) for v in value)
    return (str(value),)


# ----------------------------------------------------------------------------- money and amounts


def count_or_field(value: Any) -> int | str:
    return value if isinstance(value, str) else int(value)


def money(value: Any) -> int:
    return yuan_to_fen(value)


def money_value(value: Any) -> MoneyValue:
    if isinstance(value, Mapping):
        low, high = at("min", money, value["min"]), at("max", money, value["max"])
        if low > high:
            raise ValueError(f"range min {value['min']} is above max {value['max']}")
        return FenRange(low, high) if low != high else low
    return money(value)


def optional_money(value: Any) -> int | None:
    return None if value is None else money(value)


def amount(spec: Mapping[str, Any]) -> Amount:
    form = spec["form"]
    if form == "fixed":
        return Fixed(at("value", money_value, spec["value"]))
    if form == "by_category":
        table = {str(k): at(f"table.{k}", money_value, v) for k, v in spec["table"].items()}
        default = spec.get("default")
        return ByCategory(
            key=spec["key"],
            table=table,
            default=None if default is None else at("default", money_value, default),
        )
    if form == "range":
        low, high = at("min", money, spec["min"]), at("max", money, spec["max"])
        if low > high:
            raise FieldError("min", "range min is above max")
        return RangeAmount(low, high)
    if form == "minimum":
        return Minimum(at("value", money, spec["value"]))
    if form == "maximum":
        return Maximum(at("value", money, spec["value"]))
    if form == "monthly":
        return Monthly(
            at("value", money_value, spec["value"]),
            count_or_field(spec["months"]),
            at_most=spec.get("at_most"),
        )
    if form == "percent_of":
        of = spec["of"]
        percent = at("percent", to_decimal, spec["percent"])
        scope = str(spec.get("scope", "same_event"))
        if isinstance(of, str):
            return PercentOf(percent=percent, attr=of, scope=scope)
        return PercentOf(
            percent=percent,
            items=tuple(of["items"]),
            exclude=tuple(of.get("exclude") or ()),
            scope=scope,
        )
    if form == "match":
        otherwise = spec.get("otherwise")
        return Match(
            ratio=at("ratio", to_decimal, spec["ratio"]),
            of=spec["of"],
            otherwise=None if otherwise is None else at("otherwise", amount, otherwise),
        )
    if form == "per_threshold":
        return PerThreshold(
            per=int(spec["per"]),
            value=at("value", money_value, spec["value"]),
            count=spec["count"],
            cap=at("cap", optional_money, spec.get("cap")),
        )
    if form == "uplift":
        return Uplift(
            percent=at("percent", to_decimal, spec["percent"]), base_item=spec["base"]["item"]
        )
    if form == "per_unit":
        return PerUnit(
            value=at("value", money_value, spec["value"]),
            count=spec["count"],
            cap=at("cap", optional_money, spec.get("cap")),
            at_most=spec.get("at_most"),
        )
    if form == "unstated":
        basis = str(spec.get("basis") or "").strip()
        if not basis:
            raise FieldError("basis", "an unstated amount says where the amount is set (basis)")
        return Unstated(basis)
    raise FieldError("form", f"unknown amount form {form!r}")


# ----------------------------------------------------------------------------- predicates


def scalar(value: Any) -> Scalar | tuple[Scalar, ...]:
    if isinstance(value, list):
        return tuple(cast(Scalar, v) for v in value)
    return cast(Scalar, value)


def duration(spec: Mapping[str, Any]) -> Duration:
    return Duration(
        years=int(spec.get("years", 0)),
        months=int(spec.get("months", 0)),
        days=int(spec.get("days", 0)),
    )


def _compare_value(op: str, value: Any, field_name: str) -> Scalar | tuple[Scalar, ...]:
    out = scalar(value)
    if op in ("in", "not_in") and not isinstance(out, tuple):
        out = (out,)
    if op in ("lt", "le", "gt", "ge") and isinstance(out, tuple):
        raise ValueError(f"op {op} needs a single value")
    if field_name == "date":
        out = (
            tuple(date.fromisoformat(str(v)) for v in out)
            if isinstance(out, tuple)
            else date.fromisoformat(str(out))
        )
    return out


def predicate(
    spec: Mapping[str, Any], conditions: Mapping[str, tuple[Predicate, ...]]
) -> Predicate:
    outer_label = spec.get("label")
    if "attr" in spec:
        a = spec["attr"]
        return AttrPred(
            name=a["name"],
            op=cast(Op, a["op"]),
            value=at("attr.value", _compare_value, a["op"], a["value"], a["name"]),
            on=parse_date(a.get("on")),
            label=a.get("label") or outer_label,
        )
    if "fact" in spec:
        f = spec["fact"]
        within = f.get("within")
        codes = f.get("code")
        levels = f.get("level")
        attrs: dict[str, tuple[Scalar, ...]] = {
            str(k): tuple(v) if isinstance(v, list) else (v,)
            for k, v in (f.get("attrs") or {}).items()
        }
        return FactPred(
            kind=f["kind"],
            codes=None if codes in (None, "same_as_trigger") else str_tuple(codes),
            same_code=codes == "same_as_trigger",
            levels=None if levels in (None, "same_as_trigger") else str_tuple(levels),
            same_level=levels == "same_as_trigger",
            roles=str_tuple(f.get("role")),
            attrs=attrs,
            within=None if within is None else at("fact.within", _within, within),
            label=f.get("label") or outer_label,
        )
    if "trigger" in spec:
        t = spec["trigger"]
        return TriggerPred(
            field=t["field"],
            op=cast(Op, t["op"]),
            value=at("trigger.value", _compare_value, t["op"], t["value"], t["field"]),
            label=t.get("label") or outer_label,
        )
    if "elapsed" in spec:
        e = spec["elapsed"]
        if "at_least" not in e and "at_most" not in e:
            raise FieldError("elapsed", "needs at_least or at_most")
        return ElapsedPred(
            at_least=duration(e["at_least"]) if "at_least" in e else None,
            at_most=duration(e["at_most"]) if "at_most" in e else None,
            label=e.get("label") or outer_label,
        )
    if "any" in spec:
        return AnyPred(
            tuple(at(f"any[{i}]", predicate, p, conditions) for i, p in enumerate(spec["any"])),
            label=outer_label,
        )
    if "all" in spec:
        return AllPred(
            tuple(at(f"all[{i}]", predicate, p, conditions) for i, p in enumerate(spec["all"])),
            label=outer_label,
        )
    if "not" in spec:
        return NotPred(at("not", predicate, spec["not"], conditions), label=outer_label)
    if "ref" in spec:
        ref = spec["ref"]
        if ref not in conditions:
            raise FieldError(
                "ref", f"no condition item {ref!r} (kind: condition) in the loaded files"
            )
        return AllPred(conditions[ref], label=outer_label or ref)
    raise FieldError("", "unknown predicate")


def _within(spec: Mapping[str, Any]) -> Within:
    if ("before" in spec) == ("after" in spec):
        raise ValueError("within needs exactly one of before: trigger / after: trigger")
    return Within(duration(spec), "before" if "before" in spec else "after")


def predicates(
    specs: Any, field_name: str, conditions: Mapping[str, tuple[Predicate, ...]]
) -> tuple[Predicate, ...]:
    return tuple(
        at(f"{field_name}[{i}]", predicate, p, conditions) for i, p in enumerate(specs or [])
    )


# ----------------------------------------------------------------------------- schedule, rules


def schedule(spec: Mapping[str, Any] | None, item_amount: Amount | None) -> Schedule:
    if spec is None:
        if isinstance(item_amount, Monthly):
            return MonthlySchedule(item_amount.months)
        return OneOff()
    form = spec["form"]
    if form == "one_off":
        return OneOff()
    if form == "instalments":
        parts = tuple(
            InstalmentPart(
                at(f"parts[{i}].percent", to_decimal, p["percent"]), int(p["after_months"])
            )
            for i, p in enumerate(spec["parts"])
        )
        if sum(p.percent for p in parts) != Decimal(100):
            raise FieldError("parts", "instalment percents must add up to 100")
        return Instalments(parts)
    if form == "monthly":
        return MonthlySchedule(count_or_field(spec["months"]))
    if form == "after":
        return After(int(spec["months"]), spec.get("label"))
    if form == "yearly":
        return Yearly(int(spec["years"]))
    raise FieldError("form", f"unknown schedule form {form!r}")


def quota(spec: Mapping[str, Any], pool: str) -> QuotaRule:
    if ("per_year" in spec) == ("total" in spec):
        raise FieldError("", "a quota states exactly one of per_year / total")
    ties = []
    for entry in spec.get("tie_break") or ():
        name, direction = entry.split(" ")
        ties.append(TieBreak(name, direction == "desc"))
    return QuotaRule(
        pool=pool,
        per_year=spec.get("per_year"),
        total=spec.get("total"),
        scope=spec.get("scope", "jurisdiction"),
        tie_break=tuple(ties),
        unit=spec.get("unit", "payment"),
    )


def _once(value: Any) -> tuple[str, ...] | None:
    if value is None or value is False:
        return None
    if value is True:
        return ()
    return tuple(str(v) for v in value)


def rules(spec: Mapping[str, Any] | None, item_id: str, quotas: Mapping[str, QuotaRule]) -> Rules:
    if not spec:
        return Rules()
    group = spec.get("group")
    once = spec.get("once")
    quota_spec = spec.get("quota")
    quota_rule: QuotaRule | None = None
    if quota_spec:
        if "ref" in quota_spec:
            if len(quota_spec) > 1:
                raise FieldError(
                    "quota", "a quota with ref states nothing else (the quota item does)"
                )
            ref = quota_spec["ref"]
            if ref not in quotas:
                raise FieldError(
                    "quota.ref", f"no quota item {ref!r} (kind: quota) in the loaded files"
                )
            quota_rule = quotas[ref]
        else:
            quota_rule = at("quota", quota, quota_spec, item_id)
    return Rules(
        group=None if not group else GroupRule(group["id"]),
        once=_once(once),
        no_lower_after_higher=bool(spec.get("no_lower_after_higher", False)),
        per_year=spec.get("per_year"),
        quota=quota_rule,
    )


# ----------------------------------------------------------------------------- document


def document(spec: Mapping[str, Any], vocabulary: Any, file: str) -> Document:
    effective = spec.get("effective") or {}
    params = {
        str(name): Parameter(default=p.get("default"), doc=p.get("doc", ""))
        for name, p in (spec.get("parameters") or {}).items()
    }
    return Document(
        id=spec["id"],
        prefix=spec["prefix"],
        title=spec["title"],
        issuer=spec["issuer"],
        number=spec.get("number"),
        issued=parse_date(spec.get("issued")),
        effective_from=parse_date(effective.get("from")),
        effective_to=parse_date(effective.get("to")),
        jurisdiction=spec["jurisdiction"],
        parameters=params,
        source=spec["source"],
        status=spec["status"],
        notes=spec.get("notes") or "",
        vocabulary={str(k): dict(v) for k, v in (vocabulary or {}).items()},
        file=file,
    )


def citation(spec: Mapping[str, Any]) -> Citation:
    return Citation(
        file=spec["file"],
        section=str(spec.get("section", "")),
        article=str(spec.get("article", "")),
        quote=spec["quote"],
    )


def trigger(spec: Mapping[str, Any] | None) -> Trigger | None:
    if not spec:
        return None
    return Trigger(
        kind=spec["kind"],
        codes=str_tuple(spec.get("code")),
        levels=str_tuple(spec.get("level")),
        roles=str_tuple(spec.get("role")),
    )


def grant(spec: Mapping[str, Any] | None) -> Grant | None:
    if not spec:
        return None
    return Grant(kind=spec["kind"], code=spec["code"], level=spec.get("level"))
