"""The assessment write API, mounted at /api/v1/assessment/manage (issue 9 §10): banks,
knowledge points, items and their review, filing, blueprints, sessions, staffing and the
candidate's own registration. Each operation reads through the app's access functions (404 out
of scope) and writes through `jineng.assessment.services`; refusals are `DomainError`s answered
as JSON with the Chinese message and the field (400 bad input, 403 not allowed, 409 conflicts
with what is stored, 422 well-formed but unacceptable)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Router

from jineng.api.assessment.manage_schemas import (
    BankCreatedOut,
    BankIn,
    BlueprintIn,
    BlueprintOut,
    CriterionIn,
    FilingIn,
    ItemIn,
    ItemOut,
    ItemVersionIn,
    PointIn,
    PointOut,
    PointRenameIn,
    RegistrationOut,
    ReviewIn,
    RuleIn,
    RuleOut,
    SectionIn,
    SectionOut,
    SessionIn,
    SessionOut,
    StaffIn,
)
from jineng.api.schemas import ErrorOut
from jineng.assessment import access, services
from jineng.assessment.access_manage import (
    access_item_by_id,
    access_managed_session,
    access_open_session,
    access_point_by_id,
    staff_candidates,
)
from jineng.assessment.models import Blueprint, ExamSession, Item, QuestionBank
from jineng.assessment.services.manage import bank_filing_request, point_rename
from jineng.assessment.services.papers import section_name
from jineng.core.errors import Forbidden, NotFound
from jineng.identity.access import request_scope
from jineng.identity.models import User
from jineng.organisations.models import Organisation
from jineng.reference.models import Occupation

router = Router(tags=["assessment-manage"])

ERRORS: dict[int, Any] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
}


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _bank(request: HttpRequest, bank_id: int) -> QuestionBank:
    return access.access_bank_by_id(_user(request), bank_id, scope=request_scope(request))


def _blueprint(request: HttpRequest, blueprint_id: int) -> Blueprint:
    return access.access_blueprint_by_id(_user(request), blueprint_id, scope=request_scope(request))


def _organisation(request: HttpRequest, organisation_id: int) -> Organisation:
    """An organisation where the caller holds a role (404 otherwise: never a hint it exists)."""
    scope = request_scope(request)
    if not (scope.is_global or organisation_id in scope.organisation_roles):
        raise NotFound("organisation", "机构不存在或不在您的查看范围内")
    found = Organisation.objects.filter(pk=organisation_id).first()
    if found is None:
        raise NotFound("organisation", "机构不存在或不在您的查看范围内")
    return found


def _occupation(code: str) -> Occupation:
    found = Occupation.objects.filter(pk=code).first()
    if found is None:
        raise NotFound("occupation", f"职业编码“{code}”不在2022年版职业分类大典中")
    return found


def _item_out(item: Item) -> dict[str, Any]:
    return {
        "id": item.pk,
        "kind_label": item.get_kind_display(),
        "version": item.version,
        "status": item.status,
        "status_label": item.get_status_display(),
        "supersedes": item.supersedes_id,
    }


def _sheet(rows: list[CriterionIn]) -> list[services.Criterion]:
    return [
        services.Criterion(
            r.criterion,
            r.points,
            tuple(services.Deduction(d.reason, d.points) for d in r.deductions),
        )
        for r in rows
    ]


def _blueprint_out(blueprint: Blueprint) -> dict[str, Any]:
    check = services.blueprint_check(blueprint=blueprint)
    return {
        "id": blueprint.pk,
        "name": blueprint.name,
        "status_label": blueprint.get_status_display(),
        "ok": check.ok,
        "problems": check.problems,
    }


def _session_out(session: ExamSession) -> dict[str, Any]:
    return {
        "id": session.pk,
        "status": session.status,
        "status_label": session.get_status_display(),
        "staffing_problems": services.staffing_check(session=session),
    }


# --- banks, points, items -----------------------------------------------------------------


@router.post("/banks", response={201: BankCreatedOut, **ERRORS}, summary="新建题库")
def bank_create(request: HttpRequest, payload: BankIn) -> Any:
    bank = services.bank_create(
        actor=_user(request),
        organisation=_organisation(request, payload.organisation),
        occupation=_occupation(payload.occupation),
        level=payload.level,
        name=payload.name,
    )
    return 201, {
        "id": bank.pk,
        "name": bank.name,
        "level_label": bank.get_level_display(),
        "filing_status_label": bank.get_filing_status_display(),
    }


@router.post("/banks/{bank_id}/points", response={201: PointOut, **ERRORS}, summary="添加鉴定要素")
def point_create(request: HttpRequest, bank_id: int, payload: PointIn) -> Any:
    bank = _bank(request, bank_id)
    parent = None
    if payload.parent is not None:
        parent = bank.points.filter(pk=payload.parent).first()
        if parent is None:
            raise NotFound("parent", "上级要素不属于该题库")
    point = services.point_add(
        actor=_user(request), bank=bank, code=payload.code, name=payload.name, parent=parent
    )
    return 201, {"id": point.pk, "code": point.code, "name": point.name, "parent": point.parent_id}


@router.post(
    "/points/{point_id}/rename", response={200: PointOut, **ERRORS}, summary="鉴定要素改名"
)
def point_update(request: HttpRequest, point_id: int, payload: PointRenameIn) -> Any:
    point = access_point_by_id(_user(request), point_id, scope=request_scope(request))
    point = point_rename(actor=_user(request), point=point, name=payload.name)
    return {"id": point.pk, "code": point.code, "name": point.name, "parent": point.parent_id}


@router.post(
    "/banks/{bank_id}/items", response={201: ItemOut, **ERRORS}, summary="新增试题（草稿）"
)
def item_create(request: HttpRequest, bank_id: int, payload: ItemIn) -> Any:
    bank = _bank(request, bank_id)
    point = bank.points.filter(pk=payload.point).first()
    if point is None:
        raise NotFound("point", "鉴定要素不属于该题库")
    item = services.item_create(
        actor=_user(request),
        bank=bank,
        point=point,
        kind=payload.kind,
        difficulty=payload.difficulty,
        stem=payload.stem,
        options=payload.options,
        answer=payload.answer,
        reference_answer=payload.reference_answer,
        sheet=_sheet(payload.sheet),
    )
    return 201, _item_out(item)


@router.post(
    "/items/{item_id}/versions",
    response={201: ItemOut, **ERRORS},
    summary="为审核通过的试题生成新版本",
)
def item_version(request: HttpRequest, item_id: int, payload: ItemVersionIn) -> Any:
    item = access_item_by_id(_user(request), item_id, scope=request_scope(request))
    changes: dict[str, Any] = {
        k: v
        for k, v in payload.dict(exclude_unset=True).items()
        if k not in ("point", "sheet") and v is not None
    }
    if "answer" in payload.model_fields_set:
        changes["answer"] = payload.answer
    if payload.point is not None:
        point = item.bank.points.filter(pk=payload.point).first()
        if point is None:
            raise NotFound("point", "鉴定要素不属于该题库")
        changes["point"] = point
    if payload.sheet is not None:
        changes["sheet"] = _sheet(payload.sheet)
    new = services.item_supersede(actor=_user(request), item=item, **changes)
    return 201, _item_out(new)


@router.post("/items/{item_id}/submit", response={200: ItemOut, **ERRORS}, summary="提交审核")
def item_submit(request: HttpRequest, item_id: int) -> Any:
    item = access_item_by_id(_user(request), item_id, scope=request_scope(request))
    return _item_out(services.item_submit(actor=_user(request), item=item))


@router.post(
    "/items/{item_id}/review",
    response={200: ItemOut, **ERRORS},
    summary="审核试题（命题人不能审核自己的试题）",
)
def item_review(request: HttpRequest, item_id: int, payload: ReviewIn) -> Any:
    item = access_item_by_id(_user(request), item_id, scope=request_scope(request))
    if payload.approve:
        item = services.item_approve(actor=_user(request), item=item, reason=payload.reason)
    else:
        item = services.item_reject(actor=_user(request), item=item, reason=payload.reason)
    return _item_out(item)


@router.post(
    "/banks/{bank_id}/filing",
    response={200: BankCreatedOut, **ERRORS},
    summary="登记题库备案（人社局）",
)
def bank_filing(request: HttpRequest, bank_id: int, payload: FilingIn) -> Any:
    bank = services.bank_file(
        actor=_user(request),
        bank=_bank(request, bank_id),
        filed_on=payload.filed_on,
        reference=payload.reference,
    )
    return {
        "id": bank.pk,
        "name": bank.name,
        "level_label": bank.get_level_display(),
        "filing_status_label": bank.get_filing_status_display(),
    }


@router.post(
    "/banks/{bank_id}/filing-request",
    response={200: BankCreatedOut, **ERRORS},
    summary="申请题库备案（开发机构）",
)
def bank_filing_request_view(request: HttpRequest, bank_id: int) -> Any:
    bank = bank_filing_request(actor=_user(request), bank=_bank(request, bank_id))
    return {
        "id": bank.pk,
        "name": bank.name,
        "level_label": bank.get_level_display(),
        "filing_status_label": bank.get_filing_status_display(),
    }


# --- blueprints ---------------------------------------------------------------------------


@router.post(
    "/banks/{bank_id}/blueprints", response={201: BlueprintOut, **ERRORS}, summary="新建组卷规则"
)
def blueprint_create(request: HttpRequest, bank_id: int, payload: BlueprintIn) -> Any:
    blueprint = services.blueprint_create(
        actor=_user(request),
        bank=_bank(request, bank_id),
        name=payload.name,
        pass_line=payload.pass_line,
        fixed=payload.fixed,
    )
    return 201, _blueprint_out(blueprint)


@router.post(
    "/blueprints/{blueprint_id}/sections",
    response={201: SectionOut, **ERRORS},
    summary="添加试卷部分",
)
def section_create(request: HttpRequest, blueprint_id: int, payload: SectionIn) -> Any:
    section = services.section_add(
        actor=_user(request),
        blueprint=_blueprint(request, blueprint_id),
        title=payload.title,
        kind=payload.kind,
    )
    return 201, {"id": section.pk, "name": section_name(section)}


@router.post(
    "/blueprints/{blueprint_id}/rules", response={201: RuleOut, **ERRORS}, summary="添加抽题规则"
)
def rule_create(request: HttpRequest, blueprint_id: int, payload: RuleIn) -> Any:
    blueprint = _blueprint(request, blueprint_id)
    section = blueprint.sections.filter(pk=payload.section).first()
    point = blueprint.bank.points.filter(pk=payload.point).first()
    if section is None or point is None:
        raise NotFound(
            "section" if section is None else "point", "试卷部分或鉴定要素不属于该组卷规则"
        )
    rule = services.rule_add(
        actor=_user(request),
        section=section,
        point=point,
        difficulty=payload.difficulty,
        count=payload.count,
        points=Decimal(payload.points),
    )
    return 201, {"id": rule.pk}


@router.post(
    "/blueprints/{blueprint_id}/publish",
    response={200: BlueprintOut, **ERRORS},
    summary="发布组卷规则（先检查题库能否满足）",
)
def blueprint_publish(request: HttpRequest, blueprint_id: int) -> Any:
    blueprint = services.blueprint_publish(
        actor=_user(request), blueprint=_blueprint(request, blueprint_id)
    )
    return _blueprint_out(blueprint)


# --- sessions -----------------------------------------------------------------------------


@router.post(
    "/sessions",
    response={201: SessionOut, **ERRORS},
    summary="安排考试批次（限本机构认定范围）",
)
def session_create(request: HttpRequest, payload: SessionIn) -> Any:
    session = services.session_plan(
        actor=_user(request),
        organisation=_organisation(request, payload.organisation),
        occupation=_occupation(payload.occupation),
        level=payload.level,
        parts=payload.parts,
        starts_at=payload.starts_at,
        venue=payload.venue,
        capacity=payload.capacity,
        rooms=payload.rooms,
    )
    return 201, _session_out(session)


@router.get(
    "/sessions/{session_id}", response={200: SessionOut, **ERRORS}, summary="考试批次与配备检查"
)
def session_read(request: HttpRequest, session_id: int) -> Any:
    session = access_managed_session(_user(request), session_id, scope=request_scope(request))
    return _session_out(session)


@router.post(
    "/sessions/{session_id}/staff", response={201: SessionOut, **ERRORS}, summary="安排考务人员"
)
def staff_create(request: HttpRequest, session_id: int, payload: StaffIn) -> Any:
    session = access_managed_session(_user(request), session_id, scope=request_scope(request))
    if not access.can_run_sessions(_user(request), session.organisation_id):
        raise Forbidden("session", "无权为该考试批次安排考务人员")
    person = staff_candidates(session).filter(pk=payload.person).first()
    if person is None:
        raise NotFound("person", "该人员不是该职业的有效考评员，也不是本机构人员")
    services.staff_assign(actor=_user(request), session=session, part=payload.part, person=person)
    return 201, _session_out(session)


@router.post(
    "/sessions/{session_id}/open",
    response={200: SessionOut, **ERRORS},
    summary="开考（先检查考务人员配备）",
)
def session_open(request: HttpRequest, session_id: int) -> Any:
    session = access_managed_session(_user(request), session_id, scope=request_scope(request))
    return _session_out(services.session_open(actor=_user(request), session=session))


@router.post(
    "/sessions/{session_id}/registrations",
    response={201: RegistrationOut, **ERRORS},
    summary="本人报名考试批次（核对申报条件）",
)
def registration_create(request: HttpRequest, session_id: int, retake: bool = False) -> Any:
    """`retake=true`: a candidate who failed a part earlier sits only the failed part(s), the
    passed ones retained for `ASSESSMENT_PART_RETENTION_DAYS` (单科成绩保留)."""
    person = _user(request).person
    if person is None:
        raise Forbidden("person", "账号未关联人员，不能报名")
    session = access_open_session(session_id)
    registration = services.registration_create(
        actor=_user(request), session=session, person=person, retake=retake
    )
    condition = registration.condition.description if registration.condition else ""
    return 201, {"id": registration.pk, "session": session.pk, "condition": condition}
