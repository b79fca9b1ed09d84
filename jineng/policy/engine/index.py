"""The population's facts indexed for evaluation, built once per population and cached.

Narrow partitions per fact kind in the canonical order (sid, date, fact_id), superseded facts
removed: sid, uid (the row in the wide table), code and level as Categorical, lrank (level
order), date, amount_fen. Attribute columns stay in the wide table and are gathered by uid only
for the candidate rows of the items that read them; fact ids are gathered only for output and
tie-breaks.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from jineng.policy.engine.facts import OCCUPATION_CODE, OCCUPATION_CODE_KINDS
from jineng.policy.engine.levels import LEVEL_RANK

NARROW_SCHEMA = {
    "sid": pl.UInt32,
    "uid": pl.UInt32,
    "code": pl.Categorical,
    "level": pl.Categorical,
    "lrank": pl.Int8,
    "date": pl.Date,
    "amount_fen": pl.Int64,
}


def occupation_column(wide: pl.DataFrame) -> pl.Expr:
    """facts.occupation_of over columns: attrs.occupation (a non-empty string) when given; else
    the code of a certificate or apprenticeship, or a training code shaped like an occupation."""
    name = "a.occupation"
    stated = (
        pl.when(pl.col(name) != "").then(pl.col(name))
        if name in wide.columns and wide.schema[name] == pl.String
        else pl.lit(None, dtype=pl.String)
    )
    kind, code = pl.col("kind"), pl.col("code").cast(pl.String)
    by_code = (
        pl.when(kind.is_in(sorted(OCCUPATION_CODE_KINDS)))
        .then(code)
        .when((kind == "training") & code.str.contains(f"^{OCCUPATION_CODE.pattern}$"))
        .then(code)
    )
    return pl.coalesce(stated, by_code)


def level_rank(expr: pl.Expr) -> pl.Expr:
    return expr.cast(pl.String).replace_strict(dict(LEVEL_RANK), default=0, return_dtype=pl.Int8)


@dataclass
class FactIndex:
    wide: pl.DataFrame  # sorted facts, every column (uid = row)
    parts: dict[str, pl.DataFrame]  # kind → narrow partition
    max_date: dict[str, object]
    cache: dict[object, object] = field(default_factory=dict)  # per-date subject attributes

    @classmethod
    def build(cls, wide: pl.DataFrame) -> FactIndex:
        wide = wide.with_columns(occupation_column(wide).alias("occupation"))
        narrow = wide.select(
            "sid",
            pl.int_range(pl.len(), dtype=pl.UInt32).alias("uid"),
            "kind",
            pl.col("code").cast(pl.Categorical),
            pl.col("level").cast(pl.Categorical),
            level_rank(pl.col("level")).alias("lrank"),
            "date",
            pl.col("amount_fen").cast(pl.Int64),
        )
        if "supersedes" in wide.columns and wide.get_column("supersedes").list.len().sum():
            superseded = (
                wide.select("sid", pl.col("supersedes").alias("fact_id"))
                .explode("fact_id")
                .drop_nulls()
                .unique()
                .join(
                    wide.select(
                        "sid", "fact_id", pl.int_range(pl.len(), dtype=pl.UInt32).alias("uid")
                    ),
                    on=["sid", "fact_id"],
                )
            )
            narrow = narrow.filter(~pl.col("uid").is_in(superseded.get_column("uid").implode()))
        parts = {
            str(key[0]): frame.drop("kind")
            for key, frame in narrow.partition_by("kind", as_dict=True, maintain_order=True).items()
        }
        return cls(
            wide=wide,
            parts=parts,
            max_date={k: v.get_column("date").max() for k, v in parts.items()},
        )
