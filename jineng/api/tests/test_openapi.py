"""The OpenAPI 3 document at /api/v1/openapi.json lists every endpoint with typed schemas."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

EXPECTED = {
    ("get", "/api/v1/health"),
    ("post", "/api/v1/auth/token"),
    ("get", "/api/v1/me"),
    ("get", "/api/v1/people"),
    ("get", "/api/v1/people/{person_id}"),
    ("get", "/api/v1/people/{person_id}/facts"),
    ("post", "/api/v1/people/{person_id}/reveal"),
    ("get", "/api/v1/organisations"),
    ("get", "/api/v1/organisations/{organisation_id}"),
    ("get", "/api/v1/regions/{code}/children"),
}


@pytest.fixture
def schema(db: None) -> dict[str, Any]:
    resp = Client().get("/api/v1/openapi.json")
    assert resp.status_code == 200
    assert resp["Content-Type"].startswith("application/json")
    body: dict[str, Any] = resp.json()
    return body


def test_it_is_openapi_3_and_lists_every_endpoint(schema: dict[str, Any]) -> None:
    assert schema["openapi"].startswith("3.")
    listed = {(m, p) for p, ops in schema["paths"].items() for m in ops}
    # Other apps add their routers (e.g. /api/v1/policy); the scope matrix requires an entry for
    # every operation listed here, so this test only checks that ours are all documented.
    assert listed >= EXPECTED, sorted(EXPECTED - listed)


def test_bearer_auth_is_declared_and_only_health_and_token_are_open(schema: dict[str, Any]) -> None:
    assert schema["components"]["securitySchemes"]["BearerAuth"]["scheme"] == "bearer"
    open_ops = {
        (m, p)
        for p, ops in schema["paths"].items()
        for m, op in ops.items()
        if not op.get("security")
    }
    assert open_ops == {
        ("get", "/api/v1/health"),
        ("post", "/api/v1/auth/token"),
        ("post", "/api/v1/certificates/verify"),  # public verification (issue 9, 7)
        ("get", "/api/v1/certificates/jwks"),  # its public key, for offline verification
        # the player's heartbeats carry the signed stream token of their stream (issue 8 §2)
        ("post", "/api/v1/learning/stream-heartbeats"),
    }


def test_masked_schemas_have_no_plain_number_field(schema: dict[str, Any]) -> None:
    person = schema["components"]["schemas"]["PersonDetailOut"]["properties"]
    assert "id_number_masked" in person and "id_number" not in person
    assert "phone_masked" in person and "phone" not in person
    reveal_in = schema["components"]["schemas"]["RevealIn"]["properties"]
    assert reveal_in["field"]["enum"] == ["id_number", "phone", "bank_account"]


def test_errors_are_documented(schema: dict[str, Any]) -> None:
    responses = schema["paths"]["/api/v1/people/{person_id}"]["get"]["responses"]
    assert {"200", "401", "403", "404"} <= set(responses)
