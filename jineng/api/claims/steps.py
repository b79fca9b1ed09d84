"""A claim's steps, its 公示 objections and the account it pays into, at /api/v1/claims: the same
services as the claim's page (`claims.services.claim_step`, `claim_objection_raise` /
`claim_objection_answer`, `claim_account_confirm`), which decide and audit; a claim out of the
caller's reach is 404, a refusal 403 (not allowed) or 409 (not in that state) with its Chinese
reason, a read-only account 403."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema

from jineng.api.claims.router import claim_out
from jineng.api.claims.schemas import ClaimOut
from jineng.api.schemas import ErrorOut
from jineng.claims import services
from jineng.claims.access import access_claim_by_id, claims_visible_to, may_record_objection
from jineng.claims.models import Claim, ClaimObjection
from jineng.identity.access import request_scope
from jineng.identity.models import User

router = Router(tags=["claims"])
WRITE = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


class StepIn(Schema):
    action: Literal[
        "review", "approve", "return", "refuse", "close", "recover", "resubmit", "withdraw"
    ] = Field(
        title="办理操作",
        description="review 初审通过 / approve 复审通过并公示 / return 退回补正 / refuse 不予支持 / "
        "close 公示期满转待拨付 / recover 追回已拨付资金 / resubmit 补正后重新提交 / withdraw 撤回",
    )  # fmt: skip
    reason: str = Field(
        "", max_length=200, title="理由", description="退回、不予支持、追回、撤回必填"
    )
    decided_fen: int | None = Field(
        None, ge=0, title="核定金额（分）", description="酌定事项复审时由审批人在测算范围内核定"
    )


class AccountIn(Schema):
    account: str = Field(max_length=40, title="收款银行账号")
    reason: str = Field("", max_length=200, title="理由")


class ObjectionIn(Schema):
    text: str = Field(max_length=2000, title="异议内容")


class AnswerIn(Schema):
    answer: str = Field(max_length=200, title="答复")
    upheld: bool = Field(title="异议是否成立", description="成立则不予支持该申领")


class ObjectionOut(Schema):
    id: int = Field(title="异议编号")
    claim_id: int = Field(title="申领编号")
    text: str = Field(title="异议内容")
    raised_at: dt.datetime = Field(title="登记时间")
    answer: str = Field("", title="答复")
    upheld: bool | None = Field(None, title="异议是否成立")
    answered_at: dt.datetime | None = Field(None, title="答复时间")


def _claim(request: HttpRequest, claim_id: int, *, write: bool) -> tuple[User, Claim]:
    user = request.user
    assert isinstance(user, User)
    scope = request_scope(request)
    claim = access_claim_by_id(user, claim_id, scope=scope)
    if write and scope.read_only:
        raise PermissionDenied("只读账号不能办理")
    return user, claim


def objection_out(o: ClaimObjection) -> dict[str, Any]:
    return {
        "id": o.pk,
        "claim_id": o.claim_id,
        "text": o.text,
        "raised_at": o.raised_at,
        "answer": o.answer,
        "upheld": o.upheld if o.answered_at else None,
        "answered_at": o.answered_at,
    }


@router.post(
    "/{claim_id}/steps",
    response={200: ClaimOut, **WRITE},
    summary="办理申领：初审、复审、退回补正、不予支持、公示期满、追回、重新提交、撤回",
)
def claim_step(request: HttpRequest, claim_id: int, payload: StepIn) -> Any:
    user, claim = _claim(request, claim_id, write=True)
    claim = services.claim_step(
        actor=user,
        claim=claim,
        action=payload.action,
        reason=payload.reason.strip(),
        decided_fen=payload.decided_fen,
    )
    return claim_out(claim)


@router.post(
    "/{claim_id}/account",
    response={200: ClaimOut, **WRITE},
    summary="确认收款账户（本人或财务，账号脱敏返回）",
)
def claim_account(request: HttpRequest, claim_id: int, payload: AccountIn) -> Any:
    user, claim = _claim(request, claim_id, write=True)
    claim = services.claim_account_confirm(
        actor=user, claim=claim, account=payload.account, reason=payload.reason.strip()
    )
    return claim_out(claim)


@router.get(
    "/{claim_id}/objections",
    response={200: list[ObjectionOut], 401: ErrorOut, 404: ErrorOut},
    summary="申领的公示异议及答复",
)
def claim_objections(request: HttpRequest, claim_id: int) -> Any:
    _, claim = _claim(request, claim_id, write=False)
    return [objection_out(o) for o in claim.objections.order_by("pk")]


@router.post(
    "/{claim_id}/objections",
    response={201: ObjectionOut, **WRITE},
    summary="登记公示期间收到的异议（初审或审批人员）",
)
def claim_objection_raise(request: HttpRequest, claim_id: int, payload: ObjectionIn) -> Any:
    user, claim = _claim(request, claim_id, write=True)
    if not may_record_objection(user, claim, read_only=False):
        raise PermissionDenied("该申领不在公示期内，或您无权登记异议")
    objection = services.claim_objection_raise(actor=user, claim=claim, text=payload.text)
    return 201, objection_out(objection)


@router.post(
    "/objections/{objection_id}/answer",
    response={200: ObjectionOut, **WRITE},
    summary="答复公示异议（审批人员；成立则不予支持）",
)
def claim_objection_answer(request: HttpRequest, objection_id: int, payload: AnswerIn) -> Any:
    user = request.user
    assert isinstance(user, User)
    scope = request_scope(request)
    visible = claims_visible_to(user, scope=scope)
    found = ClaimObjection.objects.filter(pk=objection_id, claim__in=visible).first()
    if found is None:
        raise Http404
    if scope.read_only:
        raise PermissionDenied("只读账号不能办理")
    answered = services.claim_objection_answer(
        actor=user, objection=found, answer=payload.answer, upheld=payload.upheld
    )
    return objection_out(answered)
