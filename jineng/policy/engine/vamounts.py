"""Amount forms as column expressions (evaluate path; mirrors amounts.py).

Each amount compiles to six expressions: counted fen, min, max, discretionary, may-be-more and ok
(computable). Percentages and ratios use exact integer arithmetic with the same ROUND_HALF_UP to
the fen as the Decimal path: round(x·n/d) = (2·x·n + d) // (2·d) for x ≥ 0.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

import polars as pl

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
    Version,
)
from jineng.policy.engine.money import fraction
from jineng.policy.engine.vexpr import Schema, dtype_kind, trigger_column

I64 = pl.Int64


def _i(v: int) -> pl.Expr:
    return pl.lit(v, dtype=I64)


@dataclass(frozen=True)
class Cols:
    fen: pl.Expr
    lo: pl.Expr
    hi: pl.Expr
    disc: pl.Expr
    more: pl.Expr
    ok: pl.Expr
    unst: pl.Expr | None = None  # amount not stated (None: never, for any row)

    def map(self, fn: Callable[[pl.Expr], pl.Expr]) -> Cols:
        return Cols(
            fn(self.fen), fn(self.lo), fn(self.hi), self.disc, self.more, self.ok, self.unst
        )

    def stated_only(self) -> Cols:
        """Not computable where the amount is unstated (a base of uplift / percent_of)."""
        if self.unst is None:
            return self
        return replace(self, ok=self.ok & ~self.unst, unst=None)


UNAVAILABLE = Cols(_i(0), _i(0), _i(0), pl.lit(False), pl.lit(False), pl.lit(False))


def round_half_up(x: pl.Expr, num: int, den: int) -> pl.Expr:
    return (x * (2 * num) + den) // (2 * den)


def percent(x: pl.Expr, pct: Decimal) -> pl.Expr:
    num, den = fraction(pct)
    return round_half_up(x, num, den * 100)


def value(v: MoneyValue) -> Cols:
    if isinstance(v, FenRange):
        return Cols(_i(0), _i(v.min_fen), _i(v.max_fen), pl.lit(True), pl.lit(False), pl.lit(True))
    return Cols(_i(v), _i(v), _i(v), pl.lit(False), pl.lit(False), pl.lit(True))


def int_column(schema: Schema, path: str) -> pl.Expr:
    """An integer trigger field (amounts.py `_whole`): null when absent or not an integer."""
    name = trigger_column(path)
    if dtype_kind(schema.get(name)) != "int":
        return pl.lit(None, dtype=I64)
    return pl.col(name).cast(I64)


def category_column(schema: Schema, path: str) -> pl.Expr:
    """A trigger field as a table key (compare.category_key)."""
    name = trigger_column(path)
    kind = dtype_kind(schema.get(name))
    if kind == "bool":
        return pl.when(pl.col(name)).then(pl.lit("true")).when(~pl.col(name)).then(pl.lit("false"))
    if kind == "int":
        return pl.col(name).cast(pl.String)
    if kind == "str":
        return pl.col(name)
    return pl.lit(None, dtype=pl.String)


def choose(cases: list[tuple[pl.Expr, Cols]], otherwise: Cols) -> Cols:
    """A when/then chain per component (the first true case wins)."""

    def chain(pick: Callable[[Cols], pl.Expr]) -> pl.Expr:
        if not cases:
            return pick(otherwise)
        expr: Any = pl
        for cond, cols in cases:
            expr = expr.when(cond).then(pick(cols))
        out: pl.Expr = expr.otherwise(pick(otherwise))
        return out

    never = all(c.unst is None for c in (otherwise, *(c for _, c in cases)))
    return Cols(
        chain(lambda c: c.fen),
        chain(lambda c: c.lo),
        chain(lambda c: c.hi),
        chain(lambda c: c.disc),
        chain(lambda c: c.more),
        chain(lambda c: c.ok),
        None if never else chain(lambda c: pl.lit(False) if c.unst is None else c.unst),
    )


def _cap(cols: Cols, cap: int | None) -> Cols:
    if cap is None:
        return cols
    return cols.map(lambda e: pl.min_horizontal(e, _i(cap)))


@dataclass(frozen=True)
class AmountCompiler:
    schema: Schema
    versions_of: Mapping[str, tuple[Version, ...]]  # item id → dated versions (for standards)
    uplift_base: Cols | None = None  # the base item's actual result on the same fact (joined)

    def versions(self, versions: tuple[Version, ...], standard: bool) -> Cols:
        """The version in force on each row's trigger date (Item.version_on)."""
        base = UNAVAILABLE
        cases: list[tuple[pl.Expr, Cols]] = []
        for v in reversed(versions):
            cols = self.amount(v.amount, standard)
            if v.valid_from is None:
                base = cols
            else:
                cases.append((pl.col("date") >= pl.lit(v.valid_from, dtype=pl.Date), cols))
        return choose(cases, base)

    def standard(self, item_id: str) -> Cols:
        return self.versions(self.versions_of[item_id], standard=True)

    def amount(self, amount: Amount, standard: bool = False) -> Cols:
        if isinstance(amount, Fixed):
            return value(amount.value)
        if isinstance(amount, Unstated):
            zero = _i(0)
            return Cols(zero, zero, zero, pl.lit(False), pl.lit(False), pl.lit(True), pl.lit(True))
        if isinstance(amount, ByCategory):
            key = category_column(self.schema, amount.key)
            cases = [(key == pl.lit(k), value(v)) for k, v in amount.table.items()]
            return choose(cases, UNAVAILABLE if amount.default is None else value(amount.default))
        if isinstance(amount, RangeAmount):
            return Cols(
                _i(0),
                _i(amount.min_fen),
                _i(amount.max_fen),
                pl.lit(True),
                pl.lit(False),
                pl.lit(True),
            )
        if isinstance(amount, Minimum):
            return Cols(
                _i(amount.value),
                _i(amount.value),
                _i(amount.value),
                pl.lit(False),
                pl.lit(True),
                pl.lit(True),
            )
        if isinstance(amount, Maximum):
            return Cols(
                _i(amount.value), _i(0), _i(amount.value), pl.lit(True), pl.lit(False), pl.lit(True)
            )
        if isinstance(amount, Monthly):
            months = (
                _i(amount.months)
                if isinstance(amount.months, int)
                else int_column(self.schema, amount.months)
            )
            ok = (months > 0).fill_null(False)
            months, ok = self.at_most(months, ok, amount.at_most)
            out = value(amount.value).map(lambda e: e * months)
            return Cols(out.fen, out.lo, out.hi, out.disc, out.more, ok)
        if isinstance(amount, Match):
            external = int_column(self.schema, amount.of)
            has = (external > 0).fill_null(False)
            num, den = fraction(amount.ratio)
            matched = round_half_up(external, num, den)
            m = Cols(matched, matched, matched, pl.lit(False), pl.lit(False), pl.lit(True))
            other = (
                UNAVAILABLE
                if amount.otherwise is None
                else self.amount(amount.otherwise, standard=True)
            )
            return choose([(has, m)], other)
        if isinstance(amount, PerThreshold):
            count = int_column(self.schema, amount.count)
            multiples = count // amount.per
            out = _cap(value(amount.value).map(lambda e: e * multiples), amount.cap)
            return Cols(
                out.fen, out.lo, out.hi, out.disc, out.more, (multiples > 0).fill_null(False)
            )
        if isinstance(amount, PerUnit):
            count = int_column(self.schema, amount.count)
            ok = (count > 0).fill_null(False)
            count, ok = self.at_most(count, ok, amount.at_most)
            out = _cap(value(amount.value).map(lambda e: e * count), amount.cap)
            return Cols(out.fen, out.lo, out.hi, out.disc, out.more, ok)
        if isinstance(amount, PercentOf):
            return self.percent_of(amount)
        if isinstance(amount, Uplift):
            base = (
                self.uplift_base
                if (self.uplift_base is not None and not standard)
                else self.standard(amount.base_item).stated_only()
            )
            pct = amount.percent
            return base.map(lambda e: percent(e, pct))
        raise TypeError(f"unknown amount form {amount!r}")

    def at_most(
        self, count: pl.Expr, ok: pl.Expr, limit_field: str | None
    ) -> tuple[pl.Expr, pl.Expr]:
        """amounts._at_most: the count held to a trigger field; unknown without it."""
        if limit_field is None:
            return count, ok
        limit = int_column(self.schema, limit_field)
        held = pl.when(count > limit).then(limit).otherwise(count)
        return held, ok & (limit > 0).fill_null(False)

    def percent_of(self, amount: PercentOf) -> Cols:
        pct = amount.percent
        if amount.attr is not None:
            base = int_column(self.schema, amount.attr)
            out = percent(base, pct)
            return Cols(out, out, out, pl.lit(False), pl.lit(False), base.is_not_null())
        parts = [self.standard(ref).stated_only() for ref in amount.items]
        total = Cols(
            pl.sum_horizontal([p.fen for p in parts]),
            pl.sum_horizontal([p.lo for p in parts]),
            pl.sum_horizontal([p.hi for p in parts]),
            pl.any_horizontal([p.disc for p in parts]),
            pl.any_horizontal([p.more for p in parts]),
            pl.all_horizontal([p.ok for p in parts]),
        )
        for ref in amount.exclude:
            part = self.standard(ref)
            if part.unst is not None:  # minus an unstated amount: the result is not known
                total = replace(total, ok=total.ok & ~(part.ok & part.unst))
            total = Cols(
                pl.when(part.ok)
                .then(pl.max_horizontal(total.fen - part.fen, _i(0)))
                .otherwise(total.fen),
                pl.when(part.ok)
                .then(pl.max_horizontal(total.lo - part.lo, _i(0)))
                .otherwise(total.lo),
                pl.when(part.ok)
                .then(pl.max_horizontal(total.hi - part.hi, _i(0)))
                .otherwise(total.hi),
                total.disc,
                total.more,
                total.ok,
            )
        return total.map(lambda e: percent(e, pct))


__all__ = ["AmountCompiler", "Cols", "date"]
