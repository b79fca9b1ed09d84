"""Budgets from entitlement lines: per item, year (of the trigger fact) and region; what-if deltas."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cached_property

import polars as pl

from jineng.policy.engine.outcome import COUNTED

COUNTED_NAMES = [str(s) for s in COUNTED]


@dataclass(frozen=True)
class Budget:
    """Entitlement lines of a population and their budget.

    `raw` holds integer keys (sid, uid) so that a budget costs no string work; `lines` resolves
    subject and fact ids on first use. Columns of `lines`: subject_id, item_id, fact_id, date,
    status, fen (counted), amount_fen, min_fen, max_fen, region. `table`: item_id, year, region,
    status, count, fen, min_fen, max_fen (counted statuses only)."""

    on: date
    raw: (
        pl.DataFrame
    )  # sid, uid, item_id (Enum), date, status (Enum), fen, amount_fen, min_fen, max_fen
    subject_ids: pl.Series
    regions: pl.Series  # per sid, Categorical
    fact_ids: pl.Series  # per uid

    @cached_property
    def lines(self) -> pl.DataFrame:
        sid, uid = self.raw.get_column("sid"), self.raw.get_column("uid")
        return self.raw.select(
            self.subject_ids.gather(sid).alias("subject_id"),
            pl.col("item_id").cast(pl.String),
            self.fact_ids.gather(uid).alias("fact_id"),
            "date",
            "status",
            "fen",
            "amount_fen",
            "min_fen",
            "max_fen",
            self.regions.gather(sid).cast(pl.String).alias("region"),
        )

    @cached_property
    def table(self) -> pl.DataFrame:
        counted = self.raw.filter(pl.col("status").is_in(COUNTED_NAMES))
        return (
            counted.with_columns(self.regions.gather(counted.get_column("sid")).alias("region"))
            .group_by("item_id", pl.col("date").dt.year().alias("year"), "region", "status")
            .agg(
                pl.len().alias("count"),
                pl.col("fen").sum(),
                pl.col("min_fen").sum(),
                pl.col("max_fen").sum(),
            )
            .with_columns(
                pl.col("item_id").cast(pl.String),
                pl.col("region").cast(pl.String),
                pl.col("status").cast(pl.String),
            )
            .sort("item_id", "year", "region", "status")
        )

    @property
    def total_fen(self) -> int:
        return int(self.raw.get_column("fen").sum() or 0)

    def by_item(self) -> pl.DataFrame:
        """Per item: paid, discretionary (range), unstated (amount not stated, 0 fen) and waiting
        counts and amounts, and the total."""
        return _by(self.table, ["item_id"])

    def by_item_year(self) -> pl.DataFrame:
        return _by(self.table, ["item_id", "year"])


def _by(table: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    def part(status: str, column: str) -> pl.Expr:
        return pl.col(column).filter(pl.col("status") == status).sum()

    return (
        table.group_by(keys)
        .agg(
            pl.col("count").filter(pl.col("status") == "paid").sum().alias("paid_count"),
            part("paid", "fen").alias("paid_fen"),
            pl.col("count")
            .filter(pl.col("status") == "discretionary")
            .sum()
            .alias("discretionary_count"),
            part("discretionary", "fen").alias("discretionary_fen"),
            part("discretionary", "min_fen").alias("discretionary_min_fen"),
            part("discretionary", "max_fen").alias("discretionary_max_fen"),
            pl.col("count").filter(pl.col("status") == "unstated").sum().alias("unstated_count"),
            pl.col("count").filter(pl.col("status") == "waiting").sum().alias("waiting_count"),
            part("waiting", "fen").alias("waiting_fen"),
            pl.col("fen").sum().alias("total_fen"),
        )
        .sort(keys)
    )


@dataclass(frozen=True)
class WhatIf:
    baseline: Budget
    scenario: Budget
    overrides: tuple[str, ...]

    def delta_by_item_year(self) -> pl.DataFrame:
        base = self.baseline.by_item_year().select(
            "item_id", "year", pl.col("total_fen").alias("baseline_fen")
        )
        new = self.scenario.by_item_year().select(
            "item_id", "year", pl.col("total_fen").alias("scenario_fen")
        )
        return _delta(base, new, ["item_id", "year"])

    def delta_by_item(self) -> pl.DataFrame:
        base = self.baseline.by_item().select("item_id", pl.col("total_fen").alias("baseline_fen"))
        new = self.scenario.by_item().select("item_id", pl.col("total_fen").alias("scenario_fen"))
        return _delta(base, new, ["item_id"])

    @property
    def delta_fen(self) -> int:
        return self.scenario.total_fen - self.baseline.total_fen


def _delta(base: pl.DataFrame, new: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    return (
        base.join(new, on=keys, how="full", coalesce=True)
        .with_columns(pl.col("baseline_fen").fill_null(0), pl.col("scenario_fen").fill_null(0))
        .with_columns((pl.col("scenario_fen") - pl.col("baseline_fen")).alias("delta_fen"))
        .sort(keys)
    )
