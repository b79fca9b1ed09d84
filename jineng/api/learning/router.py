"""The learning API, mounted at /api/v1/learning: search the catalogue, open a stream, send
heartbeats, read a ledger. Endpoints validate and orchestrate only: access is decided by
jineng.learning.access (404 out of scope) and the services (403, Chinese errors)."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from ninja import Field as NinjaField
from ninja import File as NinjaFile
from ninja import Query, Router, Schema
from ninja.files import UploadedFile

from jineng.api.learning.heartbeat import (
    captured_image,
    check_answer_out,
    heartbeat_answer,
    heartbeat_lesson,
)
from jineng.api.learning.lean import stream_heartbeat_answer
from jineng.api.learning.schemas import (
    CheckAnswerOut,
    CourseOut,
    CoursePageOut,
    HeartbeatIn,
    HeartbeatOut,
    LedgerOut,
    LessonLedgerOut,
    SegmentOut,
    StreamHeartbeatIn,
    StreamIn,
    StreamOut,
)
from jineng.api.schemas import ErrorOut
from jineng.identity.access import access_person_by_id, request_scope
from jineng.identity.models import Person, User
from jineng.learning import selectors
from jineng.learning.access import access_lesson_by_id
from jineng.learning.errors import LearningForbidden
from jineng.learning.models import Course, CourseStatus
from jineng.learning.services import learning_check_answer, learning_stream_open
from jineng.learning.services.checks import check_is_persons
from jineng.learning.stream_tokens import stream_token

router = Router(tags=["learning"])

ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _learner(request: HttpRequest) -> Person:
    person = _user(request).person
    if person is None:
        raise LearningForbidden("", "只有劳动者本人可以学习")
    return person


class CourseQuery(Schema):
    q: str = NinjaField(default="", max_length=100, title="搜索词")
    occupation: str | None = NinjaField(default=None, max_length=16, title="职业编码")
    level: str | None = NinjaField(default=None, max_length=2, title="等级代码")
    provider: int | None = NinjaField(default=None, title="开课机构编号")
    town: str | None = NinjaField(default=None, max_length=9, title="所在地区代码")
    mode: str | None = NinjaField(default=None, max_length=10, title="授课方式代码")
    page: int = NinjaField(default=1, ge=1, le=100_000, title="页码")
    per_page: int = NinjaField(default=20, ge=1, le=100, title="每页条数")


def course_out(c: Course) -> CourseOut:
    return CourseOut(
        id=c.pk,
        title=c.title,
        description=c.description,
        occupation=c.occupation_id,
        occupation_name=c.occupation.name,
        level=c.level,
        level_label=c.get_level_display(),
        planned_hours=c.planned_hours,
        provider=c.provider_id,
        provider_name=c.provider.name,
        mode=c.mode,
        mode_label=c.get_mode_display(),
        funding=c.funding,
        funding_label=c.get_funding_display(),
        status=c.status,
        status_label=c.get_status_display(),
        published_at=c.published_at,
    )


@router.get("/courses", response={200: CoursePageOut, **ERRORS}, summary="课程目录：中文检索与筛选")
def courses(request: HttpRequest, filters: Query[CourseQuery]) -> Any:
    result = selectors.course_search(
        user=_user(request),
        q=filters.q,
        occupation=filters.occupation,
        level=filters.level,
        provider=filters.provider,
        town=filters.town,
        mode=filters.mode,
        status=CourseStatus.PUBLISHED,
        page=filters.page,
        per_page=filters.per_page,
        scope=request_scope(request),
    )
    return CoursePageOut(
        items=[course_out(c) for c in result.items],
        total=result.total,
        page=result.page,
        per_page=result.per_page,
        pages=result.pages,
        terms=result.terms,
    )


@router.post(
    "/streams",
    response={201: StreamOut, **ERRORS},
    summary="开始学习一个课时（同一人只保留一个学习中的设备）",
)
def stream_open(request: HttpRequest, payload: StreamIn) -> Any:
    person = _learner(request)
    lesson = access_lesson_by_id(_user(request), payload.lesson, scope=request_scope(request))
    stream = learning_stream_open(
        actor=_user(request), person=person, lesson=lesson, device=payload.device
    )
    return 201, StreamOut(
        stream=stream.pk,
        lesson=lesson.pk,
        state=stream.state,
        state_label=stream.get_state_display(),
        token=stream_token(person_id=person.pk, lesson_id=lesson.pk, stream_id=stream.pk),
    )


@router.post(
    "/heartbeats",
    response={200: HeartbeatOut, **ERRORS},
    summary="学习心跳：由服务器核实并认定学习时长",
)
def heartbeat(request: HttpRequest, payload: HeartbeatIn) -> Any:
    person = _learner(request)
    lesson = heartbeat_lesson(_user(request), payload.lesson, scope=request_scope(request))
    return heartbeat_answer(
        person=person,
        lesson=lesson,
        stream=payload.stream,
        position=payload.position_seconds,
        visible=payload.visible,
    )


@router.post(
    "/stream-heartbeats",
    auth=None,
    response={200: HeartbeatOut, **ERRORS},
    summary="学习心跳（学习凭证）：由服务器核实并认定学习时长",
    description="用开始学习时得到的学习凭证发送，不需登录令牌；凭证限本人、本课时、本学习记录，"
    "短期有效，过期后重新开始学习。结果与 /learning/heartbeats 相同。",
)
def stream_heartbeat(request: HttpRequest, payload: StreamHeartbeatIn) -> Any:
    # Normally answered before the API by jineng.api.learning.lean.LeanRoutesMiddleware.
    return stream_heartbeat_answer(payload.dict())


@router.post(
    "/checks/{check_id}/answer",
    response={200: CheckAnswerOut, **ERRORS},
    summary="学习过程人脸核验：提交摄像头实时拍摄的照片",
    description="心跳返回 check 时调用；照片须来自摄像头实时拍摄（multipart 字段 image，JPEG）。"
    "核验未通过或超时，上次核验通过后的学习时长作废。",
)
def check_answer(
    request: HttpRequest, check_id: int, image: NinjaFile[UploadedFile | None] = None
) -> Any:
    # `image` optional here so that a refusal (403, 404) comes before a missing photo (400).
    person = _learner(request)
    if not check_is_persons(person=person, check_id=check_id):
        raise Http404("人脸抽查不存在")
    check = learning_check_answer(
        actor=_user(request), person=person, check=check_id, image=captured_image(image)
    )
    return check_answer_out(check)


def _ledger(request: HttpRequest, person: Person) -> LedgerOut:
    user = _user(request)
    scope = request_scope(request)
    lessons = []
    for p in selectors.person_lesson_progress(user=user, person=person, scope=scope):
        ledger = selectors.lesson_ledger(user=user, person=person, lesson=p.lesson, scope=scope)
        lessons.append(
            LessonLedgerOut(
                lesson=p.lesson.pk,
                lesson_title=p.lesson.title,
                course=p.lesson.chapter.course.pk,
                course_title=p.lesson.chapter.course.title,
                duration_ms=ledger.duration_ms,
                credited_ms=ledger.credited_ms,
                completed_at=ledger.completed_at,
                segments=[
                    SegmentOut(start_ms=s.start_ms, end_ms=s.end_ms, at=s.at)
                    for s in ledger.segments
                ],
            )
        )
    return LedgerOut(
        person=person.pk, credited_ms=sum(x.credited_ms for x in lessons), lessons=lessons
    )


@router.get("/ledger", response={200: LedgerOut, **ERRORS}, summary="本人的学习记录（认定区间）")
def my_ledger(request: HttpRequest) -> Any:
    return _ledger(request, _learner(request))


@router.get(
    "/people/{person_id}/ledger",
    response={200: LedgerOut, **ERRORS},
    summary="某人的学习记录（经办人员，限管辖范围）",
)
def person_ledger(request: HttpRequest, person_id: int) -> Any:
    person = access_person_by_id(_user(request), person_id, scope=request_scope(request))
    return _ledger(request, person)


# Training records and vouchers (issue 8 §6, §7): their own modules, the same prefix.
router.add_router("", "jineng.api.learning.records.router")
router.add_router("", "jineng.api.learning.vouchers.router")
# Classes and attendance (issue 8 §4, §5): /api/v1/learning/classes…
from jineng.api.learning.classes import router as classes_router  # noqa: E402

router.add_router("/classes", classes_router)
# A worker's own enrolment with a voucher: /api/v1/learning/enrolments…
router.add_router("/enrolments", "jineng.api.learning.enrol.router")
