"""Subject attributes as columns over the population (evaluate path; mirrors facts.py)."""

from __future__ import annotations

from datetime import date

import polars as pl

from jineng.policy.engine.facts import RETIREMENT_AGE
from jineng.policy.engine.population import SUBJECT_ATTR


class SubjectAttributes:
    """`series(name, d)`: the attribute on date d for every subject (indexed by sid), cached."""

    def __init__(
        self,
        subjects: pl.DataFrame,
        base_facts: pl.DataFrame,
        cache: dict[tuple[str, date], pl.Series],
    ) -> None:
        self.subjects = subjects
        self.base_facts = base_facts  # visible dossier insurance facts (with a.to)
        self._cache = cache  # shared across evaluations of one population on one date

    def _given(self, name: str) -> pl.Expr:
        col = SUBJECT_ATTR + name
        if col in self.subjects.columns:
            return pl.col(col)
        return pl.lit(None)

    def _age(self, d: date) -> pl.Expr:
        born = pl.col("birth_date")
        before_birthday = pl.lit(d.month * 100 + d.day) < born.dt.month().cast(
            pl.Int32
        ) * 100 + born.dt.day().cast(pl.Int32)
        return (
            pl.lit(d.year, dtype=pl.Int64)
            - born.dt.year().cast(pl.Int64)
            - before_birthday.cast(pl.Int64)
        )

    def _expr(self, name: str, d: date) -> pl.Expr:
        if name in ("kind", "region", "sex"):
            return pl.col(name)
        if name == "id":
            return pl.col("subject_id")
        if name == "age":
            return self._age(d)
        if name == "birth_date":
            return pl.col("birth_date").dt.to_string("%Y-%m-%d")
        if name == "retired":
            statutory = (
                pl.when(pl.col("sex") == "M")
                .then(pl.lit(RETIREMENT_AGE["M"]))
                .when(pl.col("sex") == "F")
                .then(pl.lit(RETIREMENT_AGE["F"]))
            )
            out = self._age(d) >= statutory
            if SUBJECT_ATTR + "retired" in self.subjects.columns:
                out = self._given("retired").cast(pl.Boolean).fill_null(out)
            when = SUBJECT_ATTR + "retirement_date"
            if when in self.subjects.columns and self.subjects.schema[when] == pl.String:
                dated = pl.col(when)
                out = (
                    pl.when(dated.is_not_null() & (dated != ""))
                    .then(dated <= d.isoformat())
                    .otherwise(out)
                )
            return out
        if name == "insured":
            facts = self.base_facts.filter(pl.col("date") <= pl.lit(d))
            if "a.to" in facts.columns and facts.schema["a.to"] == pl.String:
                facts = facts.filter(
                    pl.col("a.to").is_null()
                    | (pl.col("a.to") == "")
                    | (pl.col("a.to") >= d.isoformat())
                )
            computed = pl.col("sid").is_in(facts.get_column("sid").unique().implode())
            if SUBJECT_ATTR + "insured" in self.subjects.columns:
                return self._given("insured").cast(pl.Boolean).fill_null(computed)
            return computed
        return self._given(name)

    def series(self, name: str, d: date) -> pl.Series:
        key = (name, d)
        if key not in self._cache:
            # with_columns broadcasts a literal (an attribute no subject has) to every subject
            self._cache[key] = (
                self.subjects.with_columns(self._expr(name, d).alias("__attr"))
                .get_column("__attr")
                .alias(name)
            )
        return self._cache[key]
