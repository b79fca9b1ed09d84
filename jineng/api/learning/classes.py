"""The class and attendance API, mounted at /api/v1/learning/classes: the classes the caller may
see, one class with its sessions, a session's attendance, and the check-in a trainee's phone
posts after scanning the QR. Access: jineng.learning.access_classes (404 out of scope); the
services refuse with Chinese reasons (a check-in refusal is 422 with `field` naming why)."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field as NinjaField
from ninja import Router, Schema

from jineng.api.schemas import ErrorOut
from jineng.identity.access import request_scope
from jineng.identity.models import User
from jineng.learning.access_classes import (
    access_class_by_id,
    access_session_by_id,
    classes_visible_to,
    runs_class,
)
from jineng.learning.errors import CheckInRefused, LearningForbidden
from jineng.learning.models import AttendanceKind, TrainingClass
from jineng.learning.services.attendance import Device, attendance_check_in

router = Router(tags=["learning-classes"])
ERRORS: dict[int, Any] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
}


class SessionOut(Schema):
    id: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    venue: str
    has_point: bool


class ClassOut(Schema):
    id: int
    name: str
    course: int
    course_title: str
    provider_name: str
    occupation: str
    level: str
    subsidised: bool
    capacity: int
    enrolled: int
    status: str
    status_label: str


class ClassDetailOut(ClassOut):
    sessions: list[SessionOut]


class AttendanceRowOut(Schema):
    enrolment: int
    name: str
    checked_in_at: dt.datetime | None
    checked_out_at: dt.datetime | None
    method_label: str


class CheckInIn(Schema):
    token: str = NinjaField(max_length=80, title="二维码中的签到令牌")
    image: str = NinjaField(max_length=3_000_000, title="现场照片（JPEG，Base64）")
    lat: float | None = NinjaField(default=None, ge=-90, le=90, title="纬度")
    lng: float | None = NinjaField(default=None, ge=-180, le=180, title="经度")


class CheckInOut(Schema):
    attendance: int
    session: int
    kind: str
    kind_label: str
    at: dt.datetime


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _class_out(c: TrainingClass) -> dict[str, Any]:
    return {
        "id": c.pk,
        "name": c.name,
        "course": c.course_id,
        "course_title": c.course.title,
        "provider_name": c.provider.name,
        "occupation": c.occupation_id,
        "level": c.level,
        "subsidised": c.subsidised,
        "capacity": c.capacity,
        "enrolled": c.enrolled,
        "status": c.status,
        "status_label": c.get_status_display(),
    }


@router.get("", response={200: list[ClassOut], **ERRORS}, summary="可查看的培训班")
def class_list(request: HttpRequest) -> Any:
    qs = classes_visible_to(_user(request), scope=request_scope(request))
    rows = qs.select_related("course", "provider").order_by("-created_at", "-id")[:200]
    return [ClassOut(**_class_out(c)) for c in rows]


@router.get(
    "/sessions/{session_id}/attendance",
    response={200: list[AttendanceRowOut], **ERRORS},
    summary="课次考勤表（培训机构；人社局限辖区）",
)
def session_attendance(request: HttpRequest, session_id: int) -> Any:
    scope = request_scope(request)
    session = access_session_by_id(_user(request), session_id, scope=scope)
    if not runs_class(scope, session.klass) and not scope.covers_region(
        session.klass.provider.region_id
    ):
        raise LearningForbidden("", "学员不能查看全班考勤")
    records = {(a.enrolment_id, a.kind): a for a in session.attendance.all()}
    out = []
    for e in session.klass.enrolments.select_related("person").order_by("pk"):
        came = records.get((e.pk, AttendanceKind.CHECK_IN))
        left = records.get((e.pk, AttendanceKind.CHECK_OUT))
        out.append(
            AttendanceRowOut(
                enrolment=e.pk,
                name=e.person.name,
                checked_in_at=came.at if came else None,
                checked_out_at=left.at if left else None,
                method_label=came.get_method_display() if came else "",
            )
        )
    return out


@router.post(
    "/checkin",
    response={201: CheckInOut, **ERRORS},
    summary="扫码签到（本人现场照片，上课地点限定时须提供位置）",
)
def checkin(request: HttpRequest, payload: CheckInIn) -> Any:
    user = _user(request)
    if user.person is None:
        raise LearningForbidden("", "只有学员本人可以签到")
    data = payload.image.partition(",")[2] if payload.image.startswith("data:") else payload.image
    try:
        image = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise CheckInRefused("face", "现场照片格式无效") from None
    record = attendance_check_in(
        actor=user,
        person=user.person,
        token=payload.token,
        image=image,
        lat=payload.lat,
        lng=payload.lng,
        device=Device(
            user_agent=str(request.META.get("HTTP_USER_AGENT", ""))[:300],
            ip=request.META.get("REMOTE_ADDR") or None,
        ),
    )
    return 201, CheckInOut(
        attendance=record.pk,
        session=record.session_id,
        kind=record.kind,
        kind_label=record.get_kind_display(),
        at=record.at,
    )


# Last: "/{class_id}" would otherwise take "/checkin" (routes match in declaration order).
@router.get("/{class_id}", response={200: ClassDetailOut, **ERRORS}, summary="培训班及其课次")
def class_detail(request: HttpRequest, class_id: int) -> Any:
    klass = access_class_by_id(_user(request), class_id, scope=request_scope(request))
    sessions = [
        SessionOut(
            id=s.pk, starts_at=s.starts_at, ends_at=s.ends_at, venue=s.venue, has_point=s.has_point
        )
        for s in klass.sessions.all()
    ]
    return ClassDetailOut(**_class_out(klass), sessions=sessions)
