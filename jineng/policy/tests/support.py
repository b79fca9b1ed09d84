"""Test helpers: build subjects and facts tersely, and run both engine paths at once."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from jineng.policy.engine.evaluate import evaluate
from jineng.policy.engine.explain import explain_population
from jineng.policy.engine.facts import AttrValue, Fact, Subject, SubjectFacts
from jineng.policy.engine.loader import DATA_DIR, load_policies
from jineng.policy.engine.model import Policies
from jineng.policy.engine.outcome import Entitlement, Explanation
from jineng.policy.engine.population import population_from_subject_facts

FIXTURES = Path(__file__).resolve().parent / "fixtures"
REGION = "990001"


@cache
def fixture_policies() -> Policies:
    """The test fixture (one item per form) with the national base."""
    return load_policies([DATA_DIR / "national_base.yaml", FIXTURES / "tx.yaml"])


def fact(
    fact_id: str,
    kind: str,
    on: str,
    code: str | None = None,
    level: str | None = None,
    amount_fen: int | None = None,
    supersedes: Sequence[str] = (),
    **attrs: AttrValue,
) -> Fact:
    return Fact(
        id=fact_id,
        kind=kind,
        date=date.fromisoformat(on),
        code=code,
        level=level,
        amount_fen=amount_fen,
        attrs=attrs,
        supersedes=tuple(supersedes),
    )


def subject(
    subject_id: str,
    facts: Iterable[Fact],
    kind: str = "person",
    region: str = REGION,
    birth: str | None = "1985-05-01",
    sex: str | None = "M",
    **attrs: AttrValue,
) -> SubjectFacts:
    return SubjectFacts(
        Subject(
            id=subject_id,
            kind=kind,
            region=region,
            birth_date=date.fromisoformat(birth) if birth and kind == "person" else None,
            sex=sex if kind == "person" else None,
            attrs=attrs,
        ),
        tuple(facts),
    )


Line = tuple[str, str, str, str, int, int, int, int]


def explain_lines(explanations: Iterable[Explanation]) -> list[Line]:
    return sorted(
        (
            e.subject_id,
            e.item_id,
            e.fact_id,
            str(e.status),
            e.fen,
            e.amount_fen,
            e.min_fen,
            e.max_fen,
        )
        for x in explanations
        for e in x.entitlements
    )


def evaluate_lines(
    population: Sequence[SubjectFacts],
    on: date,
    policies: Policies,
    params: Mapping[str, str] | None = None,
    overrides: Sequence[str] = (),
) -> list[Line]:
    budget = evaluate(population_from_subject_facts(population), on, policies, params, overrides)
    rows: Iterable[Any] = budget.lines.select(
        "subject_id", "item_id", "fact_id", "status", "fen", "amount_fen", "min_fen", "max_fen"
    ).iter_rows()
    return sorted((r[0], r[1], r[2], str(r[3]), r[4], r[5], r[6], r[7]) for r in rows)


def both(
    population: Sequence[SubjectFacts],
    on: str,
    policies: Policies | None = None,
    params: Mapping[str, str] | None = None,
    overrides: Sequence[str] = (),
) -> dict[str, Explanation]:
    """Explain every subject (quotas ranked among them) and evaluate them; assert the two paths
    give the same lines; return the explanations by subject id."""
    policies = policies or fixture_policies()
    day = date.fromisoformat(on)
    explanations = explain_population(population, day, policies, params, overrides)
    assert evaluate_lines(population, day, policies, params, overrides) == explain_lines(
        explanations
    )
    return {x.subject_id: x for x in explanations}


def outcome(explanation: Explanation, item_id: str) -> tuple[str, int]:
    """(summary status, counted fen) of one item."""
    o = explanation.outcome(item_id)
    assert o is not None, f"{item_id} not in the explanation"
    return str(o.status), o.fen


def ents(explanation: Explanation, item_id: str) -> tuple[Entitlement, ...]:
    o = explanation.outcome(item_id)
    assert o is not None, f"{item_id} not in the explanation"
    return o.entitlements


def reason_of(explanation: Explanation, item_id: str) -> str:
    o = explanation.outcome(item_id)
    assert o is not None, f"{item_id} not in the explanation"
    return o.reason
