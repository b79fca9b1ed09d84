"""Half-open integer intervals [start, end) of a lesson's media, in milliseconds: the arithmetic of
"never the same segment twice". Pure functions, property-tested (tests/test_segments.py)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

Interval = tuple[int, int]


def merge(intervals: Iterable[Sequence[int]]) -> list[Interval]:
    """Sorted, disjoint, non-touching intervals covering exactly the union of `intervals`."""
    out: list[Interval] = []
    for start, end in sorted((int(a), int(b)) for a, b in intervals if int(b) > int(a)):
        if out and start <= out[-1][1]:
            if end > out[-1][1]:
                out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out


def uncovered(interval: Interval, merged: Sequence[Sequence[int]]) -> list[Interval]:
    """The parts of `interval` that no interval of `merged` (sorted, disjoint) covers."""
    start, end = interval
    parts: list[Interval] = []
    cursor = start
    for a, b in merged:
        if b <= cursor:
            continue
        if a >= end:
            break
        if a > cursor:
            parts.append((cursor, min(a, end)))
        cursor = max(cursor, b)
        if cursor >= end:
            break
    if cursor < end:
        parts.append((cursor, end))
    return parts


def truncate(parts: Sequence[Interval], budget: int) -> list[Interval]:
    """The leading parts of `parts` whose total length is at most `budget`."""
    out: list[Interval] = []
    for a, b in parts:
        if budget <= 0:
            break
        take = min(b - a, budget)
        out.append((a, a + take))
        budget -= take
    return out


def total(intervals: Iterable[Sequence[int]]) -> int:
    return sum(int(b) - int(a) for a, b in intervals)
