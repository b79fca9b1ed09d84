"""Property tests of the pure draw and scoring: same seed same paper; every paper satisfies its
rules; option orders are permutations; a response read off the displayed paper scores full."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from jineng.assessment import drawing
from jineng.assessment.scoring import displayed_key, score_response

# A fixed tree: 1 ⊃ {2, 3}, 3 ⊃ {4}; 5 alone.
PARENTS: dict[int, int | None] = {1: None, 2: 1, 3: 1, 4: 3, 5: None}
KINDS = ("single", "multiple", "true_false")


@st.composite
def banks(draw: st.DrawFn) -> tuple[list[drawing.Candidate], list[drawing.Rule]]:
    size = draw(st.integers(min_value=0, max_value=40))
    candidates = [
        drawing.Candidate(
            id=i + 1,
            kind=draw(st.sampled_from(KINDS)),
            difficulty=draw(st.integers(1, 2)),
            point_id=draw(st.sampled_from(sorted(PARENTS))),
            option_count=draw(st.integers(2, 6)),
        )
        for i in range(size)
    ]
    rules = draw(
        st.lists(
            st.builds(
                drawing.Rule,
                section=st.integers(0, 2),
                kind=st.sampled_from(KINDS),
                difficulty=st.integers(1, 2),
                point_id=st.sampled_from(sorted(PARENTS)),
                count=st.integers(1, 4),
                points=st.sampled_from([Decimal("1"), Decimal("2.5")]),
            ),
            max_size=5,
        )
    )
    return candidates, rules


def _under(point: int, ancestor: int) -> bool:
    current: int | None = point
    while current is not None:
        if current == ancestor:
            return True
        current = PARENTS[current]
    return False


@settings(max_examples=300, deadline=None)
@given(banks(), st.text(max_size=8))
def test_draw_is_a_function_of_the_seed_and_meets_every_rule(
    bank: tuple[list[drawing.Candidate], list[drawing.Rule]], seed: str
) -> None:
    candidates, rules = bank
    try:
        paper = drawing.draw(rules, candidates, PARENTS, seed=seed)
    except drawing.Unsatisfiable as err:
        assert err.shortages == drawing.shortages(rules, candidates, PARENTS)
        assert err.shortages
        return
    assert paper == drawing.draw(rules, list(reversed(candidates)), PARENTS, seed=seed)
    by_id = {c.id: c for c in candidates}
    ids = [d.item_id for d in paper]
    assert len(ids) == len(set(ids))  # no item twice
    assert len(paper) == sum(r.count for r in rules)
    # Every rule can be assigned its own items: per section, kind and difficulty, the drawn items
    # under each rule's point are at least what the rules at or beneath it ask for.
    for rule in rules:
        needed = sum(
            r.count
            for r in rules
            if (r.section, r.kind, r.difficulty) == (rule.section, rule.kind, rule.difficulty)
            and _under(r.point_id, rule.point_id)
        )
        have = sum(
            1
            for d in paper
            if d.section == rule.section
            and by_id[d.item_id].kind == rule.kind
            and by_id[d.item_id].difficulty == rule.difficulty
            and _under(by_id[d.item_id].point_id, rule.point_id)
        )
        assert have >= needed
    for section, count in Counter(d.section for d in paper).items():
        assert sorted(d.position for d in paper if d.section == section) == list(range(count))
    for d in paper:
        c = by_id[d.item_id]
        assert sorted(d.option_order) == list(range(c.option_count))
        if c.kind == "true_false":
            assert d.option_order == tuple(range(c.option_count))


@settings(max_examples=200, deadline=None)
@given(banks())
def test_satisfiable_exactly_when_no_shortage(
    bank: tuple[list[drawing.Candidate], list[drawing.Rule]],
) -> None:
    candidates, rules = bank
    found = drawing.shortages(rules, candidates, PARENTS)
    for seed in ("a", "b"):
        try:
            drawing.draw(rules, candidates, PARENTS, seed=seed)
        except drawing.Unsatisfiable:
            assert found
        else:
            assert not found


@settings(max_examples=300, deadline=None)
@given(
    st.integers(2, 8).flatmap(
        lambda n: st.tuples(
            st.permutations(list(range(n))),
            st.lists(st.integers(0, n - 1), min_size=2, max_size=n, unique=True),
        )
    ),
    st.sampled_from(["single", "multiple"]),
)
def test_displayed_key_scores_full_and_any_other_answer_zero(
    case: tuple[list[int], list[int]], kind: str
) -> None:
    order, picks = case
    option_order = tuple(order)
    key: object = picks[0] if kind == "single" else sorted(picks)
    points = Decimal("2.5")
    right = displayed_key(kind, key, option_order)
    assert (
        score_response(kind=kind, key=key, option_order=option_order, response=right, points=points)
        == points
    )
    if kind == "single":
        wrong = [d for d in range(len(order)) if d != right]
        for response in wrong:
            assert score_response(
                kind=kind, key=key, option_order=option_order, response=response, points=points
            ) == Decimal("0")
    else:
        assert isinstance(right, list)
        fewer = right[:-1]
        assert score_response(
            kind=kind, key=key, option_order=option_order, response=fewer, points=points
        ) == Decimal("0")
    assert score_response(
        kind=kind, key=key, option_order=option_order, response=None, points=points
    ) == Decimal("0")


@given(
    st.lists(
        st.lists(st.text(min_size=1, max_size=5).filter(str.strip), min_size=1, max_size=3),
        min_size=1,
        max_size=4,
    )
)
def test_fill_in_accepts_any_listed_answer_ignoring_spaces(key: list[list[str]]) -> None:
    response = [" " + accepted[-1] + " " for accepted in key]
    score = score_response(
        kind="fill_in", key=key, option_order=(), response=response, points=Decimal("3")
    )
    assert score == Decimal("3")
