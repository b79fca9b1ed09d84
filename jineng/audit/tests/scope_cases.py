"""The audit app's pages in the scope matrix (`jineng.web.tests.scope`); what each side reads of
the trail is tested in jineng/web/tests/test_audit_page.py."""

from __future__ import annotations

from jineng.identity.roles import CONSOLE_ROLES
from jineng.web.tests.scope import GET, LIST_OK, Case, role_page

PAGES = {
    "audit/export.xlsx": Case(
        own=lambda s: GET("/audit/export.xlsx"),
        own_status=role_page(CONSOLE_ROLES),
        foreign=lambda o: [GET(f"/audit/export.xlsx?operator={o.key}", ok=LIST_OK)],
    ),
}
