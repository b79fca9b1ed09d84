"""The region-wide integrity checks (services/checks.py) against planted fraud with known answers
(jineng.demo.fraud): every planted case is flagged with its kind, and the share of flags on clean
records is reported (and here, on a small clean population, is nil)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jineng.audit.models import AuditEntry
from jineng.claims.models import ClaimFlag, FlagKind, FlagStatus, RegisterEntry
from jineng.claims.services import integrity_check
from jineng.claims.services.checks import robust_z, volume_outliers_of
from jineng.demo.fraud import plant_fraud

pytestmark = pytest.mark.django_db


def flags_by_kind() -> dict[str, set[int]]:
    found: dict[str, set[int]] = {}
    for claim, kind in ClaimFlag.objects.values_list("claim_id", "kind"):
        found.setdefault(kind, set()).add(claim)
    return found


def test_every_planted_pattern_is_flagged_and_clean_records_are_not(
    capsys: pytest.CaptureFixture[str],
) -> None:
    planted = plant_fraud(cases=2, clean=30)
    raised = integrity_check(actor=None)
    found = flags_by_kind()
    for kind, claims in planted.expected.items():
        missing = claims - found.get(kind, set())
        assert not missing, f"{kind}: planted claims {sorted(missing)} not flagged"
    # Each region-wide kind is planted (so a check that silently finds nothing fails here).
    assert {
        FlagKind.REPEAT_LEVEL,
        FlagKind.PER_YEAR,
        FlagKind.LOWER_AFTER_HIGHER,
        FlagKind.EXCLUSIVE,
        FlagKind.GHOST_RETIRED,
        FlagKind.GHOST_DECEASED,
        FlagKind.GHOST_STUDENT,
        FlagKind.GHOST_PUBLIC_STAFF,
        FlagKind.SHARED_ACCOUNT,
        FlagKind.SHARED_PHONE,
        FlagKind.VOLUME_OUTLIER,
        FlagKind.OVERLAPPING_CLASSES,
        FlagKind.FASTER_THAN_REAL,
        FlagKind.PART_TIME_TEACHER,
        FlagKind.FULL_TIME_RATIO,
        FlagKind.SHARED_DEVICE,
        FlagKind.SHARED_NETWORK,
        FlagKind.OUTSIDE_LICENCE,
    } <= set(planted.expected)
    flagged = {pk for claims in found.values() for pk in claims}
    share = planted.clean_share(flagged)
    print(
        f"planted fraud: {sum(map(len, planted.expected.values()))} cases, "
        f"clean claims flagged: {share:.1%} of {len(planted.clean)}"
    )
    assert share == 0.0
    assert AuditEntry.objects.filter(action="claim_flag_raise").count() == raised
    assert integrity_check(actor=None) == 0  # a second run adds nothing


def test_evidence_names_the_rule_and_never_an_id_number() -> None:
    plant_fraud(cases=1, clean=0)
    integrity_check(actor=None)
    per_year = ClaimFlag.objects.get(kind=FlagKind.PER_YEAR)
    assert per_year.evidence["rank"] == 4 and per_year.evidence["limit"] == 3
    lower = ClaimFlag.objects.get(kind=FlagKind.LOWER_AFTER_HIGHER)
    assert (lower.evidence["level"], lower.evidence["held_level"]) == ("4", "3")
    outlier = ClaimFlag.objects.filter(kind=FlagKind.VOLUME_OUTLIER).first()
    assert outlier is not None and outlier.evidence["count"] == 48
    assert outlier.evidence["basis"] == "region" and float(outlier.evidence["z"]) > 3.5
    retired = ClaimFlag.objects.get(kind=FlagKind.GHOST_RETIRED)
    assert retired.evidence["age"] >= 60
    index = RegisterEntry.objects.values_list("id_number_index", flat=True).first()
    assert index and all(index not in str(f.evidence) for f in ClaimFlag.objects.all())


def test_a_cleared_finding_is_not_raised_again() -> None:
    plant_fraud(cases=1, clean=0)
    integrity_check(actor=None)
    ClaimFlag.objects.filter(kind=FlagKind.SHARED_PHONE).update(status=FlagStatus.CLEARED)
    assert integrity_check(actor=None) == 0


def test_the_volume_statistic_uses_own_history_too() -> None:
    counts = {(1, y): 10 + (y % 2) for y in range(2018, 2023)}
    counts[(1, 2023)] = 40  # far above its own earlier years
    for other in range(2, 4):  # two peers: too few for a regional statistic
        counts[(other, 2023)] = 30
    (out,) = volume_outliers_of(counts)
    assert (out.issuer, out.year, out.basis) == (1, 2023, "history")


@settings(deadline=None)  # no timing: a loaded machine must not fail a property
@given(
    st.lists(st.integers(min_value=0, max_value=10_000), min_size=1, max_size=50),
    st.integers(min_value=0, max_value=20_000),
    st.integers(min_value=1, max_value=5_000),
)
def test_robust_z_is_zero_at_the_median_and_grows_with_the_count(
    values: list[int], x: int, more: int
) -> None:
    median, _ = robust_z(x, values)
    assert robust_z(median, values)[1] == 0.0
    low, high = robust_z(x, values)[1], robust_z(x + more, values)[1]
    if any(values):  # a spread above 0 (all-zero counts have none: nothing is an outlier)
        assert high > low
    else:
        assert high == low == 0.0
    assert (low > 0) == (x > median) or low == 0.0


def test_registers_dates_bound_the_finding() -> None:
    planted = plant_fraud(cases=1, clean=0)
    entry = RegisterEntry.objects.get(kind="student")
    RegisterEntry.objects.filter(pk=entry.pk).update(ends_on=dt.date(2023, 1, 1))  # graduated
    integrity_check(actor=None)
    assert not ClaimFlag.objects.filter(kind=FlagKind.GHOST_STUDENT).exists()
    assert planted.expected[FlagKind.GHOST_DECEASED] <= flags_by_kind()[FlagKind.GHOST_DECEASED]


def test_seed_city_fraud_rate_misses_nothing() -> None:
    from jineng.demo.fraud import plant_and_check

    planted, missed = plant_and_check(region="330502", workers=60, rate=1.0)
    assert len(planted.expected[FlagKind.PER_YEAR]) == 2  # 60 × 1.0 / 30 = two cases
    assert missed and not any(missed.values())
