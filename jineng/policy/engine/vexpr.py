"""Column expressions for comparisons and predicates (evaluate path; mirrors compare.py and
predicates.py exactly — the property tests hold the two paths equal)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date

import polars as pl

from jineng.policy.engine.compare import kind_of
from jineng.policy.engine.dates import Duration, polars_offset
from jineng.policy.engine.model import (
    AllPred,
    AnyPred,
    AttrPred,
    ElapsedPred,
    FactPred,
    NotPred,
    Predicate,
    Scalar,
    TriggerPred,
)

Schema = Mapping[str, pl.DataType]


def dtype_kind(dtype: pl.DataType | None) -> str | None:
    if dtype is None or dtype == pl.Null:
        return None
    if dtype == pl.Boolean:
        return "bool"
    if dtype.is_integer():
        return "int"
    if dtype == pl.String or isinstance(dtype, pl.Categorical | pl.Enum):
        return "str"
    if dtype == pl.Date:
        return "date"
    return "other"


def compare(name: str, schema: Schema, op: str, value: Scalar | tuple[Scalar, ...]) -> pl.Expr:
    """compare.compare() over a column; a missing column is all-null."""
    values = value if isinstance(value, tuple) else (value,)
    kind = dtype_kind(schema.get(name))
    same = [v for v in values if kind is not None and kind_of(v) == kind]
    negative = op in ("ne", "not_in")
    if not same:
        return pl.lit(negative)
    col = pl.col(name)
    categorical = isinstance(schema.get(name), pl.Categorical | pl.Enum)
    if categorical and op not in ("eq", "in", "ne", "not_in"):
        col = col.cast(pl.String)
    if op == "under":
        if kind != "str":
            return pl.lit(False)
        expr = pl.any_horizontal([col.str.starts_with(str(v)) for v in same])
        return expr.fill_null(False)
    if op in ("eq", "in", "ne", "not_in"):
        hit = col.is_in(list(same)) if len(same) > 1 else col == pl.lit(same[0])
        return (~hit).fill_null(True) if negative else hit.fill_null(False)
    v = same[0]
    ops: dict[str, Callable[[pl.Expr, pl.Expr], pl.Expr]] = {
        "lt": lambda a, b: a < b,
        "le": lambda a, b: a <= b,
        "gt": lambda a, b: a > b,
        "ge": lambda a, b: a >= b,
    }
    return ops[op](col, pl.lit(v)).fill_null(False)


def offset(expr: pl.Expr, duration: Duration, sign: int = 1) -> pl.Expr:
    months, days = polars_offset(duration, sign)
    return expr.dt.offset_by(months).dt.offset_by(days)


def trigger_column(field_name: str) -> str:
    return "a." + field_name[6:] if field_name.startswith("attrs.") else field_name


def subject_column(name: str, on: date | None) -> str:
    return f"subj:{name}" if on is None else f"subj:{name}@{on.isoformat()}"


def walk(pred: Predicate) -> Iterator[Predicate]:
    yield pred
    if isinstance(pred, AnyPred | AllPred):
        for p in pred.preds:
            yield from walk(p)
    elif isinstance(pred, NotPred):
        yield from walk(pred.pred)


@dataclass(frozen=True)
class PredicateCompiler:
    """Compiles predicates over a candidate frame whose fact-predicate columns are materialised
    (`fact_columns`: id(FactPred) → column) and subject attributes attached (`subj:<name>`)."""

    schema: Schema
    on: date
    fact_columns: Mapping[int, str]

    def at_least(self, pred: ElapsedPred) -> pl.Expr:
        if pred.at_least is None:
            return pl.lit(True)
        return offset(pl.col("date"), pred.at_least) <= pl.lit(self.on)

    def at_most(self, pred: ElapsedPred) -> pl.Expr:
        if pred.at_most is None:
            return pl.lit(True)
        return pl.lit(self.on) <= offset(pl.col("date"), pred.at_most)

    def expr(self, pred: Predicate) -> pl.Expr:
        if isinstance(pred, AttrPred):
            return compare(subject_column(pred.name, pred.on), self.schema, pred.op, pred.value)
        if isinstance(pred, TriggerPred):
            return compare(trigger_column(pred.field), self.schema, pred.op, pred.value)
        if isinstance(pred, FactPred):
            return pl.col(self.fact_columns[id(pred)])
        if isinstance(pred, ElapsedPred):
            return self.at_least(pred) & self.at_most(pred)
        if isinstance(pred, AnyPred):
            return pl.any_horizontal([self.expr(p) for p in pred.preds])
        if isinstance(pred, AllPred):
            return pl.all_horizontal([self.expr(p) for p in pred.preds])
        if isinstance(pred, NotPred):
            return ~self.expr(pred.pred)
        raise TypeError(f"unknown predicate {pred!r}")

    def conditions(self, conditions: tuple[Predicate, ...]) -> tuple[pl.Expr, pl.Expr]:
        """(all hard conditions hold, no top-level elapsed at_least is pending) — judge_conditions."""
        hard: list[pl.Expr] = [pl.lit(True)]
        waiting_ok: list[pl.Expr] = [pl.lit(True)]
        for pred in conditions:
            if isinstance(pred, ElapsedPred):
                hard.append(self.at_most(pred))
                waiting_ok.append(self.at_least(pred))
            else:
                hard.append(self.expr(pred))
        return pl.all_horizontal(hard), pl.all_horizontal(waiting_ok)

    def any_of(self, preds: tuple[Predicate, ...]) -> pl.Expr:
        if not preds:
            return pl.lit(False)
        return pl.any_horizontal([self.expr(p) for p in preds])


def fact_filter(pred: FactPred, schema: Schema) -> pl.Expr:
    """The static part of a fact predicate (everything not relative to the trigger), over the
    partition of pred.kind."""
    parts = [pl.lit(True)]
    if pred.codes is not None:
        parts.append(pl.col("code").is_in(list(pred.codes)).fill_null(False))
    if pred.levels is not None:
        parts.append(pl.col("level").is_in(list(pred.levels)).fill_null(False))
    if pred.roles is not None:
        parts.append(compare("a.role", schema, "in", pred.roles))
    for name, values in pred.attrs.items():
        parts.append(compare("a." + name, schema, "in", values))
    return pl.all_horizontal(parts)


def materialise_fact_predicate(
    cand: pl.DataFrame, matching: pl.DataFrame, pred: FactPred
) -> pl.Series:
    """For each candidate row: does the subject have a matching fact (predicates.fact_matches)?
    `matching`: the subject facts of pred.kind already filtered by fact_filter()."""
    if not pred.same_code and not pred.same_level and pred.within is None:
        return cand.get_column("sid").is_in(matching.get_column("sid").unique().implode())
    keys = ["sid"] + (["code"] if pred.same_code else []) + (["level"] if pred.same_level else [])
    left = cand.select(["row", *keys, "date"])
    right = matching.select([*keys, pl.col("date").alias("fdate")])
    joined = left.join(right, on=keys, how="inner", nulls_equal=True)
    if pred.within is not None:
        if pred.within.direction == "after":
            low, high = pl.col("date"), offset(pl.col("date"), pred.within.duration)
        else:
            low, high = offset(pl.col("date"), pred.within.duration, -1), pl.col("date")
        joined = joined.filter((pl.col("fdate") >= low) & (pl.col("fdate") <= high))
    return cand.get_column("row").is_in(joined.get_column("row").unique().implode())
