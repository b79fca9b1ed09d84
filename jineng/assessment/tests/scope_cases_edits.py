"""Scope-matrix cases of removing blueprint rules and sections (page and API) and of uploading
items through the API; merged into `scope_cases` (`PAGES`, `API`). Each own request works on a
fresh rule or section, so its status depends on the role only."""

from __future__ import annotations

from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from jineng.assessment.models import BlueprintRule, BlueprintSection
from jineng.assessment.services import rule_add, section_add
from jineng.web.assessment.manage_common import MANAGERS
from jineng.web.tests.scope import DELETE, POST, Case, role_page
from jineng.web.tests.world import Side

M = "/assessment/manage"
A = "/api/v1/assessment/manage"


def _fresh_section(side: Side) -> BlueprintSection:
    from jineng.assessment.tests.scope_cases import _blueprint_of

    return section_add(actor=None, blueprint=_blueprint_of(side), title="待删除", kind="single")


def _fresh_rule(side: Side) -> BlueprintRule:
    from jineng.assessment.tests.scope_cases import _point_of, _section_of

    return rule_add(
        actor=None, section=_section_of(side), point=_point_of(side), difficulty=3, count=1,
        points=Decimal("1"),
    )  # fmt: skip


def _rule_path(side: Side, prefix: str, suffix: str) -> str:
    rule = _fresh_rule(side)
    return f"{prefix}/blueprints/{rule.section.blueprint_id}/rules/{rule.pk}{suffix}"


def _section_path(side: Side, prefix: str, suffix: str) -> str:
    section = _fresh_section(side)
    return f"{prefix}/blueprints/{section.blueprint_id}/sections/{section.pk}{suffix}"


def _unreadable() -> dict[str, object]:
    return {"file": SimpleUploadedFile("试题.xlsx", b"not a spreadsheet")}


def cases() -> tuple[dict[str, Case], dict[tuple[str, str], Case]]:
    from jineng.assessment.tests.scope_cases import (
        AUTHOR_API,
        ORG_ADMIN,
        SEES_BANK,
        _api,
        _bank_of,
    )

    pages = {
        "assessment/manage/blueprints/<int:pk>/rules/<int:rule>/remove/": Case(
            own=lambda s: POST(_rule_path(s, M, "/remove/")),
            own_status=role_page(MANAGERS, ok=302),
            foreign=lambda o: [POST(_rule_path(o, M, "/remove/"))],
        ),
        "assessment/manage/blueprints/<int:pk>/sections/<int:section>/remove/": Case(
            own=lambda s: POST(_section_path(s, M, "/remove/")),
            own_status=role_page(MANAGERS, ok=302),
            foreign=lambda o: [POST(_section_path(o, M, "/remove/"))],
        ),
    }
    api = {
        ("DELETE", f"{A}/blueprints/{{blueprint_id}}/rules/{{rule_id}}"): Case(
            own=lambda s: DELETE(_rule_path(s, A, "")),
            own_status=_api(ORG_ADMIN, 200, sees=SEES_BANK),
            foreign=lambda o: [DELETE(_rule_path(o, A, ""))],
        ),
        ("DELETE", f"{A}/blueprints/{{blueprint_id}}/sections/{{section_id}}"): Case(
            own=lambda s: DELETE(_section_path(s, A, "")),
            own_status=_api(ORG_ADMIN, 200, sees=SEES_BANK),
            foreign=lambda o: [DELETE(_section_path(o, A, ""))],
        ),
        # an unreadable file: refused (400) for those who may write items, after the scope
        ("POST", f"{A}/banks/{{bank_id}}/items/import"): Case(
            own=lambda s: POST(f"{A}/banks/{_bank_of(s).pk}/items/import", _unreadable()),
            own_status=_api(AUTHOR_API, 400, sees=SEES_BANK),
            foreign=lambda o: [POST(f"{A}/banks/{_bank_of(o).pk}/items/import", _unreadable())],
        ),
    }
    return pages, api
