"""The assessment API, mounted at /api/v1/assessment: banks in the caller's scope, one bank's
contents, and a blueprint's satisfiability check. Reads only; access is decided in
`jineng.assessment.access` (404 out of scope)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from jineng.api.assessment.schemas import BankDetailOut, BankOut, BlueprintCheckOut
from jineng.api.schemas import ErrorOut
from jineng.assessment import selectors
from jineng.assessment.access import access_blueprint_by_id, banks_visible_to
from jineng.assessment.models import QuestionBank
from jineng.assessment.services import blueprint_check
from jineng.identity.models import User

router = Router(tags=["assessment"])

ERRORS: dict[int, Any] = {401: ErrorOut, 404: ErrorOut}


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _bank(bank: QuestionBank) -> dict[str, Any]:
    return {
        "id": bank.pk,
        "name": bank.name,
        "occupation": bank.occupation_id,
        "occupation_name": bank.occupation.name,
        "level": bank.level,
        "level_label": bank.get_level_display(),
        "organisation_name": bank.organisation.name,
        "filing_status": bank.filing_status,
        "filing_status_label": bank.get_filing_status_display(),
        "filed_on": bank.filed_on,
    }


@router.get("/banks", response={200: list[BankOut], **ERRORS}, summary="题库列表")
def banks(request: HttpRequest) -> Any:
    """The banks the caller may see (at most 200, by name)."""
    return [_bank(b) for b in banks_visible_to(_user(request)).order_by("name", "pk")[:200]]


@router.get("/banks/{bank_id}", response={200: BankDetailOut, **ERRORS}, summary="题库详情")
def bank(request: HttpRequest, bank_id: int) -> Any:
    detail = selectors.bank_detail(user=_user(request), bank_id=bank_id)
    return {
        **_bank(detail.bank),
        "points": [p.__dict__ for p in detail.points],
        "status_counts": [{"status_label": s, "items": n} for s, n in detail.status_counts],
        "blueprints": [{**b.__dict__, "ok": not b.problems} for b in detail.blueprints],
    }


@router.get(
    "/blueprints/{blueprint_id}/check",
    response={200: BlueprintCheckOut, **ERRORS},
    summary="检查组卷规则能否由题库满足",
)
def blueprint_check_view(request: HttpRequest, blueprint_id: int) -> Any:
    blueprint = access_blueprint_by_id(_user(request), blueprint_id)
    check = blueprint_check(blueprint=blueprint)
    return {
        "id": blueprint.pk,
        "name": blueprint.name,
        "status_label": blueprint.get_status_display(),
        "pass_line": f"{blueprint.pass_line.normalize():f}",
        "ok": check.ok,
        "problems": check.problems,
    }


# The exam, marking and results operations (issue 9 §4–§5).
from jineng.api.assessment.exam import router as exam_router  # noqa: E402

router.add_router("", exam_router)
# The organisation's and bureau's write operations (issue 9 §10).
from jineng.api.assessment.manage import router as manage_router  # noqa: E402

router.add_router("/manage", manage_router)
# Exam-room records and the panel review (issue 9 §3, §5).
from jineng.api.assessment.rooms import router as rooms_router  # noqa: E402

router.add_router("", rooms_router)
from jineng.api.assessment.uploads import router as uploads_router  # noqa: E402

router.add_router("/manage", uploads_router)
from jineng.api.assessment.blueprint_edits import router as blueprint_edits_router  # noqa: E402

router.add_router("/manage", blueprint_edits_router)
