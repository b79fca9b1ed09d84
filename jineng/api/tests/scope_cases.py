"""The API app's own pages in the scope matrix (`jineng.web.tests.scope`); its operations are
described in `jineng/web/tests/test_scope_matrix.py`, except the token ones added later (below),
with the token page 我的登录令牌 (served by the web app, about this app's tokens)."""

from __future__ import annotations

from jineng.api.services import api_token_issue
from jineng.identity.models import Role
from jineng.web.tests.scope import ANON, GET, POST, Case, Req, role_api
from jineng.web.tests.world import Side


def _revoke_theirs(other: Side) -> list[Req]:
    """Revoking a token of the other side's worker by its id: 404, and it keeps working."""
    token, _ = api_token_issue(user=other.users[Role.WORKER])
    return [POST("/account/tokens/", {"token": token.pk}, ok=frozenset({404}))]


PAGES = {
    # Swagger UI: any logged-in user (the OpenAPI document it shows is public and names nobody).
    "api/v1/docs": Case(
        own=lambda s: GET("/api/v1/docs"),
        own_status=lambda role: 302 if role == ANON else 200,
    ),
    # 我的登录令牌: every logged-in account, its own tokens only.
    "account/tokens/": Case(
        own=lambda s: GET("/account/tokens/"),
        own_status=lambda role: 302 if role == ANON else 200,
        foreign=_revoke_theirs,
    ),
}

API = {
    # Each matrix request carries a fresh token; revoking it answers 200 for every role.
    ("POST", "/api/v1/auth/revoke"): Case(
        own=lambda s: POST("/api/v1/auth/revoke"), own_status=role_api(lambda role: 200)
    ),
}
