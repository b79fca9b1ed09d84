"""A re-run on the same population (a what-if) reuses the recognitions of the first run; the
money paid on a recognised title must come out as if they were judged again."""

import datetime as dt

import polars as pl
from polars.testing import assert_frame_equal

from jineng.policy.engine.evaluate import evaluate, simulate
from jineng.policy.engine.facts import parse_subject_facts
from jineng.policy.engine.loader import load_policies
from jineng.policy.engine.population import Population, population_from_subject_facts

ON = dt.date(2023, 6, 30)


def _population() -> Population:
    # a Huzhou worker with a Zhejiang title recognised as 湖州大工匠 (hz: 200,000)
    return population_from_subject_facts(
        [
            parse_subject_facts(
                {
                    "subject": {
                        "id": "P1",
                        "kind": "person",
                        "region": "330502",
                        "birth_date": "1978-04-01",
                        "sex": "M",
                        "attrs": {"work_region": "330502"},
                    },
                    "facts": [
                        {
                            "id": "F1",
                            "kind": "title",
                            "code": "zhejiang_grand_craftsman",
                            "date": "2022-12-20",
                        }
                    ],
                }
            )
        ]
    )


def _line(raw: pl.DataFrame, item: str) -> tuple[str, int]:
    row = raw.filter(pl.col("item_id").cast(pl.String) == item).row(0, named=True)
    return str(row["status"]), int(row["fen"])


def test_a_second_evaluation_equals_the_first() -> None:
    # given one population evaluated once (its recognitions now cached)
    population, policies = _population(), load_policies()
    first = evaluate(population, ON, policies)

    # when it is evaluated again
    second = evaluate(population, ON, policies)

    # then every line is the same, the recognised title's money included
    assert_frame_equal(first.raw, second.raw)
    assert _line(second.raw, "hz.craftsman.grand") == ("paid", 20_000_000)


def test_a_what_if_pays_the_new_amount_on_a_cached_recognition() -> None:
    # given the 湖州大工匠 award raised to 300,000 from 2022-01-01, on a population already evaluated
    population, policies = _population(), load_policies()
    evaluate(population, ON, policies)

    # when the what-if runs (baseline and scenario reuse the cached recognitions)
    whatif = simulate(
        population,
        ON,
        policies,
        overrides=["hz.craftsman.grand.value=300000@2022-01-01"],
    )

    # then the baseline still pays 200,000 and the scenario 300,000 on the recognised title
    assert _line(whatif.baseline.raw, "hz.craftsman.recognise_zhejiang_grand")[0] == "granted"
    assert _line(whatif.baseline.raw, "hz.craftsman.grand") == ("paid", 20_000_000)
    assert _line(whatif.scenario.raw, "hz.craftsman.grand") == ("paid", 30_000_000)
