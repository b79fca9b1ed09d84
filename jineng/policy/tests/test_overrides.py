"""What-if overrides ITEM.PARAM=VALUE@DATE and the simulated budget delta."""

from __future__ import annotations

from datetime import date

import pytest

from jineng.policy.engine.errors import PolicyError
from jineng.policy.engine.evaluate import simulate
from jineng.policy.engine.model import ByCategory
from jineng.policy.engine.overrides import apply_overrides, parse_override
from jineng.policy.engine.population import population_from_subject_facts
from jineng.policy.tests.support import fact, fixture_policies, subject


def test_parse_finds_the_longest_item_id() -> None:
    o = parse_override("tx.medal.table.gold=1500000@2024-01-01", fixture_policies())
    assert (o.item_id, o.path, o.value, o.valid_from) == (
        "tx.medal",
        ("table", "gold"),
        "1500000",
        date(2024, 1, 1),
    )


def test_dated_override_adds_a_version() -> None:
    policies = apply_overrides(fixture_policies(), ["tx.medal.table.gold=1500000@2024-01-01"])
    item = policies.item("tx.medal")
    before, after = item.version_on(date(2023, 12, 31)), item.version_on(date(2024, 1, 1))
    assert before is not None and after is not None
    assert isinstance(before.amount, ByCategory) and before.amount.table["gold"] == 20000000
    assert isinstance(after.amount, ByCategory) and after.amount.table["gold"] == 150000000


def test_override_errors() -> None:
    with pytest.raises(PolicyError, match="no loaded item"):
        parse_override("zz.nope.value=1", fixture_policies())
    with pytest.raises(PolicyError, match="cannot set|has no parameter"):
        apply_overrides(fixture_policies(), ["tx.fixed.ratio=2"])


def test_simulate_gives_the_delta_per_item_and_year() -> None:
    people = [
        subject(
            "P1",
            [fact("M", "competition_result", "2023-05-01", "chinaskills", "gold", role="player")],
        ),
        subject(
            "P2",
            [fact("M", "competition_result", "2024-05-01", "chinaskills", "gold", role="player")],
        ),
    ]
    population = population_from_subject_facts(people)
    policies = fixture_policies()
    on = date(2024, 12, 31)
    change = "tx.medal.table.gold=1500000@2024-01-01"
    what_if = simulate(population, on, policies, overrides=[change])
    delta = {
        (r["item_id"], r["year"]): r["delta_fen"]
        for r in what_if.delta_by_item_year().iter_rows(named=True)
    }
    assert delta[("tx.medal", 2023)] == 0
    assert delta[("tx.medal", 2024)] == 150000000 - 20000000
    assert what_if.delta_fen == 130000000
