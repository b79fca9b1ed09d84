"""Every scenario file under tests/scenarios/ through explain AND evaluate, same expectations,
and the two paths' lines equal."""

from __future__ import annotations

from collections import defaultdict

import pytest

from jineng.policy.engine.evaluate import evaluate
from jineng.policy.engine.explain import explain, explain_population
from jineng.policy.engine.loader import load_policies
from jineng.policy.engine.model import Policies
from jineng.policy.engine.outcome import Status
from jineng.policy.engine.population import population_from_subject_facts
from jineng.policy.tests.scenario_support import (
    Line,
    Scenario,
    all_scenario_files,
    check,
    lines_of,
    load_scenarios,
)

SCENARIOS = [s for path in all_scenario_files() for s in load_scenarios(path)]


@pytest.fixture(scope="module")
def policies() -> Policies:
    return load_policies()


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.id for s in SCENARIOS])
def test_scenario_explain(scenario: Scenario, policies: Policies) -> None:
    population = [scenario.subject, *scenario.others] if scenario.others else None
    explanation = explain(
        scenario.subject,
        scenario.on,
        policies,
        scenario.params,
        scenario.overrides,
        population=population,
    )
    by_item = {o.item.id: lines_of(o.entitlements) for o in explanation.items}
    problems = check(scenario.expect, by_item)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.id for s in SCENARIOS])
def test_scenario_evaluate(scenario: Scenario, policies: Policies) -> None:
    members = [scenario.subject, *scenario.others]
    budget = evaluate(
        population_from_subject_facts(members),
        scenario.on,
        policies,
        scenario.params,
        scenario.overrides,
    )
    by_item: dict[str, list[Line]] = defaultdict(list)
    for row in budget.lines.iter_rows(named=True):
        if row["subject_id"] == scenario.subject.subject.id:
            by_item[row["item_id"]].append(
                Line(Status(row["status"]), row["fen"], row["min_fen"], row["max_fen"])
            )
    problems = check(scenario.expect, {k: tuple(v) for k, v in by_item.items()})
    assert not problems, "\n".join(problems)

    explained = explain_population(
        members, scenario.on, policies, scenario.params, scenario.overrides
    )
    want = sorted(
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
        for x in explained
        for e in x.entitlements
    )
    got = sorted(
        budget.lines.select(
            "subject_id", "item_id", "fact_id", "status", "fen", "amount_fen", "min_fen", "max_fen"
        ).iter_rows()
    )
    assert [tuple(str(v) if i == 3 else v for i, v in enumerate(r)) for r in got] == want


def test_scenario_files_are_not_empty() -> None:
    counts: dict[str, int] = defaultdict(int)
    for s in SCENARIOS:
        counts[s.file] += 1
    assert set(counts) >= {p.name for p in all_scenario_files()}
