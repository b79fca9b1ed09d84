"""Scoring one objective item against its key, through the option order the candidate saw.

Pure: `score_response` needs no database, so the property tests prove that a response read off
the displayed paper maps back to the item's own key. Multiple choice scores only the exact set
(the national practice: 多选、少选、错选均不得分); fill-in only when every blank is right.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

OBJECTIVE = frozenset({"single", "multiple", "true_false", "fill_in"})


def _index(value: Any, size: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < size:
        raise ValueError("选项不存在")
    return int(value)


def _normalise(text: str) -> str:
    return "".join(text.split()).casefold()


def displayed_key(kind: str, key: Any, option_order: tuple[int, ...]) -> Any:
    """The right answer as the candidate sees the paper (positions after the shuffle)."""
    position = {original: shown for shown, original in enumerate(option_order)}
    if kind == "single":
        return position[key]
    if kind == "multiple":
        return sorted(position[k] for k in key)
    return key


def score_response(
    *, kind: str, key: Any, option_order: tuple[int, ...], response: Any, points: Decimal
) -> Decimal | None:
    """Points earned; None for an item an assessor marks. Raises ValueError (Chinese) for a
    response of the wrong shape; None as a response (unanswered) scores 0."""
    if kind not in OBJECTIVE:
        return None
    if response is None:
        return Decimal("0")
    size = len(option_order)
    if kind == "single":
        right = option_order[_index(response, size)] == key
    elif kind == "multiple":
        if not isinstance(response, (list, tuple)):
            raise ValueError("多项选择题的作答应为选项列表")
        chosen = [option_order[_index(r, size)] for r in response]
        if len(set(chosen)) != len(chosen):
            raise ValueError("同一选项选了两次")
        right = sorted(chosen) == sorted(key)
    elif kind == "true_false":
        if not isinstance(response, bool):
            raise ValueError("判断题的作答应为“正确”或“错误”")
        right = response is key
    else:
        if not isinstance(response, (list, tuple)) or not all(isinstance(r, str) for r in response):
            raise ValueError("填空题的作答应为每个空的文字")
        if len(response) != len(key):
            raise ValueError(f"应填{len(key)}个空")
        right = all(
            _normalise(given) in {_normalise(a) for a in accepted}
            for given, accepted in zip(response, key, strict=True)
        )
    return points if right else Decimal("0")
