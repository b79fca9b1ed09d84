"""Comparison semantics shared by both engine paths.

Unknown values (None) and values of another type never satisfy eq/in/lt/le/gt/ge/under; they always
satisfy ne/not_in. Types are bool, int, str and date; bool is not an int here.
"""

from __future__ import annotations

from datetime import date
from typing import Any

NEGATIVE_OPS = frozenset({"ne", "not_in"})


def kind_of(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, str):
        return "str"
    if isinstance(value, date):
        return "date"
    return "other"


def compare(left: Any, op: str, right: Any) -> bool:
    values = right if isinstance(right, tuple) else (right,)
    lk = kind_of(left)
    same = [v for v in values if lk is not None and kind_of(v) == lk]
    if op == "under":
        return lk == "str" and any(str(left).startswith(v) for v in same)
    if op in ("eq", "in"):
        return any(left == v for v in same)
    if op in ("ne", "not_in"):
        return not any(left == v for v in same)
    if not same:
        return False
    v = same[0]
    if op == "lt":
        return bool(left < v)
    if op == "le":
        return bool(left <= v)
    if op == "gt":
        return bool(left > v)
    if op == "ge":
        return bool(left >= v)
    raise ValueError(f"unknown op {op}")


def category_key(value: Any) -> str | None:
    """A fact value as a by_category table key (booleans as true/false, like YAML keys)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
