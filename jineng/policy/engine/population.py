"""A population as columns: the input of evaluate().

`subjects`: one row per subject; `sid` is the row index (UInt32). Columns: sid, subject_id, kind,
region, sex, birth_date (Date), and one column `s.<name>` per subject attribute.
`facts`: one row per fact. Columns: sid, fact_id, kind, code, level, date (Date), amount_fen
(Int64), issuer, region, supersedes (List[String]), and one column `a.<name>` per fact attribute.

An attribute keeps one type (bool, int or str) across the population; a mix is an error, because
the two engine paths could not then compare it the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import polars as pl

from jineng.policy.engine.compare import kind_of
from jineng.policy.engine.errors import FactsError
from jineng.policy.engine.facts import SubjectFacts
from jineng.policy.engine.index import FactIndex

SUBJECT_ATTR = "s."
FACT_ATTR = "a."
_DTYPES: Mapping[str, pl.DataType] = {"bool": pl.Boolean(), "int": pl.Int64(), "str": pl.String()}


FACT_ORDER = ["sid", "date", "fact_id"]


@dataclass(frozen=True)
class Population:
    """`facts_sorted`: the facts are in FACT_ORDER (evaluate relies on row order for "earliest
    first" rules and sorts once itself otherwise)."""

    subjects: pl.DataFrame
    facts: pl.DataFrame
    facts_sorted: bool = False

    def __len__(self) -> int:
        return self.subjects.height

    def sorted(self) -> Population:
        if self.facts_sorted:
            return self
        return Population(self.subjects, self.facts.sort(FACT_ORDER), True)

    @cached_property
    def index(self) -> FactIndex:
        """Narrow per-kind partitions, built on first evaluation and reused (what-if runs)."""
        return FactIndex.build(self.sorted().facts)


def _attr_columns(
    rows: Sequence[Mapping[str, Any]], prefix: str, what: str
) -> dict[str, pl.Series]:
    names = sorted({k for r in rows for k in r})
    out: dict[str, pl.Series] = {}
    for name in names:
        values = [r.get(name) for r in rows]
        kinds = {kind_of(v) for v in values} - {None}
        if len(kinds) > 1:
            raise FactsError(
                f"{what} attribute {name!r} mixes types {sorted(k or '' for k in kinds)}"
            )
        kind = next(iter(kinds), None) or "str"
        if kind not in _DTYPES:
            raise FactsError(f"{what} attribute {name!r} has unsupported values ({kind})")
        out[prefix + name] = pl.Series(prefix + name, values, dtype=_DTYPES[kind])
    return out


def population_from_subject_facts(population: Iterable[SubjectFacts]) -> Population:
    """Columns from parsed facts documents (building the input; evaluation itself is columnar)."""
    subjects = list(population)
    ids = [sf.subject.id for sf in subjects]
    if len(set(ids)) != len(ids):
        raise FactsError("duplicate subject ids in the population")
    s_attrs = _attr_columns([sf.subject.attrs for sf in subjects], SUBJECT_ATTR, "subject")
    subject_frame = pl.DataFrame(
        {
            "sid": pl.Series(range(len(subjects)), dtype=pl.UInt32),
            "subject_id": pl.Series(ids, dtype=pl.String),
            "kind": pl.Series([sf.subject.kind for sf in subjects], dtype=pl.String),
            "region": pl.Series([sf.subject.region for sf in subjects], dtype=pl.String),
            "sex": pl.Series([sf.subject.sex for sf in subjects], dtype=pl.String),
            "birth_date": pl.Series([sf.subject.birth_date for sf in subjects], dtype=pl.Date),
            **s_attrs,
        }
    )
    facts = [(sid, f) for sid, sf in enumerate(subjects) for f in sf.facts]
    f_attrs = _attr_columns([f.attrs for _, f in facts], FACT_ATTR, "fact")
    fact_frame = pl.DataFrame(
        {
            "sid": pl.Series([sid for sid, _ in facts], dtype=pl.UInt32),
            "fact_id": pl.Series([f.id for _, f in facts], dtype=pl.String),
            "kind": pl.Series([f.kind for _, f in facts], dtype=pl.String),
            "code": pl.Series([f.code for _, f in facts], dtype=pl.String),
            "level": pl.Series([f.level for _, f in facts], dtype=pl.String),
            "date": pl.Series([f.date for _, f in facts], dtype=pl.Date),
            "amount_fen": pl.Series([f.amount_fen for _, f in facts], dtype=pl.Int64),
            "issuer": pl.Series([f.issuer for _, f in facts], dtype=pl.String),
            "region": pl.Series([f.region for _, f in facts], dtype=pl.String),
            "supersedes": pl.Series(
                [list(f.supersedes) for _, f in facts], dtype=pl.List(pl.String)
            ),
            **f_attrs,
        }
    )
    return Population(subject_frame, fact_frame).sorted()


def subject_facts_of(population: Population, sids: Iterable[int]) -> list[SubjectFacts]:
    """Rows back to facts documents for the given subjects (for explain over a sample)."""
    from jineng.policy.engine.facts import Fact, Subject

    wanted = pl.Series("sid", sorted(set(sids)), dtype=pl.UInt32)
    subjects = population.subjects.filter(pl.col("sid").is_in(wanted.implode()))
    facts = population.facts.filter(pl.col("sid").is_in(wanted.implode()))
    by_sid: dict[int, list[Fact]] = {}
    fact_attrs = [c for c in facts.columns if c.startswith(FACT_ATTR)]
    for row in facts.iter_rows(named=True):
        attrs = {c[len(FACT_ATTR) :]: row[c] for c in fact_attrs if row[c] is not None}
        by_sid.setdefault(row["sid"], []).append(
            Fact(
                id=row["fact_id"],
                kind=row["kind"],
                date=row["date"],
                code=row["code"],
                level=row["level"],
                amount_fen=row["amount_fen"],
                issuer=row.get("issuer"),
                region=row.get("region"),
                attrs=attrs,
                supersedes=tuple(row.get("supersedes") or ()),
            )
        )
    subject_attrs = [c for c in subjects.columns if c.startswith(SUBJECT_ATTR)]
    out = []
    for row in subjects.iter_rows(named=True):
        attrs = {c[len(SUBJECT_ATTR) :]: row[c] for c in subject_attrs if row[c] is not None}
        subject = Subject(
            id=row["subject_id"],
            kind=row["kind"],
            region=row["region"],
            birth_date=row["birth_date"],
            sex=row["sex"],
            attrs=attrs,
        )
        out.append(SubjectFacts(subject, tuple(by_sid.get(row["sid"], ()))))
    return out
