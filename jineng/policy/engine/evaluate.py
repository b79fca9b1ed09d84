"""Evaluate: every item over a whole population in one column-wise pass (Polars).

The same judgement as explain.py, compiled once per item into column expressions over its
candidate facts (those matching the trigger): validity → beneficiary → conditions → exclusions →
amount → waiting; then the rules as window functions (vrules.py). Python loops over items, layers
and recognition rounds only — never over subjects or facts.

Facts come from the population's FactIndex: narrow partitions per kind in the canonical order
(sid, date, fact_id); an item gathers only the attribute columns it reads (fields.py) by uid from
the wide table. Frame order is the canonical order, so "earliest first" rules need no sort.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from functools import partial
from typing import Any

import polars as pl

from jineng.policy.engine import vrules
from jineng.policy.engine.budget import Budget, WhatIf
from jineng.policy.engine.dates import Duration
from jineng.policy.engine.fields import fact_pred_fields, item_fields
from jineng.policy.engine.index import NARROW_SCHEMA
from jineng.policy.engine.model import (
    ORGANISATION_BENEFICIARIES,
    PERSON_BENEFICIARIES,
    After,
    AttrPred,
    FactPred,
    Item,
    Policies,
    QuotaRule,
    Uplift,
)
from jineng.policy.engine.outcome import STATUS_BY_CODE, Status
from jineng.policy.engine.overrides import Override, apply_overrides
from jineng.policy.engine.population import Population
from jineng.policy.engine.subjects import SubjectAttributes
from jineng.policy.engine.vamounts import AmountCompiler, Cols
from jineng.policy.engine.vexpr import (
    PredicateCompiler,
    compare,
    fact_filter,
    materialise_fact_predicate,
    offset,
    subject_column,
    walk,
)
from jineng.policy.engine.vrules import S, counted

MAX_RECOGNITION_ROUNDS = 10
LINE = ["sid", "uid", "date", "status", "amount_fen", "min_fen", "max_fen"]
LINE_SCHEMA = {
    "sid": pl.UInt32,
    "uid": pl.UInt32,
    "date": pl.Date,
    "status": pl.Int8,
    "amount_fen": pl.Int64,
    "min_fen": pl.Int64,
    "max_fen": pl.Int64,
}
STATUS_ENUM = pl.Enum([str(s) for s in STATUS_BY_CODE.values()])
ZERO = pl.lit(0, dtype=pl.Int64)


class _Facts:
    """The facts seen on the evaluation date: narrow partitions by kind, plus derived facts.

    Derived facts (granted by recognition/title items) get uids after the wide table's rows, a
    `chain` (their id, for the no-self-trigger rule) and `src` (the dossier fact they stem from,
    whose region they carry)."""

    def __init__(self, population: Population, on: date) -> None:
        index = population.index
        self.wide = index.wide
        self.n = index.wide.height
        self.base: dict[str, pl.DataFrame] = {}
        for kind, part in index.parts.items():
            latest = index.max_date[kind]
            if latest is not None and isinstance(latest, date) and latest > on:
                part = part.filter(pl.col("date") <= pl.lit(on))
            self.base[kind] = part
        self.parts = dict(self.base)
        self.derived_kinds: set[str] = set()
        self.ids = index.wide.get_column("fact_id")
        self.empty = pl.DataFrame(schema=NARROW_SCHEMA)

    def of_kind(self, kind: str) -> pl.DataFrame:
        return self.parts.get(kind, self.empty)

    def with_fields(self, frame: pl.DataFrame, columns: Iterable[str]) -> pl.DataFrame:
        """Gather attribute columns by uid (derived facts have none, except region via src)."""
        extra = []
        uid = frame.get_column("uid")
        derived = "src" in frame.columns
        own = (
            frame.select(pl.when(pl.col("uid") < self.n).then(pl.col("uid"))).to_series()
            if derived
            else uid
        )
        for name in sorted(set(columns)):
            if name in frame.columns:
                continue
            if name in self.wide.columns:
                idx = frame.get_column("src") if (derived and name == "region") else own
                extra.append(self.wide.get_column(name).gather(idx).alias(name))
            else:
                extra.append(pl.repeat(None, frame.height, dtype=pl.String, eager=True).alias(name))
        return frame.with_columns(extra) if extra else frame

    def add_derived(self, new: pl.DataFrame) -> None:
        """new: sid, chain (derived id), kind, code, level, lrank, date, src — replaces the last round's."""
        if new.height == 0:
            self.parts = dict(self.base)
            self.derived_kinds = set()
            return
        new = new.with_columns((pl.int_range(pl.len(), dtype=pl.UInt32) + self.n).alias("uid"))
        self.derived_kinds = {str(k) for k in new.get_column("kind").unique().to_list()}
        self.ids = pl.concat([self.wide.get_column("fact_id"), new.get_column("chain")])
        parts = dict(self.base)
        for (kind,), rows in new.partition_by("kind", as_dict=True).items():
            rows = rows.drop("kind")
            base = parts.get(str(kind))
            if base is not None:
                base = base.with_columns(
                    pl.col("uid").alias("src"), pl.lit(None, dtype=pl.String).alias("chain")
                )
                rows = pl.concat([base, rows.select(base.columns)], how="vertical_relaxed")
            fact_id = self.ids.gather(rows.get_column("uid")).alias("fact_id")
            parts[str(kind)] = (
                rows.with_columns(fact_id).sort("sid", "date", "fact_id").drop("fact_id")
            )
        self.parts = parts


class Evaluator:
    def __init__(
        self, population: Population, on: date, policies: Policies, params: Mapping[str, str]
    ) -> None:
        self.facts = _Facts(population, on)
        self.on = on
        self.policies = policies
        self.subjects = population.subjects
        insurance = self.facts.with_fields(
            self.facts.base.get("insurance", self.facts.empty), ["a.to"]
        )
        self.cache = population.index.cache
        cache = population.index.cache.setdefault(("subjects", on), {})
        assert isinstance(cache, dict)
        employment = self.facts.with_fields(
            self.facts.base.get("employment", self.facts.empty),
            ["a.to", "a.region", "region", "fact_id"],
        )
        self.attributes = SubjectAttributes(population.subjects, insurance, cache, employment)
        region = population.subjects.get_column("region")
        regions = population.index.cache.get("regions")
        if not isinstance(regions, pl.Series):
            regions = region.cast(pl.Categorical)
            population.index.cache["regions"] = regions
        self.regions: pl.Series = regions
        self.doc_masks: dict[str, pl.Series] = {}
        self.prefixes: dict[str, str | None] = {}
        for doc in policies.documents:
            prefix = doc.jurisdiction_for(params)
            self.prefixes[doc.id] = prefix
            self.doc_masks[doc.id] = (
                region.str.starts_with(prefix)
                if prefix is not None
                else pl.repeat(False, region.len(), eager=True)
            )
        self.versions_of = {i.id: i.versions for i in policies.items}
        self.item_enum = pl.Enum([i.id for i in policies.items])
        self._doc_parts: dict[tuple[str, str], pl.DataFrame] = {}
        self.results: dict[str, pl.DataFrame] = {}

    # ------------------------------------------------------------------ one item

    def _candidates(self, item: Item) -> pl.DataFrame:
        t = item.trigger
        assert t is not None
        cand = self._in_jurisdiction(item.document_id, t.kind)
        parts = []
        if t.codes is not None:
            parts.append(pl.col("code").is_in(list(t.codes)).fill_null(False))
        if t.levels is not None:
            parts.append(pl.col("level").is_in(list(t.levels)).fill_null(False))
        if parts:
            cand = cand.filter(pl.all_horizontal(parts))
        if item.grants_fact and "chain" in cand.columns:
            # a derived fact does not trigger an item that derived it (explain.derived_chain)
            chain = (pl.col("chain") + ">").str.contains(">" + item.id + ">", literal=True)
            cand = cand.filter(~chain.fill_null(False))
        cand = self.facts.with_fields(cand, item_fields(item, self.versions_of))
        if t.roles is not None:
            cand = cand.filter(compare("a.role", cand.schema, "in", t.roles))
        return cand.with_row_index("row")

    def _in_jurisdiction(self, document_id: str, kind: str) -> pl.DataFrame:
        """Facts of a kind whose subjects the document governs (cached per round of facts)."""
        key = (document_id, kind)
        part = self._doc_parts.get(key)
        if part is None:
            # without derived facts of the kind, the same for any evaluation of this population
            # on this date under this jurisdiction: kept in the population's cache
            shared = ("jurisdiction", self.prefixes[document_id], kind, self.on)
            cached = None if kind in self.facts.derived_kinds else self.cache.get(shared)
            if isinstance(cached, pl.DataFrame):
                part = cached
            else:
                facts = self.facts.of_kind(kind)
                if self.prefixes[document_id] == "":  # national: every subject
                    part = facts
                else:
                    part = facts.filter(self.doc_masks[document_id].gather(facts.get_column("sid")))
                if kind not in self.facts.derived_kinds:
                    self.cache[shared] = part
            self._doc_parts[key] = part
        return part

    def _several(self, kind: str) -> pl.DataFrame:
        """vrules.several_of_a_code for a kind; kept in the population's cache (per date) when
        the kind has no derived facts."""
        if kind in self.facts.derived_kinds:
            return vrules.several_of_a_code(self.facts.of_kind(kind))
        key = ("several", kind, self.on)
        cached = self.cache.get(key)
        if not isinstance(cached, pl.DataFrame):
            cached = vrules.several_of_a_code(self.facts.of_kind(kind))
            self.cache[key] = cached
        return cached

    def _matching(self, pred: FactPred) -> pl.DataFrame:
        facts = self.facts.of_kind(pred.kind)
        if pred.codes is not None:
            facts = facts.filter(pl.col("code").is_in(list(pred.codes)).fill_null(False))
        facts = self.facts.with_fields(facts, fact_pred_fields(pred))
        return facts.filter(fact_filter(pred, facts.schema))

    def _attach(self, item: Item, cand: pl.DataFrame) -> tuple[pl.DataFrame, dict[int, str]]:
        """Subject attributes and fact-predicate columns the item's predicates read."""
        sid = cand.get_column("sid")
        columns: dict[str, pl.Series] = {}
        if item.beneficiary in PERSON_BENEFICIARIES | ORGANISATION_BENEFICIARIES:
            columns["subj:kind"] = self.attributes.series("kind", self.on).gather(sid)
        fact_columns: dict[int, str] = {}
        for pred in (p for top in (*item.conditions, *item.exclusions) for p in walk(top)):
            if isinstance(pred, AttrPred):
                name = subject_column(pred.name, pred.on)
                if name not in columns:
                    columns[name] = self.attributes.series(pred.name, pred.on or self.on).gather(
                        sid
                    )
            elif isinstance(pred, FactPred) and id(pred) not in fact_columns:
                name = f"fp{len(fact_columns)}"
                fact_columns[id(pred)] = name
                columns[name] = materialise_fact_predicate(cand, self._matching(pred), pred)
        return cand.with_columns([s.alias(n) for n, s in columns.items()]), fact_columns

    def _judge(self, item: Item, cand: pl.DataFrame, uplift_base: Cols | None) -> pl.DataFrame:
        cand, fact_columns = self._attach(item, cand)
        pc = PredicateCompiler(cand.schema, self.on, fact_columns)
        hard, waiting_ok = pc.conditions(item.conditions)
        excluded = pc.any_of(item.exclusions)
        day = pl.col("date")
        not_yet = day < pl.lit(item.valid_from) if item.valid_from else pl.lit(False)
        expired = day > pl.lit(item.valid_to) if item.valid_to else pl.lit(False)
        if item.beneficiary in PERSON_BENEFICIARIES:
            failed = (pl.col("subj:kind") != "person") | ~hard
        elif item.beneficiary in ORGANISATION_BENEFICIARIES:
            failed = (pl.col("subj:kind") == "person") | ~hard
        else:
            failed = ~hard
        status: Any = (
            pl.when(not_yet)
            .then(S[Status.NOT_IN_FORCE])
            .when(expired)
            .then(S[Status.EXPIRED])
            .when(failed)
            .then(S[Status.CONDITION_FAILED])
            .when(excluded)
            .then(S[Status.EXCLUDED])
        )
        if not item.pays:
            granted: pl.Expr = (
                status.when(~waiting_ok).then(S[Status.WAITING]).otherwise(S[Status.GRANTED])
            )
            return cand.with_columns(
                granted.alias("status"),
                ZERO.alias("amount_fen"),
                ZERO.alias("min_fen"),
                ZERO.alias("max_fen"),
            )
        amounts = AmountCompiler(cand.schema, self.versions_of, uplift_base).versions(
            item.versions, standard=False
        )
        pending = pl.lit(False)
        if isinstance(item.schedule, After):
            pending = offset(day, Duration(months=item.schedule.months)) > pl.lit(self.on)
        final = status.when(~amounts.ok).then(S[Status.CONDITION_FAILED])
        final = final.when(amounts.disc).then(S[Status.DISCRETIONARY])
        if amounts.unst is not None:
            final = final.when(amounts.unst).then(S[Status.UNSTATED])
        final = final.when(~waiting_ok | pending).then(S[Status.WAITING]).otherwise(S[Status.PAID])
        priced = ~(not_yet | expired | failed | excluded) & amounts.ok
        return cand.with_columns(
            final.alias("status"),
            pl.when(priced).then(amounts.fen).otherwise(ZERO).alias("amount_fen"),
            pl.when(priced).then(amounts.lo).otherwise(ZERO).alias("min_fen"),
            pl.when(priced).then(amounts.hi).otherwise(ZERO).alias("max_fen"),
            (priced & amounts.disc).alias("disc"),
            (priced & amounts.more).alias("more"),
        )

    def _uplift_base(self, item: Item, cand: pl.DataFrame) -> tuple[pl.DataFrame, Cols | None]:
        bases = {v.amount.base_item for v in item.versions if isinstance(v.amount, Uplift)}
        if not bases:
            return cand, None
        (base_id,) = bases
        base = self.results[base_id].select(
            "uid",
            (counted() & (pl.col("status") != S[Status.UNSTATED])).alias("ub:ok"),
            pl.col("amount_fen").alias("ub:fen"),
            pl.col("min_fen").alias("ub:lo"),
            pl.col("max_fen").alias("ub:hi"),
            pl.col("disc").alias("ub:disc"),
            pl.col("more").alias("ub:more"),
        )
        cand = cand.join(base, on="uid", how="left", maintain_order="left")
        cols = Cols(
            pl.col("ub:fen").fill_null(0),
            pl.col("ub:lo").fill_null(0),
            pl.col("ub:hi").fill_null(0),
            pl.col("ub:disc").fill_null(False),
            pl.col("ub:more").fill_null(False),
            pl.col("ub:ok").fill_null(False),
        )
        return cand, cols

    # ------------------------------------------------------------------ recognition

    def _recognise(self) -> list[pl.DataFrame]:
        """Recognition/title items to a fixed point, kept in the population's cache.

        Grants read no amounts, so a re-run on the same date and jurisdictions with the same
        title/recognition items (a what-if changes amounts only) reuses the lines and the derived
        facts of the first run instead of judging them again."""
        grant_items = tuple(i for i in self.policies.items if i.grants_fact)
        key = ("recognition", self.on, tuple(sorted(self.prefixes.items(), key=str)))
        cached = self.cache.get(key)
        categories = tuple(self.item_enum.categories.to_list())
        if isinstance(cached, tuple) and cached[0] == grant_items and cached[1] == categories:
            lines, added = cached[2], cached[3]
            if added is not None:
                self.facts.add_derived(added)
            return list(lines)
        lines, added = self._recognise_rounds(list(grant_items))
        self.cache[key] = (grant_items, categories, tuple(lines), added)
        return lines

    def _recognise_rounds(
        self, grant_items: list[Item]
    ) -> tuple[list[pl.DataFrame], pl.DataFrame | None]:
        """Recognition/title items to a fixed point (explain._recognise): their lines, and the
        derived facts last added to the facts (None if none were).

        After the first round an item is judged again only if derived facts can reach it (its
        trigger kind or a fact it tests is of a kind just derived); otherwise its judgement,
        which reads nothing else that changed, stands."""
        added: pl.DataFrame | None = None
        judged: dict[str, pl.DataFrame] = {}
        derived: dict[str, pl.DataFrame] = {}
        previous = pl.DataFrame(schema={"sid": pl.UInt32, "chain": pl.String})
        changed: set[str] | None = None  # kinds of facts derived in the last round; None: all
        for _round in range(MAX_RECOGNITION_ROUNDS):
            for item in grant_items:
                if changed is None or _reads_kinds(item) & changed:
                    judged[item.id] = self._judge(item, self._candidates(item), None)
                    derived[item.id] = self._derived(item, judged[item.id])
            parts = [d for d in derived.values() if d.height]
            new = pl.concat(parts) if parts else pl.DataFrame()
            ids = new.select("sid", "chain") if new.height else previous.clear()
            if (
                ids.height == previous.height
                and ids.join(previous, on=["sid", "chain"], how="anti").height == 0
            ):
                return [
                    judged[i.id]
                    .select(LINE)
                    .with_columns(pl.lit(i.id, dtype=self.item_enum).alias("item_id"))
                    for i in grant_items
                ], added
            kinds_now = set(new.get_column("kind").unique().to_list()) if new.height else set()
            changed = kinds_now | self.facts.derived_kinds
            previous = ids
            added = new.with_columns(_rank_of_level()) if new.height else new
            self.facts.add_derived(added)
            self._doc_parts = {k: v for k, v in self._doc_parts.items() if k[1] not in changed}
        raise RuntimeError(f"recognition did not settle in {MAX_RECOGNITION_ROUNDS} rounds")

    def _derived(self, item: Item, judged: pl.DataFrame) -> pl.DataFrame:
        """The facts an item's granted entitlements add (explain._recognise)."""
        assert item.grants is not None
        granted = judged.filter(pl.col("status") == S[Status.GRANTED])
        if not granted.height:
            return pl.DataFrame()
        src = granted.get_column("src") if "src" in granted.columns else granted.get_column("uid")
        return granted.select(
            "sid",
            (self.facts.ids.gather(granted.get_column("uid")) + ">" + item.id).alias("chain"),
            pl.lit(item.grants.kind).alias("kind"),
            pl.lit(item.grants.code).cast(pl.Categorical).alias("code"),
            pl.lit(item.grants.level, dtype=pl.String).cast(pl.Categorical).alias("level"),
            pl.lit(0, dtype=pl.Int8).alias("lrank"),
            "date",
            pl.lit(None, dtype=pl.Int64).alias("amount_fen"),
            src.alias("src"),
        )

    # ------------------------------------------------------------------ run

    def run(self) -> Budget:
        """Every entitlement line, as a Budget."""
        parts = self._recognise()
        money = [i for i in self.policies.items if i.pays]
        for layer in sorted({i.layer for i in money}):
            items = [i for i in money if i.layer == layer]
            frames: dict[str, pl.DataFrame] = {}
            for item in items:
                assert item.trigger is not None
                cand, base = self._uplift_base(item, self._candidates(item))
                judged = self._judge(item, cand, base)
                several = partial(self._several, item.trigger.kind)
                frames[item.id] = vrules.item_rules(item, judged, several)
            self._layer_rules(items, frames)
            for item in items:
                self.results[item.id] = frames[item.id]
                parts.append(
                    frames[item.id]
                    .select(LINE)
                    .with_columns(pl.lit(item.id, dtype=self.item_enum).alias("item_id"))
                )
        nonempty = [p for p in parts if p.height]
        lines = (
            pl.concat(nonempty, how="vertical_relaxed")
            if nonempty
            else pl.DataFrame(schema={**LINE_SCHEMA, "item_id": self.item_enum})
        )
        status_names = {code: str(s) for code, s in STATUS_BY_CODE.items()}
        raw = lines.select(
            "sid",
            "uid",
            "item_id",
            "date",
            pl.col("status").replace_strict(status_names, return_dtype=STATUS_ENUM).alias("status"),
            pl.when(counted()).then(pl.col("amount_fen")).otherwise(ZERO).alias("fen"),
            "amount_fen",
            "min_fen",
            "max_fen",
        )
        return Budget(
            on=self.on,
            raw=raw,
            subject_ids=self.subjects.get_column("subject_id"),
            regions=self.regions,
            fact_ids=self.facts.ids,
        )

    def _layer_rules(self, items: list[Item], frames: dict[str, pl.DataFrame]) -> None:
        pools: dict[str, tuple[QuotaRule, list[Item]]] = {}
        for item in items:
            if item.rules.quota is not None:
                pools.setdefault(item.rules.quota.pool, (item.rules.quota, []))[1].append(item)
        ids, regions = self.subjects.get_column("subject_id"), self.subjects.get_column("region")
        for rule, members in pools.values():
            full = vrules.quota(
                rule, [(i, frames[i.id]) for i in members], ids, regions, self.facts.ids
            )
            for item_id, rows in full.items():
                frames[item_id] = vrules.set_status(frames[item_id], rows, Status.QUOTA_FULL)
        beaten = vrules.groups([(i, frames[i.id]) for i in items], self.facts.ids)
        for item_id, rows in beaten.items():
            frames[item_id] = vrules.set_status(frames[item_id], rows, Status.SUPERSEDED)


def _reads_kinds(item: Item) -> set[str]:
    """Fact kinds an item's judgement reads: its trigger's and those its predicates test."""
    kinds = {item.trigger.kind} if item.trigger else set()
    for top in (*item.conditions, *item.exclusions):
        kinds |= {p.kind for p in walk(top) if isinstance(p, FactPred)}
    return kinds


def _rank_of_level() -> pl.Expr:
    from jineng.policy.engine.index import level_rank

    return level_rank(pl.col("level")).alias("lrank")


def evaluate(
    population: Population,
    on: date,
    policies: Policies,
    params: Mapping[str, str] | None = None,
    overrides: Iterable[Override | str] = (),
) -> Budget:
    """Budget of every item over the population on `on` (per-subject lines included)."""
    policies = apply_overrides(policies, overrides)
    return Evaluator(population, on, policies, dict(params or {})).run()


def simulate(
    population: Population,
    on: date,
    policies: Policies,
    params: Mapping[str, str] | None = None,
    overrides: Iterable[Override | str] = (),
) -> WhatIf:
    """The budget with the overrides beside the baseline (the population's index is built once)."""
    changes = tuple(str(o) for o in overrides)
    baseline = evaluate(population, on, policies, params)
    scenario = evaluate(population, on, policies, params, changes) if changes else baseline
    return WhatIf(baseline=baseline, scenario=scenario, overrides=changes)
