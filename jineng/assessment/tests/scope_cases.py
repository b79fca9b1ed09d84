"""The assessment pages and API in the scope matrix (`jineng.web.tests.scope`): each side's
organisation has a bank; the other side's bank and blueprint must answer 404."""

from __future__ import annotations

from jineng.assessment.models import Blueprint, QuestionBank
from jineng.assessment.services import bank_create, blueprint_create
from jineng.identity.models import ORG_ROLES, Role
from jineng.identity.roles import CONSOLE_ROLES
from jineng.reference.models import Occupation, SkillLevel
from jineng.web.tests.scope import GET, LIST_OK, Case, role_api, role_page
from jineng.web.tests.world import Side

BANK_ROLES = frozenset(ORG_ROLES | CONSOLE_ROLES)


def _bank_of(side: Side) -> QuestionBank:
    found = QuestionBank.objects.filter(organisation=side.org).first()
    if found is not None:
        return found
    occupation = Occupation.objects.order_by("code").first()
    assert occupation is not None
    return bank_create(
        actor=None,
        organisation=side.org,
        occupation=occupation,
        level=SkillLevel.ADVANCED,
        name=f"{side.org.name}题库",
    )


def _blueprint_of(side: Side) -> Blueprint:
    bank = _bank_of(side)
    found = Blueprint.objects.filter(bank=bank).first()
    return found or blueprint_create(actor=None, bank=bank, name="理论知识试卷")


def _api_status(role: str) -> int:
    return 200 if role in BANK_ROLES and role != Role.WORKER else 404


PAGES = {
    "assessment/banks/": Case(
        own=lambda s: GET("/assessment/banks/"), own_status=role_page(BANK_ROLES)
    ),
    "assessment/banks/<int:pk>/": Case(
        own=lambda s: GET(f"/assessment/banks/{_bank_of(s).pk}/"),
        own_status=role_page(BANK_ROLES),
        foreign=lambda o: [GET(f"/assessment/banks/{_bank_of(o).pk}/")],
    ),
}

API = {
    ("GET", "/api/v1/assessment/banks"): Case(
        own=lambda s: GET("/api/v1/assessment/banks"),
        own_status=role_api(lambda r: 200),
        foreign=lambda o: [GET("/api/v1/assessment/banks", ok=LIST_OK)],
    ),
    ("GET", "/api/v1/assessment/banks/{bank_id}"): Case(
        own=lambda s: GET(f"/api/v1/assessment/banks/{_bank_of(s).pk}"),
        own_status=role_api(_api_status),
        foreign=lambda o: [GET(f"/api/v1/assessment/banks/{_bank_of(o).pk}")],
    ),
    ("GET", "/api/v1/assessment/blueprints/{blueprint_id}/check"): Case(
        own=lambda s: GET(f"/api/v1/assessment/blueprints/{_blueprint_of(s).pk}/check"),
        own_status=role_api(_api_status),
        foreign=lambda o: [GET(f"/api/v1/assessment/blueprints/{_blueprint_of(o).pk}/check")],
    ),
}
