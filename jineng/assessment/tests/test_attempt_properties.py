"""Property: whatever sequence of starts, saves (in any order of sequence numbers), evidence,
reads, submissions and clock ticks happens to one attempt, its status moves only along
`ATTEMPT_STATES`, a submitted attempt never changes again, and every stored answer is the
acknowledged save with the highest sequence number for its item — none is lost."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from jineng.assessment import services
from jineng.assessment.models import ATTEMPT_STATES, Answer, Attempt, AttemptStatus
from jineng.assessment.tests.exam_support import ExamWorld, admit, make_exam, new_candidate
from jineng.core.errors import DomainError

pytestmark = pytest.mark.django_db

SERIAL = itertools.count()
OPS = ("start", "save", "evidence", "read", "submit", "tick")
steps = st.lists(
    st.tuples(st.sampled_from(OPS), st.integers(0, 2), st.integers(1, 20), st.integers(0, 3)),
    max_size=16,
)


@pytest.fixture
def exam() -> ExamWorld:
    return make_exam(candidates=0, minutes=10, capacity=200)


@hypothesis_settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=steps)
def test_an_attempt_holds_whatever_happens(
    exam: ExamWorld, steps: list[tuple[str, int, int, int]]
) -> None:
    user, registration = new_candidate(exam, f"考生{next(SERIAL)}号")
    admit(exam, registration)
    attempt = Attempt.objects.get(registration=registration)
    now = exam.session.starts_at + dt.timedelta(seconds=1)
    best: dict[int, tuple[int, object]] = {}
    submitted_at = None
    for op, index, seq, value in steps:
        before = Attempt.objects.get(pk=attempt.pk).status
        try:
            if op == "start":
                services.attempt_start(actor=user, registration=registration, at=now)
            elif op == "save" and attempt.paper_id is not None:
                entries = list(
                    attempt.paper.entries.order_by("pk")  # type: ignore[union-attr]
                )
                entry = entries[index % len(entries)]
                response: object = value if entry.item.kind == "single" else f"答{value}"
                ack = services.answer_save(
                    actor=user, attempt=attempt, entry_id=entry.pk, response=response, seq=seq,
                    at=now,
                )  # fmt: skip
                if ack.applied:
                    best[entry.pk] = (seq, response)
                else:
                    assert best[entry.pk][0] >= seq
            elif op == "evidence":
                fresh = Attempt.objects.select_related("registration__session__organisation").get(
                    pk=attempt.pk
                )
                services.evidence_record(actor=user, attempt=fresh, kind="copy", at=now)
            elif op == "read":
                services.attempt_current(attempt=attempt, at=now)
            elif op == "submit":
                services.attempt_submit(actor=user, attempt=attempt, at=now)
            elif op == "tick":
                now += dt.timedelta(minutes=4)
                services.attempts_sweep(now=now)
        except DomainError:
            pass
        attempt = Attempt.objects.get(pk=attempt.pk)
        after = attempt.status
        assert after == before or ATTEMPT_STATES.allows(before, after)
        if before == AttemptStatus.SUBMITTED:
            assert attempt.submitted_at == submitted_at
        if after == AttemptStatus.SUBMITTED:
            submitted_at = attempt.submitted_at
        stored = {a.entry_id: (a.seq, a.response) for a in Answer.objects.filter(attempt=attempt)}
        assert stored == best
