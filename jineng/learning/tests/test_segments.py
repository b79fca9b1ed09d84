"""Property tests of the interval arithmetic behind "never the same segment twice"."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from jineng.learning import segments as seg

intervals = st.lists(
    st.tuples(st.integers(0, 10_000), st.integers(0, 10_000)).map(lambda t: (min(t), max(t))),
    max_size=20,
)
interval = st.tuples(st.integers(0, 10_000), st.integers(0, 10_000)).map(lambda t: (min(t), max(t)))


def covered(intervals_: list[tuple[int, int]]) -> set[int]:
    return {x for a, b in intervals_ for x in range(a, b)}


@given(intervals)
def test_merge_is_sorted_disjoint_and_covers_the_same_points(xs: list[tuple[int, int]]) -> None:
    merged = seg.merge(xs)
    assert all(a < b for a, b in merged)
    assert all(p[1] < q[0] for p, q in zip(merged, merged[1:], strict=False))
    assert covered(merged) == covered(xs)
    assert seg.merge(merged) == merged


@given(intervals, interval)
def test_uncovered_is_exactly_the_new_part(xs: list[tuple[int, int]], iv: tuple[int, int]) -> None:
    merged = seg.merge(xs)
    parts = seg.uncovered(iv, merged)
    assert covered(parts) == covered([iv]) - covered(merged)
    assert seg.total(parts) == len(covered(parts))  # the parts do not overlap each other


@given(intervals, st.integers(-5, 20_000))
def test_truncate_never_exceeds_the_budget(xs: list[tuple[int, int]], budget: int) -> None:
    parts = seg.merge(xs)
    cut = seg.truncate(parts, budget)
    assert seg.total(cut) == min(max(budget, 0), seg.total(parts))
    assert covered(cut) <= covered(parts)
