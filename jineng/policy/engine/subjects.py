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
        employment: pl.DataFrame | None = None,
    ) -> None:
        self.subjects = subjects
        self.base_facts = base_facts  # visible dossier insurance facts (with a.to)
        # visible employment facts (sid, date, fact_id, region, a.region, a.to), for work_region
        # and years_in_city when the subject does not state them (facts.work_region_on …)
        self.employment = employment
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
        if name == "work_region":
            return self._stated_or("work_region", pl.String(), self._work_region(d))
        if name == "years_in_city":
            return self._stated_or("years_in_city", pl.Int64(), self._years_in_city(d))
        return self._given(name)

    def _stated_or(self, name: str, dtype: pl.DataType, derived: pl.Expr | None) -> pl.Expr:
        """The stated attribute where given (not null), else the value derived from employment."""
        col = SUBJECT_ATTR + name
        stated = self.subjects.schema.get(col)
        if derived is None:
            return self._given(name)
        if stated is None or stated == pl.Null:
            return derived
        if stated.is_integer() and dtype == pl.Int64:
            return pl.coalesce(pl.col(col).cast(pl.Int64), derived)
        if stated == dtype:
            return pl.coalesce(pl.col(col), derived)
        return pl.col(col)  # another type: never derived (an attribute keeps one type)

    def _jobs(self, d: date) -> pl.DataFrame | None:
        """Employment facts dated ≤ d with their region, attrs.to (raw) and end (a date)."""
        emp = self.employment
        if emp is None or emp.height == 0:
            return None
        emp = emp.filter(pl.col("date") <= pl.lit(d))
        if emp.height == 0:
            return None
        schema = emp.schema
        own = pl.col("region") if schema.get("region") == pl.String else pl.lit(None, pl.String)
        attr = (
            pl.col("a.region") if schema.get("a.region") == pl.String else pl.lit(None, pl.String)
        )
        region = pl.when(own.is_not_null() & (own != "")).then(own).otherwise(attr).fill_null("")
        to = pl.col("a.to") if schema.get("a.to") == pl.String else pl.lit(None, pl.String)
        iso = to.str.contains(r"^\d{4}-\d{2}-\d{2}$").fill_null(False)
        end_date = pl.when(iso).then(to.str.to_date("%Y-%m-%d", strict=False))
        return emp.select(
            "sid",
            "date",
            "fact_id",
            region.alias("job_region"),
            to.alias("to"),
            pl.min_horizontal(end_date.fill_null(pl.lit(d)), pl.lit(d)).alias("end"),
        )

    def _by_sid(self, frame: pl.DataFrame, column: str, dtype: pl.DataType) -> pl.Expr:
        return pl.col("sid").replace_strict(
            frame.get_column("sid"), frame.get_column(column), default=None, return_dtype=dtype
        )

    def _work_region(self, d: date) -> pl.Expr | None:
        jobs = self._jobs(d)
        if jobs is None:
            return None
        iso = d.isoformat()
        current = (
            jobs.filter(pl.col("to").is_null() | (pl.col("to") == "") | (pl.col("to") >= iso))
            .sort("sid", "date", "fact_id")
            .group_by("sid", maintain_order=True)
            .last()
            .with_columns(pl.col("job_region").replace("", None))
        )
        return self._by_sid(current, "job_region", pl.String())

    def _years_in_city(self, d: date) -> pl.Expr | None:
        jobs = self._jobs(d)
        if jobs is None:
            return None
        work = self._stated_or("work_region", pl.String(), self._work_region(d))
        city = self.subjects.select(
            "sid",
            pl.coalesce(
                pl.when(work.cast(pl.String) != "").then(work.cast(pl.String)),
                pl.col("region"),
                pl.lit(""),
            )
            .str.slice(0, 4)
            .alias("city"),
        )
        spans = (
            jobs.join(city, on="sid", how="left")
            .filter(
                (pl.col("city").str.len_chars() > 0)
                & pl.col("job_region").str.starts_with(pl.col("city"))
            )
            .sort("sid", "date", "end")
            .with_columns(pl.col("end").cum_max().shift(1).over("sid").alias("cursor"))
            .with_columns(
                (pl.col("end") - pl.max_horizontal("date", "cursor"))
                .dt.total_days()
                .clip(lower_bound=0)
                .alias("days")
            )
            .group_by("sid")
            .agg((pl.col("days").sum() // 365).cast(pl.Int64).alias("years"))
        )
        has_jobs = pl.col("sid").is_in(jobs.get_column("sid").unique().implode())
        years = self._by_sid(spans, "years", pl.Int64()).fill_null(0)
        return pl.when(has_jobs).then(years).otherwise(pl.lit(None, dtype=pl.Int64))

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
