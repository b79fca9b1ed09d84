"""Schemathesis over /api/v1/openapi.json: every operation, called with generated requests as a
bureau officer of the small two-sided world, answers without a server error, with a status it
documents, a content type it documents and a body that matches its documented schema.

Bounded and repeatable: 25 examples per operation, derandomised, no deadline. All operations run in
one test (one world, one database) so the suite pays for the fixture once."""

from __future__ import annotations

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
    for result in schema.get_all_operations():
        operation = result.ok()  # type: ignore[union-attr]  # an Err raises here
        operations += 1
        # A fresh token for every operation: POST /auth/revoke may revoke the one in use.
        _, token = api_token_issue(user=officer)
        try:
            _run_operation(operation, {"Authorization": f"Bearer {token}"})
        except (Exception, BaseExceptionGroup) as exc:  # report every operation's failures
            failures.append(f"{operation.method.upper()} {operation.path}: {exc!r}"[:3000])
    # Generated ids rarely exist: check the answers about the world's own rows as well, so the
    # documented 200 schemas (the typed facts document, the labels) are checked on real data.
    _, token = api_token_issue(user=officer)
    headers = {"Authorization": f"Bearer {token}"}
    real: list[tuple[str, str, dict[str, Any]]] = [
        ("/api/v1/people/{person_id}", "GET", {"person_id": world.a.person.pk}),
        ("/api/v1/people/{person_id}/facts", "GET", {"person_id": world.a.person.pk}),
        ("/api/v1/organisations/{organisation_id}", "GET", {"organisation_id": world.a.org.pk}),
        ("/api/v1/regions/{code}/children", "GET", {"code": "441900"}),
    ]
    for path, method, params in real:
        case = schema[path][method].Case(path_parameters=params)
        response = case.call_and_validate(headers=headers, checks=CHECKS)
        assert response.status_code == 200, (path, response.text)
    assert operations >= 10
    assert not failures, "\n\n".join(failures)
