"""The integrity checks over the learning ledger (services/checks_ledger.py) against planted
cases with known answers (jineng.demo.fraud_ledger): each pattern is flagged with its evidence,
and its clean look-alike (sessions that touch, a teacher at exactly 3 institutions, exactly 1/3
full-time, a device for exactly 5 trainees, lessons watched one after the other, a certificate
within the licence) is not flagged at all."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from jineng.claims.evidence import describe_evidence
from jineng.claims.models import Claim, ClaimFlag, ClaimStatus, FlagKind
from jineng.claims.services import integrity_check
from jineng.claims.services.checks_ledger import EpochMs, ledger_findings
from jineng.demo.fraud import Planted, _Planter
from jineng.demo.fraud_ledger import LedgerPlanter
from jineng.learning.models import CreditedSegment, LearningStream, StreamState

pytestmark = pytest.mark.django_db

PATTERNS = {
    "overlapping": {FlagKind.OVERLAPPING_CLASSES},
    "faster": {FlagKind.FASTER_THAN_REAL},
    "teachers": {FlagKind.PART_TIME_TEACHER, FlagKind.FULL_TIME_RATIO},
    "checkins": {FlagKind.SHARED_DEVICE, FlagKind.SHARED_NETWORK},
    "licence": {FlagKind.OUTSIDE_LICENCE},
}


def plant(pattern: str, base: _Planter | None = None) -> tuple[Planted, LedgerPlanter]:
    out = Planted()
    planter = LedgerPlanter(base or _Planter("330502", 910_000), out, 0)
    getattr(planter, pattern)()
    return out, planter


def flagged() -> dict[str, set[int]]:
    found: dict[str, set[int]] = {}
    for claim, kind in ClaimFlag.objects.values_list("claim_id", "kind"):
        found.setdefault(kind, set()).add(claim)
    return found


@pytest.mark.parametrize("pattern", sorted(PATTERNS))
def test_each_pattern_is_flagged_and_its_look_alike_is_not(
    pattern: str, capsys: pytest.CaptureFixture[str]
) -> None:
    planted, _ = plant(pattern)
    assert set(planted.expected) == PATTERNS[pattern] and planted.clean
    integrity_check(actor=None)
    found = flagged()
    for kind, claims in planted.expected.items():
        assert claims and claims == found.get(kind, set()), kind  # exactly the planted ones
    everything = {pk for claims in found.values() for pk in claims}
    share = planted.clean_share(everything)
    print(f"{pattern}: clean look-alikes flagged {share:.0%} of {len(planted.clean)}")
    assert share == 0.0
    for flag in ClaimFlag.objects.filter(kind__in=PATTERNS[pattern]):
        words = describe_evidence(flag)
        assert words != "见核查记录" and "None" not in words, words
        assert re.search(r"[\u4e00-\u9fff]", words), words
        assert not re.search(r"\d-\d\d-\d\d-\d\d|[a-z_]{4,}", words), words  # no codes, keys


def test_the_evidence_says_what_was_found() -> None:
    base = _Planter("330502", 910_000)
    for pattern in PATTERNS:
        plant(pattern, base)
    integrity_check(actor=None)
    ev = {f.kind: f.evidence for f in ClaimFlag.objects.all()}
    assert ev[FlagKind.OVERLAPPING_CLASSES]["at"] == "2023-06-05 10:00"
    assert ev[FlagKind.FASTER_THAN_REAL] == {"day": "2023-07-03", "overlap_seconds": 1800}
    assert ev[FlagKind.PART_TIME_TEACHER]["rank"] == 4
    assert ev[FlagKind.PART_TIME_TEACHER]["institutions"] == 4
    assert (
        ev[FlagKind.FULL_TIME_RATIO]["teachers"],
        ev[FlagKind.FULL_TIME_RATIO]["full_time"],
    ) == (
        4,
        1,
    )
    assert ev[FlagKind.SHARED_DEVICE]["trainees"] == 6
    assert ev[FlagKind.SHARED_NETWORK]["trainees"] == 6
    dates = {f.evidence["date"] for f in ClaimFlag.objects.filter(kind=FlagKind.OUTSIDE_LICENCE)}
    assert dates == {"2023-03-01", "2024-02-01"}  # out of scope; after the filing ended
    words = describe_evidence(ClaimFlag.objects.filter(kind=FlagKind.OUTSIDE_LICENCE).first())  # type: ignore[arg-type]
    assert "核查样本培训学校" in words  # the agency by its name


def test_a_paid_claim_is_not_flagged_and_a_second_run_adds_nothing() -> None:
    planted, _ = plant("overlapping")
    (pk,) = planted.expected[FlagKind.OVERLAPPING_CLASSES]
    Claim.objects.filter(pk=pk).update(status=ClaimStatus.PAID)
    assert not [f for f in ledger_findings() if f[1] == pk]
    Claim.objects.filter(pk=pk).update(status=ClaimStatus.ACCEPTED)
    assert integrity_check(actor=None) == 1
    assert integrity_check(actor=None) == 0


def test_playback_within_the_platforms_tolerance_is_not_faster_than_real() -> None:
    """Segments credited 5 % faster than the clock (within LEARNING_RATE_TOLERANCE) overlap
    each other by 1.5 s; over an hour that is not learning faster than real time."""
    _, planter = plant("faster")
    baseline = {f[1] for f in ledger_findings()}
    course = planter.course(planter.institution(), lessons=1)
    lesson = course.chapters.get().lessons.get()
    person = planter.p.person()
    start = timezone.make_aware(dt.datetime(2023, 7, 4, 9))
    stream = LearningStream.objects.create(
        person=person, lesson=lesson, device="d", state=StreamState.CLOSED, opened_at=start
    )
    CreditedSegment.objects.bulk_create(
        CreditedSegment(
            person=person,
            lesson=lesson,
            stream=stream,
            start_ms=k * 31_500,
            end_ms=(k + 1) * 31_500,
            at=start + dt.timedelta(seconds=30 * (k + 1)),
            day=start.date(),
        )
        for k in range(120)
    )
    claim = planter.record(person, course.provider, start.date(), course=course)
    found = {f[1] for f in ledger_findings()}
    assert claim.pk not in found and found == baseline


def test_epoch_milliseconds_agree_with_python() -> None:
    _, planter = plant("faster")
    row = CreditedSegment.objects.annotate(ms=EpochMs("at")).values_list("at", "ms").first()
    assert row is not None
    at, ms = row
    assert abs(ms - at.timestamp() * 1000) < 1.0
