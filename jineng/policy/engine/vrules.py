"""Rules as window functions over candidate frames (evaluate path; mirrors rules.py).

Frames are in the canonical fact order (sid, date, fact_id) with a `row` index, so "earliest
first" is frame order and needs no sort.
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from jineng.policy.engine.model import Item, QuotaRule
from jineng.policy.engine.outcome import COUNTED, STATUS_CODE, Status

S = {s: pl.lit(code, dtype=pl.Int8) for s, code in STATUS_CODE.items()}
COUNTED_CODES = pl.Series([STATUS_CODE[s] for s in COUNTED], dtype=pl.Int8)


def counted() -> pl.Expr:
    return pl.col("status").is_in(COUNTED_CODES.implode())


def set_status(frame: pl.DataFrame, rows: pl.Series, status: Status) -> pl.DataFrame:
    if rows.len() == 0:
        return frame
    hit = pl.col("row").is_in(rows.implode())
    return frame.with_columns(
        pl.when(hit).then(S[status]).otherwise(pl.col("status")).alias("status")
    )


def _packed(keys: list[str], schema: pl.Schema) -> pl.Expr | None:
    """(sid, code[, level]) packed into one UInt64 when the keys are categorical trigger fields —
    hashing one integer is cheaper than hashing a struct. None when another key is involved."""
    rest = [k for k in keys if k != "kind"]  # the trigger kind is the same on every row
    if not set(rest) <= {"code", "level"} or any(
        not isinstance(schema.get(k), pl.Categorical) for k in rest
    ):
        return None
    key = pl.col("sid").cast(pl.UInt64) * (1 << 32)
    if "code" in rest:
        key = key + pl.col("code").to_physical().cast(pl.UInt64).fill_null((1 << 24) - 1) * 256
    if "level" in rest:
        key = key + pl.col("level").to_physical().cast(pl.UInt64).fill_null(255)
    return key


def _fits(frame: pl.DataFrame) -> bool:
    """The physical category ids fit the packing (code < 2**24 − 1, level < 255)."""
    if frame.height == 0:
        return True
    top = frame.select(
        pl.col("code").to_physical().max().fill_null(0).alias("c"),
        pl.col("level").to_physical().max().fill_null(0).alias("l"),
    ).row(0)
    return bool(top[0] < (1 << 24) - 1 and top[1] < 255)


def once(frame: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """Within (subject, keys) only the earliest counted entitlement stays."""
    missing = [k for k in keys if k not in frame.columns]
    if missing:
        frame = frame.with_columns([pl.lit(None, dtype=pl.String).alias(k) for k in missing])
    candidates = frame.filter(counted())
    packed = _packed(keys, frame.schema)
    # frame order is earliest first, so the first distinct (subject, keys) is the one kept
    if packed is not None and _fits(candidates):
        first = packed.is_first_distinct()
    else:
        first = pl.struct(["sid", *keys]).is_first_distinct()
    dup = candidates.filter(~first).get_column("row")
    return set_status(frame, dup, Status.ONCE_ALREADY)


def several_of_a_code(same_kind: pl.DataFrame) -> pl.DataFrame:
    """The facts of subjects holding more than one fact of the same code (the only ones where a
    level can be lower than another)."""
    packed = _packed(["code"], same_kind.schema)
    if packed is not None and _fits(same_kind):
        return same_kind.filter(packed.is_duplicated())
    return same_kind.filter(pl.struct(["sid", "code"]).is_duplicated())


def no_lower_after_higher(frame: pl.DataFrame, several: pl.DataFrame) -> pl.DataFrame:
    """`several`: several_of_a_code() of the trigger kind's facts (sid, code, lrank, date)."""
    mine = frame.filter(
        counted() & pl.col("uid").is_in(several.get_column("uid").implode())
    ).select("row", "sid", "code", "date", pl.col("lrank").alias("rank"))
    if mine.height == 0:
        return frame
    higher = several.select(
        "sid", "code", pl.col("date").alias("hdate"), pl.col("lrank").alias("hrank")
    ).filter(pl.col("hrank") > 0)
    joined = mine.join(higher, on=["sid", "code"], nulls_equal=True).filter(
        (pl.col("hdate") <= pl.col("date")) & (pl.col("hrank") > pl.col("rank"))
    )
    return set_status(frame, joined.get_column("row").unique(), Status.LOWER_AFTER_HIGHER)


def per_year(frame: pl.DataFrame, cap: int) -> pl.DataFrame:
    """Beyond `cap` counted entitlements per subject and calendar year, earliest first. In frame
    order a (subject, year) is one contiguous run, so the rank is the distance to the run's start."""
    candidates = frame.filter(counted())
    year = pl.col("date").dt.year()
    index = pl.int_range(pl.len(), dtype=pl.Int64)
    starts = (pl.col("sid") != pl.col("sid").shift(1)) | (year != year.shift(1))
    start = pl.when(starts.fill_null(True)).then(index).otherwise(None).forward_fill()
    over_cap = candidates.filter(index - start >= cap)
    return set_status(frame, over_cap.get_column("row"), Status.YEARLY_CAP)


def item_rules(
    item: Item, frame: pl.DataFrame, several: Callable[[], pl.DataFrame]
) -> pl.DataFrame:
    from jineng.policy.engine.vexpr import trigger_column

    if item.rules.once is not None:
        frame = once(frame, [trigger_column(f) for f in item.rules.once])
    if item.rules.no_lower_after_higher:
        frame = no_lower_after_higher(frame, several())
    if item.rules.per_year is not None:
        frame = per_year(frame, item.rules.per_year)
    return frame


TIE_COLUMNS = {
    "level": "t:level",
    "date": "date",
    "subject_id": "subject_id",
    "fact_id": "fact_id",
    "fen": "t:fen",
}


def quota(
    rule: QuotaRule,
    members: list[tuple[Item, pl.DataFrame]],
    subject_ids: pl.Series,
    regions: pl.Series,
    fact_ids: pl.Series,
) -> dict[str, pl.Series]:
    """Rows (per item id) beyond the quota, in tie-break order then subject, item and fact ids."""
    from jineng.policy.engine.vexpr import trigger_column

    attr_fields = sorted({t.field for t in rule.tie_break if t.field.startswith("attrs.")})
    parts = []
    for item, frame in members:
        rows = frame.filter(counted())
        for field in attr_fields:
            if trigger_column(field) not in rows.columns:
                rows = rows.with_columns(pl.lit(None, dtype=pl.String).alias(trigger_column(field)))
        sid = rows.get_column("sid")
        parts.append(
            rows.select(
                "row",
                "date",
                pl.lit(item.id).alias("item_id"),
                pl.col("lrank").alias("t:level"),
                pl.col("amount_fen").alias("t:fen"),
                *[pl.col(trigger_column(f)).alias("t:" + f) for f in attr_fields],
            ).with_columns(
                subject_ids.gather(sid).alias("subject_id"),
                fact_ids.gather(rows.get_column("uid")).alias("fact_id"),
                (
                    regions.gather(sid)
                    if rule.scope == "region"
                    else pl.repeat("", sid.len(), eager=True)
                ).alias("pool_region"),
            )
        )
    pool = pl.concat(parts, how="diagonal_relaxed")
    if pool.height == 0:
        return {}
    by = [TIE_COLUMNS.get(t.field, "t:" + t.field) for t in rule.tie_break] + [
        "subject_id",
        "item_id",
        "fact_id",
    ]
    descending = [t.descending for t in rule.tie_break] + [False, False, False]
    period = pl.col("date").dt.year() if rule.per_year is not None else pl.lit(0)
    limit = rule.per_year if rule.per_year is not None else rule.total
    assert limit is not None
    ranked = pool.sort(by, descending=descending, nulls_last=True).with_columns(
        period.alias("period")
    )
    places = ["pool_region", "period"]
    if rule.unit == "subject":
        # a subject's place is its first (best) row; all its rows share it
        first = pl.struct([*places, "subject_id"]).is_first_distinct().cast(pl.Int64)
        place = first.cum_sum().over(places)
        ranked = ranked.with_columns(place.alias("place"))
        full = ranked.filter(pl.col("place").first().over([*places, "subject_id"]) > limit)
    else:
        full = ranked.filter(pl.int_range(pl.len()).over(places) >= limit)
    return {
        item.id: full.filter(pl.col("item_id") == item.id).get_column("row") for item, _ in members
    }


def groups(members: list[tuple[Item, pl.DataFrame]], fact_ids: pl.Series) -> dict[str, pl.Series]:
    """Rows (per item id) superseded within 就高 groups: per subject and group the highest counted
    amount stays (ties: larger maximum, stated before unstated, earlier date, smaller item id,
    smaller fact id)."""
    parts = [
        frame.filter(counted()).select(
            "row",
            "sid",
            pl.col("uid")
            .map_batches(lambda uid: fact_ids.gather(uid), return_dtype=pl.String)
            .alias("fact_id"),
            "date",
            "amount_fen",
            "max_fen",
            (pl.col("status") == S[Status.UNSTATED]).alias("unstated"),
            pl.lit(item.id).alias("item_id"),
            pl.lit(item.rules.group.id).alias("group"),
        )
        for item, frame in members
        if item.rules.group is not None
    ]
    if not parts:
        return {}
    ranked = pl.concat(parts).sort(
        ["sid", "group", "amount_fen", "max_fen", "unstated", "date", "item_id", "fact_id"],
        descending=[False, False, True, True, False, False, False, False],
    )
    beaten = ranked.filter(pl.int_range(pl.len()).over(["sid", "group"]) > 0)
    return {
        item.id: beaten.filter(pl.col("item_id") == item.id).get_column("row")
        for item, _ in members
    }
