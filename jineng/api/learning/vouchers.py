"""The training-voucher API (issue 8 §7), mounted in the learning router: the holder's vouchers
and claim; verification at enrolment by the institution's staff (by code); the bureau's batches
(list with the redemption rate, issue by rule) and cancellation. The same services as the pages;
a move another request made first answers 409 with the Chinese reason."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema

from jineng.api.schemas import ErrorOut
from jineng.identity.access import request_scope
from jineng.identity.models import User
from jineng.learning.access_training import (
    access_voucher_by_id,
    verifying_institutions,
    voucher_batches_visible_to,
    voucher_by_code,
    vouchers_visible_to,
)
from jineng.learning.errors import LearningForbidden
from jineng.learning.models import TrainingVoucher, VoucherBatch
from jineng.learning.selectors_vouchers import BatchStats, batch_stats
from jineng.learning.services import (
    voucher_batch_issue_by_rule,
    voucher_cancel,
    voucher_claim,
    voucher_verify,
)
from jineng.organisations.models import Organisation

router = Router(tags=["learning"])

ERRORS: dict[int, Any] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
}


class VoucherOut(Schema):
    id: int = Field(title="培训券编号")
    code: str = Field(title="券号", description="持券人出示的号码（二维码内容）")
    batch: int = Field(title="批次编号")
    batch_name: str = Field(title="批次名称")
    holder_name: str = Field(title="持券人")
    value_fen: int = Field(title="面额（分）")
    valid_from: dt.date = Field(title="有效期起")
    valid_until: dt.date = Field(title="有效期止")
    occupations: list[str] = Field(title="适用职业编码", description="空：不限职业")
    status: str = Field(title="状态代码")
    status_label: str = Field(title="状态")
    verified_institution: int | None = Field(title="核验机构编号")
    verified_occupation: str | None = Field(title="报名职业编码")


class VoucherListOut(Schema):
    vouchers: list[VoucherOut] = Field(title="培训券")


class VerifyIn(Schema):
    code: str = Field(min_length=1, max_length=20, title="券号")
    institution: int = Field(title="培训机构编号")
    occupation: str = Field(max_length=16, title="报名职业编码")
    enrolment_ref: str = Field(default="", max_length=100, title="报名记录")


class CancelIn(Schema):
    reason: str = Field(min_length=1, max_length=200, title="作废原因")


class BatchIn(Schema):
    region: str = Field(min_length=2, max_length=9, title="发放地区代码")
    name: str = Field(min_length=1, max_length=100, title="批次名称")
    value_fen: int = Field(ge=1, le=10_000_000, title="面额（分）")
    occupations: list[str] = Field(default_factory=list, title="适用职业编码")
    validity_days: int | None = Field(default=None, ge=1, title="有效天数")


class BatchOut(Schema):
    id: int = Field(title="批次编号")
    name: str = Field(title="批次名称")
    kind: str = Field(title="发放途径代码")
    kind_label: str = Field(title="发放途径")
    region: str = Field(title="发放地区代码")
    region_name: str = Field(title="发放地区")
    value_fen: int = Field(title="面额（分）")
    valid_from: dt.date = Field(title="有效期起")
    valid_until: dt.date = Field(title="有效期止")
    issued: int = Field(title="发放张数")
    claimed: int = Field(title="已领取张数", description="含已核验、已兑付")
    redeemed: int = Field(title="已兑付张数")
    expired: int = Field(title="已过期张数")
    cancelled: int = Field(title="已作废张数")
    redemption_rate: str = Field(title="兑付率", description="已兑付 ÷ 发放，百分比")


class BatchListOut(Schema):
    batches: list[BatchOut] = Field(title="发放批次")


def voucher_out(v: TrainingVoucher) -> VoucherOut:
    return VoucherOut(
        id=v.pk,
        code=v.code,
        batch=v.batch_id,
        batch_name=v.batch.name,
        holder_name=v.person.name,
        value_fen=v.value_fen,
        valid_from=v.valid_from,
        valid_until=v.valid_until,
        occupations=[o.pk for o in v.batch.occupations.all()],
        status=v.status,
        status_label=v.get_status_display(),
        verified_institution=v.verified_institution_id,
        verified_occupation=v.verified_occupation_id,
    )


def batch_out(b: VoucherBatch, s: BatchStats) -> BatchOut:
    return BatchOut(
        id=b.pk,
        name=b.name,
        kind=b.kind,
        kind_label=b.get_kind_display(),
        region=b.region_id,
        region_name=b.region.name,
        value_fen=b.value_fen,
        valid_from=b.valid_from,
        valid_until=b.valid_until,
        issued=s.issued,
        claimed=s.claimed,
        redeemed=s.redeemed,
        expired=s.expired,
        cancelled=s.cancelled,
        redemption_rate=s.redemption_rate,
    )


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@router.get("/vouchers", response={200: VoucherListOut, **ERRORS}, summary="本人的职业培训券")
def my_vouchers(request: HttpRequest) -> Any:
    person = _user(request).person
    if person is None:
        raise LearningForbidden("", "只有劳动者本人可以查看自己的培训券")
    vouchers = (
        vouchers_visible_to(_user(request), scope=request_scope(request))
        .filter(person=person)
        .select_related("batch", "person")
        .prefetch_related("batch__occupations")
    )
    return VoucherListOut(vouchers=[voucher_out(v) for v in vouchers])


@router.post(
    "/vouchers/{voucher_id}/claim",
    response={200: VoucherOut, **ERRORS},
    summary="领取培训券（仅持券人本人）",
)
def claim(request: HttpRequest, voucher_id: int) -> Any:
    voucher = access_voucher_by_id(_user(request), voucher_id, scope=request_scope(request))
    voucher_claim(actor=_user(request), voucher=voucher)
    return voucher_out(voucher)


@router.post(
    "/vouchers/verify",
    response={200: VoucherOut, **ERRORS},
    summary="报名时核验培训券（定点培训机构工作人员，按券号）",
)
def verify(request: HttpRequest, payload: VerifyIn) -> Any:
    scope = request_scope(request)
    voucher = voucher_by_code(scope, payload.code)
    if voucher is None:
        raise Http404("未找到可核验的培训券")
    allowed = scope.is_global or payload.institution in verifying_institutions(scope)
    institution = Organisation.objects.filter(pk=payload.institution).first()
    if institution is None or not allowed:
        raise Http404("培训机构不存在或不在您的查看范围内")
    voucher_verify(
        actor=_user(request),
        voucher=voucher,
        institution=institution,
        occupation=payload.occupation,
        on=timezone.localdate(),
        enrolment_ref=payload.enrolment_ref,
    )
    return voucher_out(voucher)


@router.post(
    "/vouchers/{voucher_id}/cancel",
    response={200: VoucherOut, **ERRORS},
    summary="作废培训券（人社局，须说明原因）",
)
def cancel(request: HttpRequest, voucher_id: int, payload: CancelIn) -> Any:
    scope = request_scope(request)
    voucher = access_voucher_by_id(_user(request), voucher_id, scope=scope)
    voucher_cancel(actor=_user(request), voucher=voucher, reason=payload.reason)
    return voucher_out(voucher)


@router.get(
    "/voucher-batches",
    response={200: BatchListOut, **ERRORS},
    summary="培训券发放批次及兑付率（限管辖区域）",
)
def batches(request: HttpRequest) -> Any:
    rows = list(
        voucher_batches_visible_to(_user(request), scope=request_scope(request))
        .select_related("region")
        .order_by("-created_at", "-id")[:200]
    )
    stats = batch_stats([b.pk for b in rows])
    return BatchListOut(batches=[batch_out(b, stats[b.pk]) for b in rows])


@router.post(
    "/voucher-batches",
    response={201: BatchOut, **ERRORS},
    summary="按条件发放培训券（本地区参保失业人员）",
)
def batch_issue(request: HttpRequest, payload: BatchIn) -> Any:
    batch = voucher_batch_issue_by_rule(
        actor=_user(request),
        region=payload.region,
        name=payload.name,
        value_fen=payload.value_fen,
        occupations=payload.occupations,
        validity_days=payload.validity_days,
    )
    batch = VoucherBatch.objects.select_related("region").get(pk=batch.pk)
    return 201, batch_out(batch, batch_stats([batch.pk])[batch.pk])
