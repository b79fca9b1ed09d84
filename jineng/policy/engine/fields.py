"""Which trigger-fact fields an item reads (so evaluate gathers only those attribute columns)."""

from __future__ import annotations

from collections.abc import Mapping

from jineng.policy.engine.model import (
    Amount,
    ByCategory,
    FactPred,
    Item,
    Match,
    Monthly,
    PercentOf,
    PerThreshold,
    PerUnit,
    TriggerPred,
    Uplift,
    Version,
)
from jineng.policy.engine.vexpr import trigger_column, walk


def amount_fields(
    amount: Amount | None,
    versions_of: Mapping[str, tuple[Version, ...]],
    seen: frozenset[str] = frozenset(),
) -> set[str]:
    if amount is None:
        return set()
    out: set[str] = set()
    if isinstance(amount, ByCategory):
        out.add(amount.key)
    elif isinstance(amount, Monthly):
        if isinstance(amount.months, str):
            out.add(amount.months)
        if amount.at_most is not None:
            out.add(amount.at_most)
    elif isinstance(amount, Match):
        out.add(amount.of)
        out |= amount_fields(amount.otherwise, versions_of, seen)
    elif isinstance(amount, PerThreshold | PerUnit):
        out.add(amount.count)
        if isinstance(amount, PerUnit) and amount.at_most is not None:
            out.add(amount.at_most)
    elif isinstance(amount, PercentOf):
        if amount.attr:
            out.add(amount.attr)
        for ref in (*amount.items, *amount.exclude):
            if ref not in seen:
                for v in versions_of.get(ref, ()):
                    out |= amount_fields(v.amount, versions_of, seen | {ref})
    elif isinstance(amount, Uplift) and amount.base_item not in seen:
        for v in versions_of.get(amount.base_item, ()):
            out |= amount_fields(v.amount, versions_of, seen | {amount.base_item})
    return out


def item_fields(item: Item, versions_of: Mapping[str, tuple[Version, ...]]) -> set[str]:
    """Frame columns (`a.<name>`, issuer …) the item's trigger, predicates, amounts and rules read."""
    fields: set[str] = set()
    if item.trigger is not None and item.trigger.roles is not None:
        fields.add("attrs.role")
    for top in (*item.conditions, *item.exclusions):
        for pred in walk(top):
            if isinstance(pred, TriggerPred):
                fields.add(pred.field)
    for version in item.versions:
        fields |= amount_fields(version.amount, versions_of)
    fields |= set(item.rules.once or ())
    if item.rules.quota is not None:
        fields |= {t.field for t in item.rules.quota.tie_break if t.field.startswith("attrs.")}
    return {trigger_column(f) for f in fields}


def fact_pred_fields(pred: FactPred) -> set[str]:
    out = {"a." + name for name in pred.attrs}
    if pred.roles is not None:
        out.add("a.role")
    return out


def _amount_refs(amount: Amount | None) -> set[str]:
    if isinstance(amount, Uplift):
        return {amount.base_item}
    if isinstance(amount, PercentOf):
        return {*amount.items, *amount.exclude}
    if isinstance(amount, Match):
        return _amount_refs(amount.otherwise)
    return set()


def referenced_items(item: Item) -> set[str]:
    """Items whose amounts this item's amounts read (uplift bases, percent_of items)."""
    return {ref for v in item.versions for ref in _amount_refs(v.amount)}
