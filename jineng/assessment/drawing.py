"""Drawing a paper from a blueprint: pure Python, no Django, so it can be proved by property tests.

A blueprint's rules ask, per section, for `count` items of one kind and difficulty under one
knowledge point (鉴定要素: the point and everything beneath it). Subtrees of a tree are laminar —
two are nested or disjoint — so the rules of one kind and difficulty can all be met exactly when,
for every rule's point, the rules at that point or beneath it ask for no more items than the
subtree holds (Hall's condition reduces to these sets for a laminar family). Drawing the deepest
rules first then always succeeds: a rule finds at least what it needs left in its subtree, since
the deeper rules took only what the condition already counted.

The draw is a function of the seed alone: the candidates are sorted by id, one `random.Random`
seeded with a string (hashed with SHA-512 by Python, the same on every machine and version ≥ 3.2)
picks items, orders each section and shuffles each choice item's options.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

# Kinds whose options are shuffled (true/false keeps 正确/错误 in place).
SHUFFLED_KINDS = frozenset({"single", "multiple"})


@dataclass(frozen=True)
class Candidate:
    """An approved item the draw may use: its kind, difficulty, knowledge point, option count."""

    id: int
    kind: str
    difficulty: int
    point_id: int
    option_count: int = 0


@dataclass(frozen=True)
class Rule:
    """`count` items of `kind` and `difficulty` under `point_id`, worth `points` each."""

    section: int  # the section's position in the blueprint, from 0
    kind: str
    difficulty: int
    point_id: int
    count: int
    points: Decimal


@dataclass(frozen=True)
class Shortage:
    """A rule the bank cannot meet: the rules at or beneath `point_id` of this kind and
    difficulty need `needed` items, the subtree holds `available`."""

    rule: Rule
    needed: int
    available: int


@dataclass(frozen=True)
class Drawn:
    section: int
    position: int  # in the section, from 0
    item_id: int
    points: Decimal
    option_order: tuple[int, ...]  # displayed option i is the item's option option_order[i]


def _ancestors(point_id: int, parents: Mapping[int, int | None]) -> list[int]:
    """The point itself and every point above it."""
    chain: list[int] = []
    current: int | None = point_id
    while current is not None and current not in chain:
        chain.append(current)
        current = parents.get(current)
    return chain


def _depth(point_id: int, parents: Mapping[int, int | None]) -> int:
    return len(_ancestors(point_id, parents))


def _pools(
    candidates: Sequence[Candidate], parents: Mapping[int, int | None]
) -> dict[tuple[str, int, int], list[Candidate]]:
    """(kind, difficulty, point) → the candidates at that point or beneath it, sorted by id."""
    pools: dict[tuple[str, int, int], list[Candidate]] = defaultdict(list)
    for c in sorted(candidates, key=lambda c: c.id):
        for point in _ancestors(c.point_id, parents):
            pools[(c.kind, c.difficulty, point)].append(c)
    return pools


def shortages(
    rules: Sequence[Rule],
    candidates: Sequence[Candidate],
    parents: Mapping[int, int | None],
) -> list[Shortage]:
    """Every rule whose subtree cannot supply the rules at or beneath it (empty: satisfiable)."""
    pools = _pools(candidates, parents)
    found: list[Shortage] = []
    for rule in rules:
        if rule.count <= 0:
            continue
        needed = sum(
            r.count
            for r in rules
            if r.kind == rule.kind
            and r.difficulty == rule.difficulty
            and rule.point_id in _ancestors(r.point_id, parents)
        )
        available = len(pools.get((rule.kind, rule.difficulty, rule.point_id), []))
        if needed > available:
            found.append(Shortage(rule, needed, available))
    return found


class Unsatisfiable(ValueError):
    def __init__(self, found: list[Shortage]) -> None:
        self.shortages = found
        super().__init__(f"{len(found)} rule(s) cannot be met")


def option_order(rng: random.Random, kind: str, option_count: int) -> tuple[int, ...]:
    order = list(range(option_count))
    if kind in SHUFFLED_KINDS:
        rng.shuffle(order)
    return tuple(order)


def draw(
    rules: Sequence[Rule],
    candidates: Sequence[Candidate],
    parents: Mapping[int, int | None],
    *,
    seed: str,
    shuffle_items: bool = True,
) -> list[Drawn]:
    """The paper for `seed`: each rule's items drawn without replacement (deepest rules first),
    each section's items shuffled, each choice item's options shuffled. Raises `Unsatisfiable`."""
    found = shortages(rules, candidates, parents)
    if found:
        raise Unsatisfiable(found)
    rng = random.Random(seed)
    pools = _pools(candidates, parents)
    by_id = {c.id: c for c in candidates}
    taken: set[int] = set()
    picked: dict[int, list[tuple[int, Decimal]]] = defaultdict(list)
    # Deepest first; ties in the order the rules were given, so the order is the seed's alone.
    ordered = sorted(enumerate(rules), key=lambda ir: (-_depth(ir[1].point_id, parents), ir[0]))
    for _, rule in ordered:
        if rule.count <= 0:
            continue
        pool = [
            c.id
            for c in pools.get((rule.kind, rule.difficulty, rule.point_id), [])
            if c.id not in taken
        ]
        chosen = rng.sample(pool, rule.count)
        taken.update(chosen)
        picked[rule.section] += [(item_id, rule.points) for item_id in chosen]
    paper: list[Drawn] = []
    for section in sorted(picked):
        entries = sorted(picked[section])  # a canonical order first, then the seed's permutation
        if shuffle_items:
            rng.shuffle(entries)
        for position, (item_id, points) in enumerate(entries):
            c = by_id[item_id]
            paper.append(
                Drawn(section, position, item_id, points, option_order(rng, c.kind, c.option_count))
            )
    return paper
