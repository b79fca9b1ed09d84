"""Rules across entitlements (explain path): once, no lower after higher, per year, quota, group.

Order, identical in evaluate: per item and subject `once` → `no_lower_after_higher` → `per_year`;
then quotas across the population; then 就高 groups per subject. Only entitlements whose status
counts (paid, discretionary, waiting) take part; earlier facts win (date, then fact id).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from jineng.policy.engine.amounts import AmountResult
from jineng.policy.engine.facts import Fact
from jineng.policy.engine.levels import level_rank
from jineng.policy.engine.model import Item, QuotaRule
from jineng.policy.engine.outcome import COUNTED, Status


@dataclass
class Draft:
    """An entitlement being judged (mutable until the rules have run)."""

    subject_id: str
    region: str
    item: Item
    fact: Fact
    status: Status
    reason: str = ""
    amount: AmountResult | None = None
    version_from: date | None = None

    @property
    def counted(self) -> bool:
        return self.status in COUNTED

    @property
    def fen(self) -> int:
        return self.amount.fen if self.amount is not None and self.counted else 0

    def order_key(self) -> tuple[date, str]:
        return (self.fact.date, self.fact.id)


def apply_once(item: Item, drafts: Sequence[Draft]) -> None:
    """once: [fields] — once per subject per value of these trigger fields, earliest kept."""
    if item.rules.once is None:
        return
    seen: dict[tuple[Any, ...], Draft] = {}
    for d in sorted((d for d in drafts if d.counted), key=Draft.order_key):
        key = tuple(d.fact.field_value(f) for f in item.rules.once)
        if key in seen:
            d.status = Status.ONCE_ALREADY
            d.reason = f"已就同一{'、'.join(item.rules.once) or '项目'}享受过一次 (事实 {seen[key].fact.id})"
        else:
            seen[key] = d


def apply_no_lower_after_higher(item: Item, drafts: Sequence[Draft], facts: Sequence[Fact]) -> None:
    """A lower level after a higher one of the same kind and code (any fact dated ≤ it) is not paid."""
    if not item.rules.no_lower_after_higher:
        return
    for d in drafts:
        if not d.counted:
            continue
        rank = level_rank(d.fact.level)
        higher = [
            f
            for f in facts
            if f.kind == d.fact.kind
            and f.code == d.fact.code
            and f.date <= d.fact.date
            and level_rank(f.level) > rank
        ]
        if higher:
            d.status = Status.LOWER_AFTER_HIGHER
            d.reason = f"此前已取得更高等级 {higher[0].level} (事实 {higher[0].id})"


def apply_per_year(item: Item, drafts: Sequence[Draft]) -> None:
    cap = item.rules.per_year
    if cap is None:
        return
    counts: dict[int, int] = {}
    for d in sorted((d for d in drafts if d.counted), key=Draft.order_key):
        year = d.fact.date.year
        counts[year] = counts.get(year, 0) + 1
        if counts[year] > cap:
            d.status = Status.YEARLY_CAP
            d.reason = f"{year} 年已达每年最多 {cap} 次"


def apply_item_rules(item: Item, drafts: Sequence[Draft], facts: Sequence[Fact]) -> None:
    apply_once(item, drafts)
    apply_no_lower_after_higher(item, drafts, facts)
    apply_per_year(item, drafts)


# ----------------------------------------------------------------------------- quota


def _tie_value(d: Draft, name: str) -> Any:
    if name == "level":
        return level_rank(d.fact.level)
    if name == "date":
        return d.fact.date
    if name == "subject_id":
        return d.subject_id
    if name == "fact_id":
        return d.fact.id
    if name == "fen":
        return d.fen
    return d.fact.field_value(name)


def _stable_sort(rows: list[Draft], key: Callable[[Draft], Any], descending: bool) -> list[Draft]:
    """Stable sort with None always last (as Polars' nulls_last)."""
    present = [r for r in rows if key(r) is not None]
    missing = [r for r in rows if key(r) is None]
    return sorted(present, key=key, reverse=descending) + missing


def quota_order(rule: QuotaRule, drafts: Iterable[Draft]) -> list[Draft]:
    """Rank by the rule's tie-break, then subject id, item id, fact id (all ascending)."""
    rows = list(drafts)
    keys: list[tuple[str, bool]] = [(t.field, t.descending) for t in rule.tie_break]
    keys += [("subject_id", False), ("item_id", False), ("fact_id", False)]
    for name, descending in reversed(keys):
        if name == "item_id":
            rows = sorted(rows, key=lambda r: r.item.id)
        else:
            rows = _stable_sort(rows, lambda r, n=name: _tie_value(r, n), descending)  # type: ignore[misc]
    return rows


def apply_quotas(drafts: Sequence[Draft]) -> None:
    """Within each quota pool and period (year of the trigger, or all time for `total`), the first N
    counted entitlements in tie-break order keep their status; the others are quota_full. With
    `unit: subject` the first N subjects (each placed by its best entitlement) keep all theirs."""
    pools: dict[tuple[str, str, int], list[Draft]] = {}
    rules: dict[str, QuotaRule] = {}
    for d in drafts:
        rule = d.item.rules.quota
        if rule is None or not d.counted:
            continue
        rules[rule.pool] = rule
        period = d.fact.date.year if rule.per_year is not None else 0
        region = d.region if rule.scope == "region" else ""
        pools.setdefault((rule.pool, region, period), []).append(d)
    for (pool, _region, period), members in pools.items():
        rule = rules[pool]
        limit = rule.per_year if rule.per_year is not None else rule.total
        assert limit is not None
        ranked = quota_order(rule, members)
        scope = f"{period} 年" if rule.per_year is not None else "期内"
        if rule.unit == "subject":
            # one place per subject: subjects ranked by their best entitlement; an admitted
            # subject keeps every entitlement of the pool and period
            place: dict[str, int] = {}
            for d in ranked:
                place.setdefault(d.subject_id, len(place) + 1)
            for d in ranked:
                rank = place[d.subject_id]
                if rank > limit:
                    d.status = Status.QUOTA_FULL
                    d.reason = (
                        f"名额已满:{scope}名额 {limit} 人,排名第 {rank} / {len(place)} 人 ({pool})"
                    )
            continue
        for rank, d in enumerate(ranked, start=1):
            if rank > limit:
                d.status = Status.QUOTA_FULL
                d.reason = f"名额已满:{scope}名额 {limit},排名第 {rank} / {len(ranked)} ({pool})"


# ----------------------------------------------------------------------------- groups


def apply_groups(drafts: Sequence[Draft]) -> None:
    """就高、不重复享受: per subject and group, only the highest counted amount is kept
    (ties: larger maximum, a stated amount before an unstated one, earlier date, smaller item
    id, smaller fact id)."""
    groups: dict[tuple[str, str], list[Draft]] = {}
    for d in drafts:
        if d.item.rules.group is not None and d.counted:
            groups.setdefault((d.subject_id, d.item.rules.group.id), []).append(d)
    for (_subject, group_id), members in groups.items():
        best = min(
            members,
            key=lambda d: (
                -d.fen,
                -(d.amount.max_fen if d.amount else 0),
                d.status is Status.UNSTATED,
                d.fact.date,
                d.item.id,
                d.fact.id,
            ),
        )
        for d in members:
            if d is not best:
                d.status = Status.SUPERSEDED
                d.reason = f"就高不重复:由 {best.item.id} 取代 (组 {group_id})"
