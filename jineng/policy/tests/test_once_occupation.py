"""`once: [occupation, level]` — "同一职业(工种)同一等级只能享受一次" keys on the occupation the fact
is about, whatever the fact kind: a certificate's or apprenticeship's code, a training's
attrs.occupation (its code is the programme) or occupation-shaped code, any kind's
attrs.occupation. Every case runs through explain and evaluate (support.both)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest

from jineng.policy.engine.facts import Fact, occupation_of
from jineng.policy.engine.loader import DATA_DIR, load_policies
from jineng.policy.engine.model import Policies
from jineng.policy.tests.support import both, ents, fact, subject

ONE_ITEM_PER_KIND = """
document: {id: zo-doc, prefix: zo, title: T, issuer: I, jurisdiction: '99', source: s,
           status: in_force, effective: {from: 2020-01-01, to: null}}
items:
""" + "".join(
    f"""
  - id: zo.{kind}
    title: t
    kind: money
    citation: {{file: f, quote: q}}
    beneficiary: person
    trigger: {{kind: {kind}}}
    amount: {{form: fixed, value: 100}}
    rules: {{once: [occupation, level]}}
"""
    for kind in ("certificate", "training", "apprenticeship", "competition_result", "event")
)


@cache
def per_kind(tmp: Path) -> Policies:
    path = tmp / "zo.yaml"
    path.write_text(ONE_ITEM_PER_KIND, encoding="utf-8")
    return load_policies([path])


@pytest.fixture
def policies(tmp_path: Path) -> Policies:
    return per_kind(tmp_path)


def statuses(facts: list[Fact], item: str, policies: Policies) -> dict[str, str]:
    x = both([subject("P", facts)], "2024-12-31", policies)["P"]
    return {e.fact_id: str(e.status) for e in ents(x, item)}


def test_a_second_training_at_the_same_level_in_another_occupation_is_paid(
    policies: Policies,
) -> None:
    # given: two trainings of one programme at level 4, for two occupations (before: the second
    # was refused, because the rule keyed on the programme code)
    facts = [
        fact("T1", "training", "2023-03-01", "skills_upgrade", "4", occupation="6-18-01-01"),
        fact("T2", "training", "2023-09-01", "skills_upgrade", "4", occupation="4-03-02-01"),
        fact("T3", "training", "2024-03-01", "skills_upgrade", "4", occupation="6-18-01-01"),
    ]
    assert statuses(facts, "zo.training", policies) == {
        "T1": "paid",
        "T2": "paid",
        "T3": "once_already",  # the same occupation and level again
    }


def test_a_training_recorded_by_occupation_code_keys_on_that_code(policies: Policies) -> None:
    # the dossier records a training's occupation as its code
    facts = [
        fact("T1", "training", "2023-03-01", "6-18-01-01", "4"),
        fact("T2", "training", "2023-09-01", "4-03-02-01", "4"),
        fact("T3", "training", "2024-03-01", "6-18-01-01", "4"),
        fact("T4", "training", "2024-04-01", "6-18-01-01", "3"),
    ]
    assert statuses(facts, "zo.training", policies) == {
        "T1": "paid",
        "T2": "paid",
        "T3": "once_already",
        "T4": "paid",  # another level
    }


def test_certificates_key_on_their_occupation_code(policies: Policies) -> None:
    facts = [
        fact("C1", "certificate", "2023-01-01", "6-18-01-01", "4"),
        fact("C2", "certificate", "2023-06-01", "4-03-02-01", "4"),
        fact("C3", "certificate", "2024-01-01", "6-18-01-01", "4"),
    ]
    assert statuses(facts, "zo.certificate", policies) == {
        "C1": "paid",
        "C2": "paid",
        "C3": "once_already",
    }


def test_apprenticeships_key_on_their_occupation_code(policies: Policies) -> None:
    facts = [
        fact("A1", "apprenticeship", "2022-01-01", "6-18-01-01", months=12),
        fact("A2", "apprenticeship", "2023-01-01", "4-03-02-01", months=12),
        fact("A3", "apprenticeship", "2024-01-01", "6-18-01-01", months=12),
    ]
    assert statuses(facts, "zo.apprenticeship", policies) == {
        "A1": "paid",
        "A2": "paid",
        "A3": "once_already",
    }


def test_other_kinds_key_on_attrs_occupation(policies: Policies) -> None:
    facts = [
        fact(
            "M1", "competition_result", "2023-01-01", "city_class1", "gold", occupation="6-18-01-01"
        ),
        fact(
            "M2", "competition_result", "2023-06-01", "city_class2", "gold", occupation="4-03-02-01"
        ),
        fact(
            "M3", "competition_result", "2024-01-01", "city_class2", "gold", occupation="6-18-01-01"
        ),
    ]
    assert statuses(facts, "zo.competition_result", policies) == {
        "M1": "paid",
        "M2": "paid",
        "M3": "once_already",  # another competition, the same occupation and medal
    }
    events = [
        fact("E1", "event", "2023-01-01", "x_done", occupation="6-18-01-01"),
        fact("E2", "event", "2023-02-01", "x_done", occupation="4-03-02-01"),
    ]
    assert statuses(events, "zo.event", policies) == {"E1": "paid", "E2": "paid"}


def test_the_occupation_of_each_kind() -> None:
    assert occupation_of("certificate", "6-18-01-01", {}) == "6-18-01-01"
    assert occupation_of("apprenticeship", "6-18-01-01", {}) == "6-18-01-01"
    assert occupation_of("training", "6-18-01-01", {}) == "6-18-01-01"
    assert occupation_of("training", "yuecai", {}) is None  # a programme, not an occupation
    assert occupation_of("training", "yuecai", {"occupation": "4-03-02-01"}) == "4-03-02-01"
    assert occupation_of("title", "city_technical_expert", {}) is None
    assert occupation_of("certificate", "6-18-01-01", {"occupation": ""}) == "6-18-01-01"


def test_the_national_skill_upgrade_subsidy_pays_the_same_level_in_two_occupations() -> None:
    policies = load_policies([DATA_DIR / "national_base.yaml"])
    facts = [
        fact("C1", "certificate", "2023-01-01", "6-18-01-01", "4"),
        fact("C2", "certificate", "2023-06-01", "4-03-02-01", "4"),
        fact("C3", "certificate", "2024-01-01", "6-18-01-01", "4"),
    ]
    x = both([subject("P", facts, insured=True)], "2024-12-31", policies)["P"]
    assert {e.fact_id: str(e.status) for e in ents(x, "nb.skill_upgrade")} == {
        "C1": "paid",
        "C2": "paid",
        "C3": "once_already",
    }


def test_the_xx_training_subsidy_keys_on_occupation_not_programme() -> None:
    policies = load_policies([DATA_DIR / "xx.yaml"])
    ok: dict[str, Any] = {
        "passed": True,
        "real_name": True,
        "face_checkin": True,
        "video_monitored": True,
    }
    facts = [
        fact("T1", "training", "2024-03-01", "skills_upgrade", "4", occupation="6-18-01-01", **ok),
        fact("T2", "training", "2024-09-01", "skills_upgrade", "4", occupation="4-03-02-01", **ok),
    ]
    x = both([subject("P", facts, region="441900")], "2024-12-31", policies, {"city": "441900"})[
        "P"
    ]
    assert [str(e.status) for e in ents(x, "xx.training.subsidy")] == ["unstated", "unstated"]
