"""Schemathesis over /api/v1/openapi.json: every operation, called with generated requests as a
bureau officer of the small two-sided world, answers without a server error, with a status it
documents, a content type it documents and a body that matches its documented schema.

Bounded and repeatable: 25 examples per operation, derandomised, no deadline. All operations run in
one test (one world, one database) so the suite pays for the fixture once."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from config.wsgi import application
from jineng.api.services import api_token_issue
from jineng.identity.models import Role
from jineng.web.tests.world import World

pytestmark = pytest.mark.django_db

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
MAX_EXAMPLES = 25


def _run_operation(operation: Any, headers: dict[str, str]) -> None:
    @settings(
        max_examples=MAX_EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def run(case: Any) -> None:
        case.call_and_validate(headers=headers, checks=CHECKS)

    run()


@pytest.fixture
def wsgi_app() -> Iterator[Any]:
    """The project's WSGI application, keeping the test's database connection open across
    requests as Django's test client does: the real handler closes a connection that is inside a
    transaction when a request starts or ends, which would end the test's transaction. (Django's
    test client reconnects these receivers after each of its requests: do not use it here.)"""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield application
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def test_every_operation_conforms_to_its_schema(world: World, wsgi_app: Any) -> None:
    officer = world.a.users[Role.BUREAU_REVIEWER]
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", wsgi_app)
    failures: list[str] = []
    operations = 0
    timings: dict[str, float] = {}
    for result in schema.get_all_operations():
        operation = result.ok()  # type: ignore[union-attr]  # an Err raises here
        operations += 1
        # A fresh token for every operation: POST /auth/revoke may revoke the one in use.
        _, token = api_token_issue(user=officer)
        started = time.perf_counter()
        try:
            _run_operation(operation, {"Authorization": f"Bearer {token}"})
        except (Exception, BaseExceptionGroup) as exc:  # report every operation's failures
            failures.append(f"{operation.method.upper()} {operation.path}: {exc!r}"[:3000])
        timings[f"{operation.method.upper()} {operation.path}"] = time.perf_counter() - started
    print(sorted(timings.items(), key=lambda kv: -kv[1]))
    assert operations >= 10
    assert not failures, "\n\n".join(failures)

