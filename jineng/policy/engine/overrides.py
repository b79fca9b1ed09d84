"""What-if overrides: `ITEM.PARAM=VALUE@DATE`, e.g. `hz.worldskills.medal.table.gold=1500000@2024-01-01`.

PARAM is a path into the item's amount form (`value`, `table.gold`, `table.gold.max`, `min`, `max`,
`percent`, `ratio`, `months`, `per`, `cap`, `default`, `otherwise.table.gold`). Money is yuan, and a
money VALUE may be a range `150000-300000`. With `@DATE` the change is a new dated version from
DATE on (it also applies to versions that start later); without it, it applies to every version.
Facts are still judged under the version in force on their own date.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, cast

from jineng.policy.engine.errors import PolicyError
from jineng.policy.engine.model import (
    Amount,
    ByCategory,
    FenRange,
    Fixed,
    Item,
    Match,
    MoneyValue,
    Policies,
    RangeAmount,
    Unstated,
    Version,
)
from jineng.policy.engine.money import to_decimal, yuan_to_fen


@dataclass(frozen=True)
class Override:
    item_id: str
    path: tuple[str, ...]
    value: str
    valid_from: date | None

    def __str__(self) -> str:
        at = f"@{self.valid_from.isoformat()}" if self.valid_from else ""
        return f"{self.item_id}.{'.'.join(self.path)}={self.value}{at}"


def parse_override(text: str, policies: Policies) -> Override:
    if "=" not in text:
        raise PolicyError(f"override {text!r}: expected ITEM.PARAM=VALUE[@YYYY-MM-DD]")
    left, right = text.split("=", 1)
    value, _, when = right.partition("@")
    ids = sorted(
        (i.id for i in policies.items if left.startswith(i.id + ".")), key=len, reverse=True
    )
    if not ids:
        raise PolicyError(f"override {text!r}: no loaded item is a prefix of {left!r}")
    try:
        valid_from = date.fromisoformat(when) if when else None
    except ValueError:
        raise PolicyError(f"override {text!r}: bad date {when!r}") from None
    return Override(ids[0], tuple(left[len(ids[0]) + 1 :].split(".")), value.strip(), valid_from)


def _money(raw: str) -> MoneyValue:
    if "-" in raw:
        low, high = raw.split("-", 1)
        return FenRange(yuan_to_fen(low.strip()), yuan_to_fen(high.strip()))
    return yuan_to_fen(raw)


def _number(raw: str) -> Any:
    return to_decimal(raw)


def _patch_money(current: MoneyValue | None, path: tuple[str, ...], raw: str) -> MoneyValue:
    if not path:
        return _money(raw)
    if path in (("min",), ("max",)):
        low, high = (
            (current.min_fen, current.max_fen)
            if isinstance(current, FenRange)
            else (current or 0, current or 0)
        )
        fen = yuan_to_fen(raw)
        low, high = (fen, high) if path == ("min",) else (low, fen)
        return FenRange(low, high) if low != high else low
    raise ValueError(f"unknown money path {'.'.join(path)}")


_MONEY_FIELDS = {"value", "cap", "default"}
_NUMBER_FIELDS = {"percent", "ratio"}
_COUNT_FIELDS = {"months", "per"}


def _replace(amount: Amount, name: str, value: Any) -> Amount:
    out: Amount = dataclasses.replace(cast(Any, amount), **{name: value})
    return out


def patch_amount(amount: Amount, path: tuple[str, ...], raw: str) -> Amount:
    head, rest = path[0], path[1:]
    if isinstance(amount, Unstated) and head == "value" and not rest:
        return Fixed(_money(raw))  # a what-if: the amount the text leaves unstated, assumed
    if isinstance(amount, RangeAmount) and head in ("min", "max") and not rest:
        fen = yuan_to_fen(raw)
        return _replace(amount, f"{head}_fen", fen)
    if isinstance(amount, ByCategory) and head == "table" and rest:
        table = dict(amount.table)
        table[rest[0]] = _patch_money(table.get(rest[0]), rest[1:], raw)
        return dataclasses.replace(amount, table=table)
    if isinstance(amount, Match) and head == "otherwise" and rest and amount.otherwise is not None:
        return dataclasses.replace(amount, otherwise=patch_amount(amount.otherwise, rest, raw))
    if not hasattr(amount, head):
        raise ValueError(f"{type(amount).__name__} has no parameter {head!r}")
    if head in _MONEY_FIELDS:
        current = getattr(amount, head)
        if head == "cap" and rest:
            raise ValueError("cap is a single amount")
        return _replace(amount, head, _patch_money(current, rest, raw))
    if head in _NUMBER_FIELDS and not rest:
        return _replace(amount, head, _number(raw))
    if head in _COUNT_FIELDS and not rest:
        return _replace(amount, head, int(raw))
    raise ValueError(f"cannot set {'.'.join(path)} on {type(amount).__name__}")


def _apply(item: Item, override: Override) -> Item:
    if not item.versions:
        raise PolicyError("has no amount to override", item=item.id)
    try:
        if override.valid_from is None:
            versions = tuple(
                Version(v.valid_from, patch_amount(v.amount, override.path, override.value))
                for v in item.versions
            )
        else:
            d = override.valid_from
            in_force = item.version_on(d)
            if in_force is None:
                raise ValueError(f"no amount in force on {d}")
            earlier = [v for v in item.versions if v.valid_from is None or v.valid_from < d]
            later = [
                Version(v.valid_from, patch_amount(v.amount, override.path, override.value))
                for v in item.versions
                if v.valid_from is not None and v.valid_from > d
            ]
            new = Version(d, patch_amount(in_force.amount, override.path, override.value))
            versions = (*earlier, new, *later)
    except (ValueError, TypeError) as exc:
        raise PolicyError(f"override {override}: {exc}", item=item.id) from None
    return dataclasses.replace(item, versions=versions)


def apply_overrides(policies: Policies, overrides: Iterable[Override | str]) -> Policies:
    parsed: Sequence[Override] = [
        o if isinstance(o, Override) else parse_override(o, policies) for o in overrides
    ]
    if not parsed:
        return policies
    items = {i.id: i for i in policies.items}
    for override in parsed:
        items[override.item_id] = _apply(items[override.item_id], override)
    return Policies(policies.documents, tuple(items[i.id] for i in policies.items))
