"""One test per amount form (fixture tx.yaml), each through explain and evaluate."""

from __future__ import annotations

from jineng.policy.tests.support import both, ents, fact, outcome, reason_of, subject


def test_fixed_by_level_pays_the_table_entry() -> None:
    x = both(
        [subject("P", [fact("C", "certificate", "2023-03-01", "6-01", "4")], insured=True)],
        "2023-12-31",
    )
    assert outcome(x["P"], "tx.fixed") == ("paid", 150000)
    assert ents(x["P"], "tx.fixed")[0].branch.startswith("中级工")


def test_by_category_without_an_entry_fails_with_the_reason() -> None:
    x = both(
        [subject("P", [fact("C", "certificate", "2023-03-01", "6-01", "2")], insured=True)],
        "2023-12-31",
    )
    # level 2 is not a trigger of tx.fixed at all: no entitlement, reported as condition_failed
    assert outcome(x["P"], "tx.fixed") == ("condition_failed", 0)
    assert "无触发事实" in reason_of(x["P"], "tx.fixed")


def test_range_is_discretionary_and_counts_zero() -> None:
    x = both([subject("P", [fact("T", "title", "2023-03-01", "t_range")])], "2023-12-31")
    e = ents(x["P"], "tx.range")[0]
    assert (str(e.status), e.fen, e.min_fen, e.max_fen) == ("discretionary", 0, 15000000, 30000000)


def test_range_inside_a_table_is_discretionary() -> None:
    medal = fact("M", "competition_result", "2023-03-01", "chinaskills", "bronze", role="player")
    x = both([subject("P", [medal])], "2023-12-31")
    e = ents(x["P"], "tx.medal")[0]
    assert (str(e.status), e.fen, e.min_fen, e.max_fen) == ("discretionary", 0, 5000000, 10000000)


def test_minimum_pays_the_minimum_and_may_be_more() -> None:
    x = both(
        [
            subject(
                "O", [fact("S", "studio", "2023-03-01", "master_studio", "city")], kind="enterprise"
            )
        ],
        "2023-12-31",
    )
    e = ents(x["O"], "tx.minimum")[0]
    assert (str(e.status), e.fen, e.may_be_more) == ("paid", 5000000, True)


def test_maximum_counts_the_maximum_as_discretionary() -> None:
    x = both(
        [
            subject(
                "O",
                [fact("S", "studio", "2023-03-01", "master_studio", "provincial")],
                kind="enterprise",
            )
        ],
        "2023-12-31",
    )
    e = ents(x["O"], "tx.maximum")[0]
    assert (str(e.status), e.fen, e.min_fen, e.max_fen) == ("discretionary", 50000000, 0, 50000000)


def test_monthly_totals_value_times_months_and_schedules_each_month() -> None:
    x = both(
        [subject("P", [fact("A", "appointment", "2023-03-31", "chief_technician")])], "2023-12-31"
    )
    e = ents(x["P"], "tx.monthly")[0]
    assert e.fen == 1500 * 36 * 100
    assert len(e.schedule) == 36 and sum(p.fen for p in e.schedule) == e.fen
    assert e.schedule[1].date.isoformat() == "2023-04-30"  # month end clamps


def test_percent_of_another_items_standard() -> None:
    coach = fact("K", "competition_result", "2023-03-01", "chinaskills", "silver", role="coach")
    x = both([subject("C", [coach])], "2023-12-31")
    assert outcome(x["C"], "tx.coach") == ("paid", 7500000)  # 50% of the silver 150,000


def test_percent_of_a_range_is_a_range() -> None:
    coach = fact("K", "competition_result", "2023-03-01", "chinaskills", "bronze", role="coach")
    e = ents(both([subject("C", [coach])], "2023-12-31")["C"], "tx.coach")[0]
    assert (str(e.status), e.min_fen, e.max_fen) == ("discretionary", 2500000, 5000000)


def test_match_pays_one_to_one_when_there_is_prize_money() -> None:
    player = fact(
        "W",
        "competition_result",
        "2022-10-15",
        "worldskills",
        "gold",
        role="player",
        prize_fen=12345601,
    )
    x = both([subject("P", [player])], "2022-12-31")
    e = ents(x["P"], "tx.match")[0]
    assert e.fen == 12345601 and "1:1" in e.branch


def test_match_otherwise_pays_the_table() -> None:
    player = fact("W", "competition_result", "2022-10-15", "worldskills", "silver", role="player")
    assert outcome(both([subject("P", [player])], "2022-12-31")["P"], "tx.match") == (
        "paid",
        30000000,
    )


def test_match_ratio_rounds_half_up_to_the_fen() -> None:
    # version from 2023: ratio 1.5; 1.5 × 3 fen = 4.5 → 5
    player = fact(
        "W", "competition_result", "2023-02-01", "worldskills", "gold", role="player", prize_fen=3
    )
    assert outcome(both([subject("P", [player])], "2023-12-31")["P"], "tx.match") == ("paid", 5)


def test_per_threshold_counts_whole_multiples_and_caps() -> None:
    filings = [
        fact(
            "E1",
            "evaluation_filing",
            "2023-01-01",
            "enterprise_self_evaluation",
            certified_count=95,
        ),
        fact(
            "E2",
            "evaluation_filing",
            "2023-02-01",
            "enterprise_self_evaluation",
            certified_count=10_000,
        ),
        fact(
            "E3",
            "evaluation_filing",
            "2023-03-01",
            "enterprise_self_evaluation",
            certified_count=29,
        ),
    ]
    x = both([subject("O", filings, kind="enterprise")], "2023-12-31")
    got = {e.fact_id: (str(e.status), e.fen) for e in ents(x["O"], "tx.threshold")}
    assert got == {"E1": ("paid", 9000000), "E2": ("paid", 30000000), "E3": ("condition_failed", 0)}


def test_per_unit_multiplies_by_the_count() -> None:
    x = both(
        [
            subject(
                "O", [fact("E", "event", "2023-09-01", "course_class", students=40)], kind="college"
            )
        ],
        "2023-12-31",
    )
    assert outcome(x["O"], "tx.per_unit") == ("paid", 20000000)


def test_uplift_is_a_percentage_of_the_base_paid_for_the_same_fact() -> None:
    cert = fact("C", "certificate", "2023-03-01", "6-01", "3", shortage=True)
    x = both([subject("P", [cert], insured=True)], "2023-12-31")
    assert outcome(x["P"], "tx.fixed") == ("paid", 200000)
    assert outcome(x["P"], "tx.uplift") == ("paid", 60000)


def test_uplift_is_not_paid_when_the_base_is_not() -> None:
    cert = fact("C", "certificate", "2023-03-01", "6-01", "3", shortage=True)
    x = both([subject("P", [cert], insured=False)], "2023-12-31")
    assert outcome(x["P"], "tx.fixed")[0] == "condition_failed"
    assert outcome(x["P"], "tx.uplift")[0] == "condition_failed"
    assert "基础项目" in ents(x["P"], "tx.uplift")[0].reason


def test_instalments_split_exactly() -> None:
    x = both([subject("P", [fact("T", "title", "2022-05-01", "t_grand")])], "2023-12-31")
    e = ents(x["P"], "tx.instalments")[0]
    assert [(p.date.isoformat(), p.fen) for p in e.schedule] == [
        ("2022-05-01", 10000000),
        ("2023-05-01", 10000000),
    ]


def test_one_off_after_a_waiting_period() -> None:
    intro = fact("I", "event", "2023-03-01", "technician_introduced", "1")
    early = both([subject("O", [intro], kind="enterprise")], "2023-12-31")["O"]
    late = both([subject("O", [intro], kind="enterprise")], "2024-03-01")["O"]
    assert outcome(early, "tx.after") == ("waiting", 1000000)
    assert outcome(late, "tx.after") == ("paid", 1000000)
    assert ents(late, "tx.after")[0].schedule[0].date.isoformat() == "2024-03-01"
