"""The integrity part of the claims API, mounted at /api/v1/claims/integrity: the flag queue (by
kind and status, with the evidence as a sentence), one flag's decision (clear or uphold with a
reason, through `flag_decide`), and the overdue list. Reads through `jineng.claims.access` (404
out of scope); a decision by someone without the role is 403 and changes nothing."""

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from jineng.api.claims.router import claim_out
from jineng.api.claims.schemas import ClaimOut
from jineng.api.pagination import MappedQuerySet, PageNumberPagination
from jineng.api.schemas import ErrorOut
from jineng.claims.access import claim_flags_visible_to
from jineng.claims.deadlines import deadline_of, overdue_claims
from jineng.claims.evidence import describe_evidence
from jineng.claims.models import Claim, ClaimFlag
from jineng.claims.services import flag_decide
from jineng.identity.access import scope_of
from jineng.identity.models import User

router = Router(tags=["claims"])
ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


class FlagFilter(Schema):
    kind: str = ""
    status: str = "open"


class FlagOut(Schema):
    id: int = Field(title="疑点编号")
    claim: int = Field(title="申领编号")
    beneficiary: str = Field(title="受益人")
    item_title: str = Field(title="事项")
    kind: str = Field(title="疑点类别")
    kind_label: str = Field(title="疑点类别（中文）")
    evidence: str = Field(title="依据")
    status: str = Field(
        title="核查状态", description="open 待核查 / cleared 核查无误 / upheld 确认问题"
    )
    status_label: str = Field(title="核查状态（中文）")
    reason: str = Field("", title="核查理由")


class DecisionIn(Schema):
    upheld: bool = Field(title="确认问题", description="true 确认问题；false 核查无误，解除疑点")
    reason: str = Field(title="核查理由", min_length=1, max_length=500)


class OverdueOut(ClaimOut):
    entered_on: dt.date = Field(title="进入当前环节日期")
    deadline_on: dt.date | None = Field(None, title="办理时限")
    working_days_over: int = Field(0, title="已超期工作日")


def flag_out(flag: ClaimFlag) -> dict[str, Any]:
    return {
        "id": flag.pk,
        "claim": flag.claim_id,
        "beneficiary": flag.claim.beneficiary_name,
        "item_title": flag.claim.item_title,
        "kind": flag.kind,
        "kind_label": flag.get_kind_display(),
        "evidence": describe_evidence(flag),
        "status": flag.status,
        "status_label": flag.get_status_display(),
        "reason": flag.reason,
    }


@router.get(
    "/flags", response={200: list[FlagOut], 401: ErrorOut}, summary="核查疑点（按类别、状态）"
)
@paginate(PageNumberPagination, page_size=50)
def flags_list(request: HttpRequest, filters: Query[FlagFilter]) -> Any:
    user = _user(request)
    flags = claim_flags_visible_to(user, scope=scope_of(user)).select_related(
        "claim__person", "claim__organisation"
    )
    if filters.kind:
        flags = flags.filter(kind=filters.kind)
    if filters.status:
        flags = flags.filter(status=filters.status)
    return MappedQuerySet(flags, flag_out)


@router.post(
    "/flags/{flag_id}/decision",
    response={200: FlagOut, **ERRORS},
    summary="核查疑点：解除或确认（须填理由）",
)
def flag_decision(request: HttpRequest, flag_id: int, payload: DecisionIn) -> Any:
    user = _user(request)
    flag = claim_flags_visible_to(user, scope=scope_of(user)).filter(pk=flag_id).first()
    if flag is None:
        raise Http404("核查疑点不存在或不在您的查看范围内")
    flag = flag_decide(actor=user, flag=flag, upheld=payload.upheld, reason=payload.reason)
    return flag_out(flag)


@router.get(
    "/overdue", response={200: list[OverdueOut], 401: ErrorOut}, summary="超过办理时限的申领"
)
@paginate(PageNumberPagination, page_size=50)
def overdue_list(request: HttpRequest) -> Any:
    user = _user(request)
    today = timezone.localdate()

    def out(claim: Claim) -> dict[str, Any]:
        entered: dt.datetime = claim.entered_at  # type: ignore[attr-defined]
        deadline = deadline_of(claim, entered, today)
        return {
            **claim_out(claim),
            "entered_on": timezone.localtime(entered).date(),
            "deadline_on": deadline.due_on if deadline else None,
            "working_days_over": deadline.days_over if deadline else 0,
        }

    return MappedQuerySet(overdue_claims(user, scope=scope_of(user), today=today), out)
