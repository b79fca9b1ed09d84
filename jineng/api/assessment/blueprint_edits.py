"""Removing a rule or a section from a draft blueprint, mounted at /api/v1/assessment/manage
(issue 9 §2): `services.manage.rule_remove` / `section_remove`, answered with the
satisfiability check after the removal. A published blueprint refuses (409, in Chinese)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from jineng.api.assessment.manage_schemas import BlueprintOut
from jineng.api.schemas import ErrorOut
from jineng.assessment import access
from jineng.assessment.models import Blueprint, BlueprintRule
from jineng.assessment.services import BlueprintCheck
from jineng.assessment.services.manage import rule_remove, section_remove
from jineng.core.errors import NotFound
from jineng.identity.access import request_scope
from jineng.identity.models import User

router = Router(tags=["assessment-manage"])

ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


def _blueprint(request: HttpRequest, blueprint_id: int) -> tuple[User, Blueprint]:
    user = request.user
    assert isinstance(user, User)
    return user, access.access_blueprint_by_id(user, blueprint_id, scope=request_scope(request))


def _out(blueprint: Blueprint, check: BlueprintCheck) -> dict[str, Any]:
    blueprint.refresh_from_db(fields=["status"])
    return {
        "id": blueprint.pk,
        "name": blueprint.name,
        "status_label": blueprint.get_status_display(),
        "ok": check.ok,
        "problems": check.problems,
    }


@router.delete(
    "/blueprints/{blueprint_id}/rules/{rule_id}",
    response={200: BlueprintOut, **ERRORS},
    summary="删除草稿组卷规则中的一条抽题规则（返回删除后的检查）",
)
def rule_delete(request: HttpRequest, blueprint_id: int, rule_id: int) -> Any:
    user, blueprint = _blueprint(request, blueprint_id)
    rule = BlueprintRule.objects.filter(pk=rule_id, section__blueprint=blueprint).first()
    if rule is None:
        raise NotFound("rule", "抽题规则不属于该组卷规则")
    return _out(blueprint, rule_remove(actor=user, rule=rule))


@router.delete(
    "/blueprints/{blueprint_id}/sections/{section_id}",
    response={200: BlueprintOut, **ERRORS},
    summary="删除草稿组卷规则中的一个试卷部分及其规则（返回删除后的检查）",
)
def section_delete(request: HttpRequest, blueprint_id: int, section_id: int) -> Any:
    user, blueprint = _blueprint(request, blueprint_id)
    section = blueprint.sections.filter(pk=section_id).first()
    if section is None:
        raise NotFound("section", "试卷部分不属于该组卷规则")
    return _out(blueprint, section_remove(actor=user, section=section))
