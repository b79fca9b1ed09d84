"""On PostgreSQL: certificates issued at the same moment under one prefix get distinct, gap-free
serials (the counter row is locked until commit); a refused one takes none."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection, connections

from jineng.certificates.models import Certificate
from jineng.certificates.numbers import parse_number
from jineng.certificates.services import CertificateRefused, certificate_issue
from jineng.certificates.tests.conftest import ISSUED_ON, TURNER
from jineng.identity.testing import make_person
from jineng.organisations.models import Organisation

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


def test_concurrent_issue_is_gap_free(evaluation_org: Organisation) -> None:
    people = [make_person() for _ in range(8)]

    def issue(index: int) -> Callable[[], object]:
        # every third one asks for a level outside the licence: refused, no serial taken
        level = "2" if index % 3 == 2 else "4"
        return lambda: certificate_issue(
            actor=None,
            person=people[index],
            occupation=TURNER,
            level=level,
            issuer=evaluation_org,
            issued_on=ISSUED_ON,
        )

    results, errors = race([issue(i) for i in range(8)])
    assert len(errors) == 2 and all(isinstance(e, CertificateRefused) for e in errors)
    serials = sorted(
        parse_number(n).serial for n in Certificate.objects.values_list("number", flat=True)
    )
    assert serials == list(range(1, 7))
    assert len(results) == 6
