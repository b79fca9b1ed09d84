"""The stored budget counts entitlements whose amount the text does not state, at 0 fen."""

import datetime as dt

from jineng.policy.engine.evaluate import simulate
from jineng.policy.engine.facts import parse_subject_facts
from jineng.policy.engine.loader import load_policies
from jineng.policy.engine.population import population_from_subject_facts
from jineng.policy.services import budget_result


def test_budget_rows_count_unstated_entitlements_at_zero_fen() -> None:
    # given a Yinchuan worker trained with a voucher (nx: voucher and direct subsidy, no amounts)
    subject = parse_subject_facts(
        {
            "subject": {
                "id": "P1",
                "kind": "person",
                "region": "640104",
                "birth_date": "1990-04-01",
                "sex": "M",
            },
            "facts": [
                {
                    "id": "F1",
                    "kind": "training",
                    "code": "6-30-05-01",
                    "level": "4",
                    "date": "2023-03-01",
                    "attrs": {"voucher": True},
                }
            ],
        }
    )
    policies = load_policies()
    population = population_from_subject_facts([subject])

    # when the budget is simulated and stored
    whatif = simulate(population, dt.date(2023, 6, 30), policies)
    result = budget_result(whatif, policies, population=population, loader="test", elapsed_ms=0)

    # then each unstated item is one entitlement of 0 fen, counted as such
    rows = {r["item_id"]: r for r in result["rows"]}
    voucher = rows["nx.training.voucher"]
    assert (voucher["scenario_count"], voucher["scenario_fen"], voucher["unstated_count"]) == (
        1,
        0,
        1,
    )
    assert rows["nx.training.direct_subsidy"]["unstated_count"] == 1
