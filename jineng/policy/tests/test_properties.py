"""Property tests (Hypothesis) over random populations.

- evaluate (columns) equals the sum of explains (one subject at a time, quotas ranked among them);
- raising any amount never lowers the total, nor any subject's total;
- at most one counted entitlement per 就高 group per subject;
- a value change dated D changes only entitlements whose trigger is dated on or after D.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from jineng.policy.engine.explain import explain_population
from jineng.policy.engine.facts import Fact, SubjectFacts
from jineng.policy.engine.loader import load_policies
from jineng.policy.engine.population import subject_facts_of
from jineng.policy.engine.synthetic import XX_CITY, synthetic_population
from jineng.policy.tests.support import (
    evaluate_lines,
    explain_lines,
    fact,
    fixture_policies,
    subject,
)

DAY0 = date(2019, 1, 1)
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

days = st.integers(0, 8 * 365).map(lambda n: DAY0 + timedelta(days=n))
maybe_bool = st.one_of(st.none(), st.booleans())


@st.composite
def a_fact(draw: st.DrawFn, fact_id: str) -> Fact:
    on = draw(days).isoformat()
    kind = draw(
        st.sampled_from(
            [
                "certificate",
                "competition_result",
                "title",
                "studio",
                "appointment",
                "evaluation_filing",
                "event",
                "training",
                "employment",
                "insurance",
            ]
        )
    )
    if kind == "certificate":
        return fact(
            fact_id,
            kind,
            on,
            draw(st.sampled_from(["6-01", "6-02", "chef"])),
            draw(st.sampled_from(["5", "4", "3", "2", "1"])),
            shortage=draw(st.booleans()),
        )
    if kind == "competition_result":
        prize = draw(st.one_of(st.none(), st.just(0), st.integers(1, 10**8)))
        return fact(
            fact_id,
            kind,
            on,
            draw(st.sampled_from(["chinaskills", "worldskills"])),
            draw(st.sampled_from(["gold", "silver", "bronze"])),
            role=draw(st.sampled_from(["player", "coach"])),
            prize_fen=prize,
        )
    if kind == "title":
        return fact(
            fact_id,
            kind,
            on,
            draw(st.sampled_from(["t_a", "t_prov", "t_range", "t_grand", "t_dated", "t_unstated"])),
        )
    if kind == "studio":
        return fact(
            fact_id, kind, on, "master_studio", draw(st.sampled_from(["city", "provincial"]))
        )
    if kind == "appointment":
        return fact(
            fact_id,
            kind,
            on,
            draw(st.sampled_from(["chief_technician", "leader"])),
            draw(st.sampled_from([None, "3", "2"])),
        )
    if kind == "evaluation_filing":
        return fact(
            fact_id,
            kind,
            on,
            "enterprise_self_evaluation",
            certified_count=draw(st.integers(0, 400)),
        )
    if kind == "event":
        code = draw(st.sampled_from(["course_class", "technician_introduced"]))
        return fact(
            fact_id,
            kind,
            on,
            code,
            draw(st.sampled_from(["1", "2"])),
            students=draw(st.integers(0, 60)),
        )
    if kind == "training":
        return fact(fact_id, kind, on, "chef")
    if kind == "employment":
        return fact(
            fact_id,
            kind,
            on,
            "X",
            employer_kind=draw(st.sampled_from(["public_institution", "enterprise"])),
        )
    return fact(fact_id, kind, on, "pension")


@st.composite
def a_subject(draw: st.DrawFn, subject_id: str) -> SubjectFacts:
    facts = [draw(a_fact(f"F{i}")) for i in range(draw(st.integers(0, 7)))]
    if len(facts) > 1 and draw(st.booleans()):
        last = facts[-1]
        facts[-1] = Fact(**{**last.__dict__, "supersedes": (facts[0].id,)})
    kind = draw(st.sampled_from(["person", "person", "person", "enterprise", "college"]))
    return subject(
        subject_id,
        facts,
        kind=kind,
        region=draw(st.sampled_from(["990001", "990002", "110101"])),
        birth=draw(st.sampled_from(["1950-03-01", "1962-02-28", "1980-02-29", "1999-12-31"])),
        sex=draw(st.sampled_from(["M", "F"])),
        insured=draw(maybe_bool),
        public_institution_staff=draw(maybe_bool),
        work_region=draw(st.sampled_from(["990001", "110101"])),
        retirement_date=draw(st.one_of(st.none(), st.sampled_from(["2019-06-01", "2030-01-01"]))),
    )


@st.composite
def a_population(draw: st.DrawFn) -> list[SubjectFacts]:
    return [draw(a_subject(f"S{i}")) for i in range(draw(st.integers(1, 6)))]


on_dates = st.integers(365, 8 * 365).map(lambda n: DAY0 + timedelta(days=n))

# (override path, the value it has at most today) — raised to anything at or above it.
RAISES = [
    ("tx.fixed.table.4", 1500),
    ("tx.fixed.table.3", 2000),
    ("tx.uplift.percent", 30),
    ("tx.medal.table.gold", 200000),
    ("tx.medal.table.bronze.max", 100000),
    ("tx.coach.percent", 50),
    ("tx.match.ratio", 1),
    ("tx.match.otherwise.table.silver", 300000),
    ("tx.range.max", 300000),
    ("tx.minimum.value", 50000),
    ("tx.maximum.value", 500000),
    ("tx.monthly.value", 1500),
    ("tx.monthly.months", 36),
    ("tx.threshold.value", 30000),
    ("tx.threshold.cap", 300000),
    ("tx.per_unit.value", 5000),
    ("tx.instalments.value", 200000),
    ("tx.tier_a.value", 10000),
    ("tx.after.table.2", 5000),
    ("tx.waiting.value", 10000),
    ("tx.within.value", 3000),
    ("tx.dated.value", 10000),
    ("nb.skill_upgrade.table.5", 1000),
    ("tx.unstated.value", 1),  # a what-if: the unstated amount assumed
    ("tx.leader_living.value", 10000),
]
GROUPED = {"tx.instalments", "tx.tier_a", "tx.unstated"}


@st.composite
def a_raise(draw: st.DrawFn, ungrouped: bool = False) -> tuple[str, date | None]:
    choices = [
        r
        for r in RAISES
        if not (
            ungrouped
            and r[0].rsplit(".", 2)[0] in GROUPED
            and not r[0].startswith("tx.tier_a.")
            and False
        )
    ]
    if ungrouped:
        choices = [r for r in RAISES if not any(r[0].startswith(g + ".") for g in GROUPED)]
    path, current = draw(st.sampled_from(choices))
    value = current + draw(st.integers(0, 10 * current))
    when = draw(st.one_of(st.none(), days)) if not ungrouped else draw(days)
    return f"{path}={value}" + (f"@{when.isoformat()}" if when else ""), when


@SETTINGS
@given(a_population(), on_dates)
def test_evaluate_equals_the_sum_of_explains(population: list[SubjectFacts], on: date) -> None:
    policies = fixture_policies()
    assert evaluate_lines(population, on, policies) == explain_lines(
        explain_population(population, on, policies)
    )


@settings(max_examples=8, deadline=None)
@given(st.integers(0, 2**31))
@example(2**31)  # a sample where no subject has attrs.enterprise_size (a literal attribute column)
def test_evaluate_equals_explains_on_the_real_policies(seed: int) -> None:
    policies = load_policies()
    population = synthetic_population(150, seed=seed)
    sample = subject_facts_of(population, range(150))
    on = date(2025, 6, 30)
    params = {"city": XX_CITY}
    assert evaluate_lines(sample, on, policies, params) == explain_lines(
        explain_population(sample, on, policies, params)
    )


def _totals(
    lines: list[tuple[str, str, str, str, int, int, int, int]],
) -> tuple[int, dict[str, int]]:
    per_subject: dict[str, int] = defaultdict(int)
    for line in lines:
        per_subject[line[0]] += line[4]
    return sum(per_subject.values()), per_subject


@SETTINGS
@given(a_population(), on_dates, a_raise())
def test_raising_an_amount_never_lowers_a_total(
    population: list[SubjectFacts], on: date, raised: tuple[str, date | None]
) -> None:
    policies = fixture_policies()
    total, per_subject = _totals(evaluate_lines(population, on, policies))
    new_total, new_per_subject = _totals(
        evaluate_lines(population, on, policies, overrides=[raised[0]])
    )
    assert new_total >= total
    assert all(new_per_subject[s] >= fen for s, fen in per_subject.items())


@SETTINGS
@given(a_population(), on_dates, st.one_of(st.just(()), a_raise().map(lambda r: (r[0],))))
def test_at_most_one_counted_item_per_group_and_subject(
    population: list[SubjectFacts], on: date, overrides: tuple[str, ...]
) -> None:
    policies = fixture_policies()
    group_of = {i.id: i.rules.group.id for i in policies.items if i.rules.group}
    counted: dict[tuple[str, str], int] = defaultdict(int)
    for line in evaluate_lines(population, on, policies, overrides=list(overrides)):
        if line[1] in group_of and line[3] in ("paid", "discretionary", "unstated", "waiting"):
            counted[(line[0], group_of[line[1]])] += 1
    assert all(n == 1 for n in counted.values())


PEOPLE_POOL = {"tx.leader_living", "tx.leader_rent", "tx.leader_other"}


@SETTINGS
@given(a_population(), on_dates, st.one_of(st.just(()), a_raise().map(lambda r: (r[0],))))
def test_a_quota_of_people_counts_subjects(
    population: list[SubjectFacts], on: date, overrides: tuple[str, ...]
) -> None:
    """unit: subject — at most N subjects admitted, and a subject holds one place: it never has
    one entitlement of the pool admitted and another refused for lack of a place."""
    policies = fixture_policies()
    admitted: set[str] = set()
    refused: set[str] = set()
    for line in evaluate_lines(population, on, policies, overrides=list(overrides)):
        if line[1] in PEOPLE_POOL:
            if line[3] in ("paid", "discretionary", "unstated", "waiting"):
                admitted.add(line[0])
            elif line[3] == "quota_full":
                refused.add(line[0])
    assert len(admitted) <= 2
    assert not admitted & refused
    if refused:
        assert len(admitted) == 2


@SETTINGS
@given(a_population(), on_dates, a_raise(ungrouped=True))
def test_a_value_change_dated_d_affects_only_facts_on_or_after_d(
    population: list[SubjectFacts], on: date, raised: tuple[str, date | None]
) -> None:
    policies = fixture_policies()
    override, when = raised
    assert when is not None
    dates = {(sf.subject.id, f.id): f.date for sf in population for f in sf.facts}

    def before(
        lines: list[tuple[str, str, str, str, int, int, int, int]],
    ) -> list[tuple[str, str, str, str, int, int, int, int]]:
        return [line for line in lines if dates.get((line[0], line[2].split(">")[0]), when) < when]

    base = evaluate_lines(population, on, policies)
    changed = evaluate_lines(population, on, policies, overrides=[override])
    assert before(changed) == before(base)
