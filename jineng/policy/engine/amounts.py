"""Amount forms, computed for one trigger fact (the explain path; evaluate mirrors this in columns).

A result carries the counted amount (`fen`), the range (`min_fen`..`max_fen`) and two flags:
`discretionary` (a reviewer decides within the range; a pure range counts 0, a "最高" maximum counts
its maximum) and `may_be_more` ("不低于" minimums). Percentages round ROUND_HALF_UP to the fen.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from jineng.policy.engine.compare import category_key
from jineng.policy.engine.facts import Fact
from jineng.policy.engine.levels import LEVEL_NAMES
from jineng.policy.engine.model import (
    Amount,
    ByCategory,
    FenRange,
    Fixed,
    Match,
    Maximum,
    Minimum,
    MoneyValue,
    Monthly,
    PercentOf,
    PerThreshold,
    PerUnit,
    RangeAmount,
    Unstated,
    Uplift,
)
from jineng.policy.engine.money import apply_percent, apply_ratio, format_yuan


@dataclass(frozen=True)
class AmountResult:
    fen: int
    min_fen: int
    max_fen: int
    discretionary: bool = False
    may_be_more: bool = False
    branch: str = ""
    unstated: bool = False  # the text grants money without stating the amount (0 fen counted)

    def scaled(self, fn: Callable[[int], int], branch: str) -> AmountResult:
        return AmountResult(
            fn(self.fen),
            fn(self.min_fen),
            fn(self.max_fen),
            self.discretionary,
            self.may_be_more,
            branch,
            self.unstated,
        )

    def plus(self, other: AmountResult) -> AmountResult:
        return AmountResult(
            self.fen + other.fen,
            self.min_fen + other.min_fen,
            self.max_fen + other.max_fen,
            self.discretionary or other.discretionary,
            self.may_be_more or other.may_be_more,
            self.branch,
            self.unstated or other.unstated,
        )


@dataclass(frozen=True)
class Unavailable:
    """The amount cannot be computed for this fact (no table entry, missing count …)."""

    reason: str


AmountOrWhy = AmountResult | Unavailable

UNSTATED_TEXT = "金额未在本文件中规定："


def unstated_text(basis: str) -> str:
    return UNSTATED_TEXT + basis


# (item id, fact) → that item's amount for the fact: the "standard" of another item.
StandardOf = Callable[[str, Fact], AmountOrWhy]


def describe_range(min_fen: int, max_fen: int) -> str:
    return f"{format_yuan(min_fen)}–{format_yuan(max_fen)}"


def of_value(value: MoneyValue, branch: str = "") -> AmountResult:
    if isinstance(value, FenRange):
        return AmountResult(
            0,
            value.min_fen,
            value.max_fen,
            True,
            False,
            branch or f"酌定 {describe_range(value.min_fen, value.max_fen)}",
        )
    return AmountResult(value, value, value, False, False, branch or format_yuan(value))


def _whole(fact: Fact, path: str) -> int | None:
    value = fact.field_value(path)
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return int(value)


def _at_most(fact: Fact, count: int, limit_field: str | None) -> tuple[int, str] | Unavailable:
    """`count` held to the trigger field `limit_field` (e.g. months of actual training held to the
    filed period, "不超过备案期限"); a missing or non-positive limit makes the amount unknown."""
    if limit_field is None:
        return count, ""
    limit = _whole(fact, limit_field)
    if limit is None or limit <= 0:
        return Unavailable(f"缺少 {limit_field}")
    if count > limit:
        return limit, f"(实际 {count},以 {limit_field} {limit} 为限)"
    return count, ""


def _cap(result: AmountResult, cap: int | None) -> AmountResult:
    if cap is None:
        return result
    return AmountResult(
        min(result.fen, cap),
        min(result.min_fen, cap),
        min(result.max_fen, cap),
        result.discretionary,
        result.may_be_more,
        result.branch + (f",封顶 {format_yuan(cap)}" if result.max_fen > cap else ""),
    )


def compute(
    amount: Amount,
    fact: Fact,
    standard_of: StandardOf,
    uplift_base: AmountOrWhy | None = None,
) -> AmountOrWhy:
    """The amount for `fact`. `uplift_base` is the base item's counted result on the same fact
    (explain passes the base's actual entitlement; None computes it as a standard)."""
    if isinstance(amount, Fixed):
        return of_value(amount.value)
    if isinstance(amount, Unstated):
        return AmountResult(0, 0, 0, branch=unstated_text(amount.basis), unstated=True)
    if isinstance(amount, ByCategory):
        key = category_key(fact.field_value(amount.key))
        value = amount.table.get(key) if key is not None else None
        if value is None:
            if amount.default is None:
                return Unavailable(f"{amount.key}={key} 不在金额表中")
            value = amount.default
            return of_value(value, f"{amount.key}={key} → 其他 {_money_text(value)}")
        label = LEVEL_NAMES.get(key or "", key) if amount.key == "level" else key
        return of_value(value, f"{label} → {_money_text(value)}")
    if isinstance(amount, RangeAmount):
        return AmountResult(
            0,
            amount.min_fen,
            amount.max_fen,
            True,
            False,
            f"酌定 {describe_range(amount.min_fen, amount.max_fen)}",
        )
    if isinstance(amount, Minimum):
        return AmountResult(
            amount.value,
            amount.value,
            amount.value,
            False,
            True,
            f"不低于 {format_yuan(amount.value)}",
        )
    if isinstance(amount, Maximum):
        return AmountResult(
            amount.value, 0, amount.value, True, False, f"最高 {format_yuan(amount.value)}"
        )
    if isinstance(amount, Monthly):
        months = amount.months if isinstance(amount.months, int) else _whole(fact, amount.months)
        if months is None or months <= 0:
            return Unavailable(f"缺少月数 {amount.months}")
        limited = _at_most(fact, months, amount.at_most)
        if isinstance(limited, Unavailable):
            return limited
        months, note = limited
        base = of_value(amount.value)
        return base.scaled(
            lambda f: f * months, f"{_money_text(amount.value)}/月 × {months} 个月{note}"
        )
    if isinstance(amount, Match):
        external = _whole(fact, amount.of)
        if external is not None and external > 0:
            out = apply_ratio(external, amount.ratio)
            return AmountResult(
                out,
                out,
                out,
                False,
                False,
                f"有竞赛奖金 {format_yuan(external)} → {amount.ratio}:1 配套 {format_yuan(out)}",
            )
        if amount.otherwise is None:
            return Unavailable("无竞赛奖金,且未规定其他标准")
        inner = compute(amount.otherwise, fact, standard_of)
        if isinstance(inner, Unavailable):
            return inner
        return AmountResult(
            inner.fen,
            inner.min_fen,
            inner.max_fen,
            inner.discretionary,
            inner.may_be_more,
            "无竞赛奖金 → " + inner.branch,
            inner.unstated,
        )
    if isinstance(amount, PerThreshold):
        count = _whole(fact, amount.count)
        if count is None:
            return Unavailable(f"缺少 {amount.count}")
        multiples = count // amount.per
        if multiples <= 0:
            return Unavailable(f"{amount.count}={count},未达到每 {amount.per} 的门槛")
        base = of_value(amount.value)
        return _cap(
            base.scaled(
                lambda f: f * multiples,
                f"每 {amount.per} 个 {_money_text(amount.value)} × {multiples}",
            ),
            amount.cap,
        )
    if isinstance(amount, PerUnit):
        count = _whole(fact, amount.count)
        if count is None or count <= 0:
            return Unavailable(f"缺少或为零: {amount.count}")
        limited = _at_most(fact, count, amount.at_most)
        if isinstance(limited, Unavailable):
            return limited
        count, note = limited
        base = of_value(amount.value)
        return _cap(
            base.scaled(lambda f: f * count, f"{_money_text(amount.value)} × {count}{note}"),
            amount.cap,
        )
    if isinstance(amount, PercentOf):
        return _percent_of(amount, fact, standard_of)
    if isinstance(amount, Uplift):
        base_result = (
            uplift_base if uplift_base is not None else standard_of(amount.base_item, fact)
        )
        if isinstance(base_result, Unavailable):
            return base_result
        if base_result.unstated:
            return Unavailable(f"基础项目 {amount.base_item} {base_result.branch}")
        pct = amount.percent
        return base_result.scaled(
            lambda f: apply_percent(f, pct),
            f"上浮 {pct}% × {amount.base_item} {_result_text(base_result)}",
        )
    raise TypeError(f"unknown amount form {amount!r}")


def _percent_of(amount: PercentOf, fact: Fact, standard_of: StandardOf) -> AmountOrWhy:
    pct = amount.percent
    if amount.attr is not None:
        base_fen = _whole(fact, amount.attr)
        if base_fen is None:
            return Unavailable(f"缺少 {amount.attr}")
        out = apply_percent(base_fen, pct)
        return AmountResult(out, out, out, False, False, f"{pct}% × {format_yuan(base_fen)}")
    total: AmountResult | None = None
    for ref in amount.items:
        part = standard_of(ref, fact)
        if isinstance(part, Unavailable):
            return Unavailable(f"{ref}: {part.reason}")
        if part.unstated:
            return Unavailable(f"{ref}: {part.branch}")
        total = part if total is None else total.plus(part)
    assert total is not None
    for ref in amount.exclude:
        part = standard_of(ref, fact)
        if isinstance(part, AmountResult) and part.unstated:
            return Unavailable(f"扣除项 {ref}: {part.branch}")
        if isinstance(part, AmountResult):
            total = AmountResult(
                max(total.fen - part.fen, 0),
                max(total.min_fen - part.min_fen, 0),
                max(total.max_fen - part.max_fen, 0),
                total.discretionary,
                total.may_be_more,
                total.branch,
            )
    base = total
    return base.scaled(
        lambda f: apply_percent(f, pct), f"{pct}% × {'+'.join(amount.items)} {_result_text(base)}"
    )


def _money_text(value: MoneyValue) -> str:
    if isinstance(value, FenRange):
        return describe_range(value.min_fen, value.max_fen)
    return format_yuan(value)


def _result_text(result: AmountResult) -> str:
    if result.discretionary and result.min_fen != result.max_fen:
        return describe_range(result.min_fen, result.max_fen)
    return format_yuan(result.fen)


def standard(item_versions: Callable[[str, Fact], Amount | None]) -> StandardOf:
    """standard_of over items' dated versions: another item's amount for this fact, as if it applied."""

    def standard_of(item_id: str, fact: Fact) -> AmountOrWhy:
        amount = item_versions(item_id, fact)
        if amount is None:
            return Unavailable(f"{item_id} 在 {fact.date} 无适用金额")
        return compute(amount, fact, standard_of)

    return standard_of


__all__ = ["AmountOrWhy", "AmountResult", "Decimal", "Unavailable", "compute", "standard"]
