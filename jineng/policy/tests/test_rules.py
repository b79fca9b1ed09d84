"""One test per rule form, each where the rule excludes, through explain and evaluate."""

from __future__ import annotations

from datetime import date

from jineng.policy.engine.explain import explain
from jineng.policy.engine.facts import SubjectFacts
from jineng.policy.engine.outcome import Explanation
from jineng.policy.tests.support import (
    both,
    ents,
    fact,
    fixture_policies,
    outcome,
    subject,
)


def statuses(x: Explanation, item_id: str) -> dict[str, str]:
    return {e.fact_id: str(e.status) for e in ents(x, item_id)}


def test_group_pays_only_the_highest() -> None:
    facts = [fact("A", "title", "2022-01-01", "t_a"), fact("G", "title", "2022-06-01", "t_grand")]
    x = both([subject("P", facts)], "2023-12-31")["P"]
    assert outcome(x, "tx.instalments") == ("paid", 20000000)
    assert outcome(x, "tx.tier_a") == ("superseded", 0)
    assert "tx.instalments" in ents(x, "tx.tier_a")[0].reason


def test_once_per_code_and_level() -> None:
    facts = [
        fact("C1", "certificate", "2022-01-01", "6-01", "4"),
        fact("C2", "certificate", "2023-01-01", "6-01", "4"),
    ]
    x = both([subject("P", facts, insured=True)], "2023-12-31")["P"]
    assert statuses(x, "tx.fixed") == {"C1": "paid", "C2": "once_already"}


def test_no_lower_level_after_a_higher_one() -> None:
    facts = [
        fact("C1", "certificate", "2022-01-01", "6-01", "3"),
        fact("C2", "certificate", "2022-05-01", "6-01", "4"),
    ]
    x = both([subject("P", facts, insured=True)], "2023-12-31")["P"]
    assert statuses(x, "tx.fixed") == {"C1": "paid", "C2": "lower_after_higher"}


def test_yearly_cap_keeps_the_earliest() -> None:
    facts = [fact(f"C{i}", "certificate", f"2023-0{i}-01", f"6-0{i}", "5") for i in range(1, 4)]
    x = both([subject("P", facts, insured=True)], "2023-12-31")["P"]
    assert statuses(x, "tx.fixed") == {"C1": "paid", "C2": "paid", "C3": "yearly_cap"}


def test_quota_ranks_the_population_by_its_tie_break() -> None:
    people = [
        subject(f"P{i}", [fact("A", "appointment", f"2023-0{i}-01", "chief_technician")])
        for i in (3, 1, 2)
    ]
    x = both(people, "2023-12-31")
    assert [outcome(x[f"P{i}"], "tx.monthly")[0] for i in (1, 2, 3)] == [
        "paid",
        "paid",
        "quota_full",
    ]
    assert "第 3 / 3" in ents(x["P3"], "tx.monthly")[0].reason


def test_quota_is_assumed_available_without_a_population() -> None:
    alone = subject("P3", [fact("A", "appointment", "2023-03-01", "chief_technician")])
    e = explain(alone, date(2023, 12, 31), fixture_policies())
    assert outcome(e, "tx.monthly")[0] == "paid"
    assert e.notes and "名额" in e.notes[0]


def test_exclusion() -> None:
    c = fact("C", "certificate", "2023-01-01", "6-01", "4")
    x = both([subject("P", [c], insured=True, public_institution_staff=True)], "2023-12-31")["P"]
    assert outcome(x, "tx.fixed") == ("excluded", 0)
    assert "事业单位人员" in ents(x, "tx.fixed")[0].reason


def test_exclusion_by_a_fact() -> None:
    facts = [
        fact("C", "certificate", "2020-01-01", "6-01", "1"),
        fact("E", "employment", "2019-01-01", "X", employer_kind="public_institution"),
    ]
    x = both([subject("P", facts)], "2023-12-31")["P"]
    assert outcome(x, "tx.waiting") == ("excluded", 0)


def test_condition_failed_names_the_condition() -> None:
    x = both(
        [subject("P", [fact("C", "certificate", "2023-01-01", "6-01", "4")], insured=False)],
        "2023-12-31",
    )["P"]
    assert outcome(x, "tx.fixed") == ("condition_failed", 0)
    assert "参保" in ents(x, "tx.fixed")[0].reason


def test_recognition_grants_a_title_the_money_items_pay_on() -> None:
    x = both(
        [subject("P", [fact("T", "title", "2023-01-01", "t_prov")], work_region="990002")],
        "2023-12-31",
    )["P"]
    assert outcome(x, "tx.recognise")[0] == "granted"
    assert outcome(x, "tx.tier_a") == ("paid", 1000000)
    assert [f.code for f in x.derived_facts] == ["t_a"]


def test_recognition_that_fails_grants_nothing() -> None:
    x = both(
        [subject("P", [fact("T", "title", "2023-01-01", "t_prov")], work_region="110000")],
        "2023-12-31",
    )["P"]
    assert outcome(x, "tx.recognise")[0] == "condition_failed"
    assert outcome(x, "tx.tier_a")[0] == "condition_failed" and not x.derived_facts


def test_waiting_until_a_year_has_passed() -> None:
    c = fact("C", "certificate", "2023-06-01", "6-01", "1")
    assert outcome(both([subject("P", [c])], "2024-05-31")["P"], "tx.waiting") == (
        "waiting",
        1000000,
    )
    assert outcome(both([subject("P", [c])], "2024-06-01")["P"], "tx.waiting") == ("paid", 1000000)


def test_retired_on_a_stated_date() -> None:
    c = fact("C", "certificate", "2018-06-01", "6-01", "1")
    old = subject("P", [c], birth="1955-01-01", sex="M")  # 65 on 2020-01-01
    assert outcome(both([old], "2023-12-31")["P"], "tx.waiting")[0] == "condition_failed"


def test_within_two_years_after_the_trigger() -> None:
    inside = [
        fact("T", "training", "2022-01-10", "chef"),
        fact("C", "certificate", "2023-12-01", "chef", "4"),
    ]
    outside = [
        fact("T", "training", "2022-01-10", "chef"),
        fact("C", "certificate", "2024-02-01", "chef", "4"),
    ]
    assert outcome(both([subject("P", inside)], "2024-06-30")["P"], "tx.within")[0] == "paid"
    assert (
        outcome(both([subject("P", outside)], "2024-06-30")["P"], "tx.within")[0]
        == "condition_failed"
    )


def test_elapsed_at_most_expires_the_claim() -> None:
    facts = [
        fact("T", "training", "2020-01-10", "chef"),
        fact("C", "certificate", "2021-01-01", "chef", "4"),
    ]
    assert (
        outcome(both([subject("P", facts)], "2023-01-11")["P"], "tx.within")[0]
        == "condition_failed"
    )


def test_dated_values_use_the_version_in_force_on_the_trigger_date() -> None:
    facts = [
        fact("D1", "title", "2021-12-31", "t_dated"),
        fact("D2", "title", "2022-01-01", "t_dated"),
    ]
    x = both([subject("P", facts)], "2023-12-31")["P"]
    assert {e.fact_id: e.fen for e in ents(x, "tx.dated")} == {
        "D1": 500000,
        "D2": 1000000,
    }


def test_validity_not_in_force_and_expired() -> None:
    facts = [
        fact("D0", "title", "2019-12-31", "t_dated"),
        fact("D9", "title", "2027-01-01", "t_dated"),
    ]
    x = both([subject("P", facts)], "2027-06-30")["P"]
    assert statuses(x, "tx.dated") == {"D0": "not_in_force", "D9": "expired"}


def test_beneficiary_kind_must_fit() -> None:
    x = both(
        [subject("O", [fact("S", "studio", "2023-03-01", "master_studio", "city")])], "2023-12-31"
    )["O"]
    assert (
        outcome(x, "tx.minimum")[0] == "condition_failed"
    )  # a person cannot take an organisation's grant


def test_facts_outside_the_jurisdiction_and_after_the_date_are_not_seen() -> None:
    elsewhere = both(
        [subject("P", [fact("T", "title", "2023-01-01", "t_dated")], region="110101")], "2023-12-31"
    )["P"]
    assert elsewhere.outcome("tx.dated") is None
    future = both([subject("P", [fact("T", "title", "2024-01-01", "t_dated")])], "2023-12-31")["P"]
    assert outcome(future, "tx.dated")[0] == "condition_failed"


def test_superseded_facts_are_dropped() -> None:
    facts = [
        fact("C1", "certificate", "2023-01-01", "6-01", "5"),
        fact("C2", "certificate", "2023-01-01", "6-01", "4", supersedes=["C1"]),
    ]
    x = both([subject("P", facts, insured=True)], "2023-12-31")["P"]
    assert statuses(x, "tx.fixed") == {"C2": "paid"}


def test_unstated_counts_without_a_figure_and_never_beats_a_stated_amount() -> None:
    facts = [
        fact("U", "title", "2022-01-01", "t_unstated"),
        fact("A", "title", "2022-06-01", "t_a"),
    ]
    x = both([subject("P", facts)], "2023-12-31")["P"]
    assert outcome(x, "tx.tier_a") == ("paid", 1000000)
    assert outcome(x, "tx.unstated") == ("superseded", 0)
    alone = both([subject("Q", facts[:1])], "2023-12-31")["Q"]
    (e,) = ents(alone, "tx.unstated")
    assert (str(e.status), e.fen, e.schedule) == ("unstated", 0, ())
    assert e.reason == "金额未在本文件中规定：由区县另行规定"
    assert "金额未在本文件中规定" in ents(alone, "tx.percent_unstated")[0].reason
    assert outcome(alone, "tx.uplift_unstated") == ("condition_failed", 0)


def test_a_quota_of_people_gives_one_place_per_subject() -> None:
    def leader(sid: str, *days: str) -> SubjectFacts:
        return subject(
            sid, [fact(f"{sid}{i}", "appointment", d, "leader") for i, d in enumerate(days)]
        )

    pop = [
        leader("A", "2022-01-01", "2022-02-01"),
        leader("B", "2022-03-01"),
        leader("C", "2022-04-01"),
    ]
    xs = both(pop, "2023-12-31")
    assert outcome(xs["A"], "tx.leader_living") == ("paid", 2000000)  # two facts, one place
    assert outcome(xs["A"], "tx.leader_other") == ("unstated", 0)
    assert outcome(xs["B"], "tx.leader_rent") == ("paid", 1200000)
    for item in ("tx.leader_living", "tx.leader_rent", "tx.leader_other"):
        assert outcome(xs["C"], item)[0] == "quota_full"
    assert "排名第 3 / 3 人" in ents(xs["C"], "tx.leader_living")[0].reason
