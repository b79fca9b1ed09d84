"""A worker's own enrolment over the API, mounted at /api/v1/learning/enrolments: the classes
open to the caller, 报名 (with a claimed training voucher for a subsidised class), 退出 before the
class starts, and the institution's verification of the voucher on the roster. The same services
as the pages (`jineng.learning.services.enrol_self`); out of scope answers 404."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field as NinjaField
from ninja import Router, Schema

from jineng.api.learning.classes import ERRORS, ClassOut, SessionOut, _class_out, _user
from jineng.identity.access import request_scope
from jineng.learning.access_classes import (
    access_enrolment_by_id,
    access_open_class_by_id,
    classes_open_to,
)
from jineng.learning.errors import LearningForbidden
from jineng.learning.models import Enrolment, TrainingVoucher
from jineng.learning.services.enrol_self import (
    class_self_enrol,
    enrolment_voucher_verify,
    enrolment_withdraw,
)

router = Router(tags=["learning-enrolments"])


class OpenClassOut(ClassOut):
    seats_left: int
    sessions: list[SessionOut]


class SelfEnrolIn(Schema):
    class_id: int = NinjaField(title="培训班")
    voucher_id: int | None = NinjaField(default=None, title="使用的职业培训券（可不填）")


class WithdrawIn(Schema):
    reason: str = NinjaField(default="", max_length=200, title="退出原因")


class EnrolmentOut(Schema):
    id: int
    class_id: int
    class_name: str
    source: str
    status: str
    status_label: str
    voucher_id: int | None
    voucher_status: str | None
    voucher_status_label: str | None
    enrolled_at: dt.datetime


def _enrolment_out(e: Enrolment) -> EnrolmentOut:
    voucher = e.voucher
    return EnrolmentOut(
        id=e.pk,
        class_id=e.klass_id,
        class_name=e.klass.name,
        source=e.source,
        status=e.status,
        status_label=e.get_status_display(),
        voucher_id=voucher.pk if voucher else None,
        voucher_status=voucher.status if voucher else None,
        voucher_status_label=voucher.get_status_display() if voucher else None,
        enrolled_at=e.enrolled_at,
    )


@router.get(
    "/open-classes", response={200: list[OpenClassOut], **ERRORS}, summary="开放报名的培训班"
)
def open_classes(request: HttpRequest) -> Any:
    rows = (
        classes_open_to(_user(request), scope=request_scope(request))
        .select_related("course", "provider")
        .prefetch_related("sessions")
        .order_by("pk")[:100]
    )
    return [
        OpenClassOut(
            **_class_out(c),
            seats_left=c.seats_left,
            sessions=[
                SessionOut(
                    id=s.pk,
                    starts_at=s.starts_at,
                    ends_at=s.ends_at,
                    venue=s.venue,
                    has_point=s.has_point,
                )
                for s in c.sessions.all()
            ],
        )
        for c in rows
    ]


@router.post("", response={201: EnrolmentOut, **ERRORS}, summary="本人报名培训班（可使用培训券）")
def enrol(request: HttpRequest, payload: SelfEnrolIn) -> Any:
    user = _user(request)
    if user.person is None:
        raise LearningForbidden("", "只有劳动者本人可以报名")
    klass = access_open_class_by_id(user, payload.class_id, scope=request_scope(request))
    voucher = None
    if payload.voucher_id is not None:
        voucher = TrainingVoucher.objects.filter(pk=payload.voucher_id, person=user.person).first()
        if voucher is None:
            raise LearningForbidden("voucher_id", "只能使用本人的培训券")
    enrolment = class_self_enrol(actor=user, klass=klass, voucher=voucher)
    enrolment = Enrolment.objects.select_related("klass", "voucher").get(pk=enrolment.pk)
    return 201, _enrolment_out(enrolment)


@router.post(
    "/{enrolment_id}/withdraw",
    response={200: EnrolmentOut, **ERRORS},
    summary="开课前退出培训班（培训券退回）",
)
def withdraw(request: HttpRequest, enrolment_id: int, payload: WithdrawIn) -> Any:
    user = _user(request)
    enrolment = access_enrolment_by_id(user, enrolment_id, scope=request_scope(request))
    enrolment = enrolment_withdraw(actor=user, enrolment=enrolment, reason=payload.reason)
    return _enrolment_out(Enrolment.objects.select_related("klass", "voucher").get(pk=enrolment.pk))


@router.post(
    "/{enrolment_id}/verify-voucher",
    response={200: EnrolmentOut, **ERRORS},
    summary="培训机构核验学员报名使用的培训券",
)
def verify_voucher(request: HttpRequest, enrolment_id: int) -> Any:
    user = _user(request)
    enrolment = access_enrolment_by_id(user, enrolment_id, scope=request_scope(request))
    enrolment_voucher_verify(actor=user, enrolment=enrolment)
    return _enrolment_out(Enrolment.objects.select_related("klass", "voucher").get(pk=enrolment.pk))
