"""Races on PostgreSQL: candidates registering at once never overfill a session; a candidate's
paper drawn twice at once is drawn once; exposure counts stay exact under concurrent draws."""

from __future__ import annotations

import datetime as dt
import functools
import threading
from collections.abc import Callable

import pytest
from django.db import connection, connections
from django.utils import timezone

from jineng.assessment import services
from jineng.assessment.models import AssessmentPart, Item, Paper, Registration
from jineng.assessment.selectors import item_exposure
from jineng.assessment.tests.support import approved_single, make_world
from jineng.assessment.tests.test_papers import published_blueprint
from jineng.audit.models import AuditEntry
from jineng.core.errors import Conflict
from jineng.identity.testing import make_person
from jineng.reference.models import SkillLevel

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent connections"),
    pytest.mark.django_db(transaction=True),
]


def race(jobs: list[Callable[[], object]]) -> tuple[list[object], list[BaseException]]:
    barrier = threading.Barrier(len(jobs))
    results: list[object] = []
    errors: list[BaseException] = []

    def run(job: Callable[[], object]) -> None:
        try:
            barrier.wait()
            results.append(job())
        except BaseException as exc:  # collected for the assertions
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, errors


def test_registrations_at_once_never_overfill() -> None:
    world = make_world()
    services.licence_grant(
        actor=None,
        organisation=world.organisation,
        occupation=world.bank.occupation,
        levels="3",
        valid_from=dt.date(2026, 1, 1),
    )
    session = services.session_plan(
        actor=world.admin,
        organisation=world.organisation,
        occupation=world.bank.occupation,
        level=SkillLevel.ADVANCED,
        parts=[AssessmentPart.THEORY],
        starts_at=timezone.make_aware(dt.datetime(2026, 6, 1, 9, 0)),
        venue="考点",
        capacity=3,
    )
    people = [make_person() for _ in range(6)]
    jobs: list[Callable[[], object]] = [
        functools.partial(
            services.registration_create, actor=world.admin, session=session, person=p
        )
        for p in people
    ]
    results, errors = race(jobs)
    assert len(results) == 3 and len(errors) == 3
    assert all(isinstance(e, Conflict) and "已满" in e.message for e in errors)
    assert Registration.objects.filter(session=session).count() == 3
    assert AuditEntry.objects.filter(object_type="exam_registration").count() == 3


def test_one_paper_per_candidate_and_exact_exposure_under_concurrent_draws() -> None:
    world = make_world()
    for n in range(5):
        approved_single(world, world.root, n=n)
    blueprint = published_blueprint(world, count=3)
    twice = make_person()
    others = [make_person() for _ in range(3)]
    jobs: list[Callable[[], object]] = [
        *[
            (lambda: services.paper_draw(actor=world.admin, blueprint=blueprint, candidate=twice))
            for _ in range(3)
        ],
        *[
            functools.partial(
                services.paper_draw, actor=world.admin, blueprint=blueprint, candidate=p
            )
            for p in others
        ],
    ]
    results, errors = race(jobs)
    assert len(results) == 4 and len(errors) == 2
    assert all(isinstance(e, Conflict) for e in errors)
    assert Paper.objects.filter(candidate=twice).count() == 1
    for item in Item.objects.all():
        assert item.exposure_count == item_exposure(item=item)
    assert sum(i.exposure_count for i in Item.objects.all()) == 4 * 3
