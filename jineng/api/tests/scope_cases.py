"""The API app's own pages in the scope matrix (`jineng.web.tests.scope`); its operations are
described in `jineng/web/tests/test_scope_matrix.py`."""

from __future__ import annotations

from jineng.web.tests.scope import ANON, GET, Case

PAGES = {
    # Swagger UI: any logged-in user (the OpenAPI document it shows is public and names nobody).
    "api/v1/docs": Case(
        own=lambda s: GET("/api/v1/docs"),
        own_status=lambda role: 302 if role == ANON else 200,
    ),
}
