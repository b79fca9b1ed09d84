"""Races on PostgreSQL: eight starts of one attempt at once give one attempt (and eight
admissions one); parallel saves of answers lose none the server acknowledged, also when the
submission races them."""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable

import pytest
from django.db import connection

from jineng.assessment import services
from jineng.assessment.models import Answer, Attempt, AttemptStatus, IdentityMethod
from jineng.assessment.services import AnswerAck
from jineng.assessment.tests.exam_support import admit, make_exam
from jineng.assessment.tests.test_concurrency import race
from jineng.core.errors import Conflict

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent connections"),
    pytest.mark.django_db(transaction=True),
]


def test_eight_admissions_and_eight_starts_at_once_make_one_attempt() -> None:
    exam = make_exam(candidates=1)
    user, registration = exam.candidates[0]
    admitted, errors = race(
        [
            lambda: (
                services.attempt_admit(
                    actor=exam.assessors[0],
                    registration=registration,
                    method=IdentityMethod.INVIGILATOR,
                ).pk
            )
            for _ in range(8)
        ]
    )
    assert errors == [] and len(set(admitted)) == 1
    started, errors = race(
        [lambda: services.attempt_start(actor=user, registration=registration) for _ in range(8)]
    )
    assert errors == []
    assert Attempt.objects.count() == 1
    assert {a.pk for a in started} == set(admitted)  # type: ignore[attr-defined]
    assert {a.deadline for a in started} == {Attempt.objects.get().deadline}  # type: ignore[attr-defined]
    assert Attempt.objects.get().status == AttemptStatus.STARTED


def test_parallel_saves_lose_no_acknowledged_answer() -> None:
    exam = make_exam(candidates=1)
    user, registration = exam.candidates[0]
    admit(exam, registration)
    attempt = services.attempt_start(actor=user, registration=registration)
    assert attempt.paper is not None
    entries = [e for e in attempt.paper.entries.select_related("item") if e.item.kind == "single"]
    seqs = itertools.count(1)
    jobs: list[Callable[[], object]] = []
    for _ in range(4):
        for entry in entries:  # every entry saved by four writers at once, rising numbers
            seq = next(seqs)
            jobs.append(
                functools.partial(
                    services.answer_save,
                    actor=user, attempt=attempt, entry_id=entry.pk, response=seq % 4, seq=seq,
                )
            )  # fmt: skip
    acks, errors = race(jobs)
    assert errors == []
    for entry in entries:
        mine = [a for a in acks if isinstance(a, AnswerAck) and a.entry_id == entry.pk]
        top = max(a.seq for a in mine)
        stored = Answer.objects.get(attempt=attempt, entry=entry)
        assert stored.seq == top and stored.response == top % 4


def test_a_save_racing_the_submission_is_either_kept_or_refused() -> None:
    exam = make_exam(candidates=1)
    user, registration = exam.candidates[0]
    admit(exam, registration)
    attempt = services.attempt_start(actor=user, registration=registration)
    assert attempt.paper is not None
    entries = [e for e in attempt.paper.entries.select_related("item") if e.item.kind == "single"]
    jobs: list[Callable[[], object]] = [
        functools.partial(
            services.answer_save, actor=user, attempt=attempt, entry_id=entry.pk, response=0,
            seq=n + 1,
        )
        for n, entry in enumerate(entries * 3)
    ]  # fmt: skip
    jobs.append(functools.partial(services.attempt_submit, actor=user, attempt=attempt))
    results, errors = race(jobs)
    assert all(isinstance(e, Conflict) for e in errors)
    acked = {(a.entry_id, a.seq) for a in results if isinstance(a, AnswerAck) and a.applied}
    stored = set(Answer.objects.filter(attempt=attempt).values_list("entry_id", "seq"))
    # every applied acknowledgement is stored, unless a later one of the same item replaced it
    for entry_id, seq in acked:
        assert any(e == entry_id and s >= seq for e, s in stored)
    paper = Attempt.objects.get().paper
    assert paper is not None and paper.scored_at is not None
    scored = dict(paper.entries.values_list("pk", "response"))
    for entry_id, _seq in stored:
        assert scored[entry_id] == 0  # the submission scored what was stored
