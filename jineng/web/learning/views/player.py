"""The player (streams, heartbeats, media with range requests) and the learning ledger (学习记录)."""

from __future__ import annotations

import json
from typing import Any, cast

from django.core.files.storage import default_storage
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods, require_POST

from jineng.api.learning.heartbeat import (
    captured_image,
    check_answer_out,
    heartbeat_answer,
    heartbeat_lesson,
    hours_label,
)
from jineng.api.learning.lean import LEAN_PATH
from jineng.core.errors import DomainError
from jineng.identity.access import access_person_by_id, request_scope
from jineng.identity.models import Person
from jineng.identity.roles import CONSOLE_ROLES
from jineng.learning import selectors, selectors_web
from jineng.learning.access import (
    access_lesson_by_id,
)
from jineng.learning.models import (
    CourseStatus,
    LessonKind,
)
from jineng.learning.services import (
    learning_check_answer,
    learning_stream_open,
)
from jineng.learning.services.checks import check_is_persons
from jineng.learning.stream_tokens import stream_token
from jineng.web.guards import page, signed_in_user
from jineng.web.learning.media import ranged_file_response
from jineng.web.learning.views.common import WORKER, _person

# --- the player --------------------------------------------------------------------------------


@page(roles=WORKER)
def player(request: HttpRequest, pk: int) -> HttpResponse:
    scope = request_scope(request)
    person = _person(request)
    lesson = access_lesson_by_id(signed_in_user(request), pk, scope=scope)
    course_obj = lesson.chapter.course
    credited = selectors_web.lesson_credited_ms(person=person, lesson=lesson)
    return render(
        request,
        "learning/player.html",
        {
            "lesson": lesson,
            "course": course_obj,
            "playable": course_obj.status == CourseStatus.PUBLISHED,
            "has_video": bool(lesson.media) and lesson.kind == LessonKind.VIDEO,
            "credited": hours_label(credited),
            "credited_seconds": credited // 1000,
            "duration_seconds": lesson.duration_seconds,
            "stream_heartbeat_url": LEAN_PATH,
        },
    )


def _json_body(request: HttpRequest) -> dict[str, Any]:
    if request.content_type != "application/json":
        return {k: request.POST.get(k) for k in request.POST}
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise DomainError("", "请求内容不是有效的 JSON") from None
    if not isinstance(data, dict):
        raise DomainError("", "请求内容不是有效的 JSON")
    return data


def _error(exc: DomainError) -> JsonResponse:
    return JsonResponse(
        {"detail": exc.message, "field": exc.field},
        status=exc.status,
        json_dumps_params={"ensure_ascii": False},
    )


@page(roles=WORKER)
@require_POST
def stream_open(request: HttpRequest, pk: int) -> HttpResponse:
    scope = request_scope(request)
    person = _person(request)
    lesson = access_lesson_by_id(signed_in_user(request), pk, scope=scope)
    try:
        data = _json_body(request)
        stream = learning_stream_open(
            actor=signed_in_user(request),
            person=person,
            lesson=lesson,
            device=str(data.get("device") or "")[:64],
        )
    except DomainError as exc:
        return _error(exc)
    token = stream_token(person_id=person.pk, lesson_id=lesson.pk, stream_id=stream.pk)
    return JsonResponse({"stream": stream.pk, "state": stream.get_state_display(), "token": token})


@page(roles=WORKER)
@require_POST
def heartbeat(request: HttpRequest, pk: int) -> HttpResponse:
    scope = request_scope(request)
    person = _person(request)
    lesson = heartbeat_lesson(signed_in_user(request), pk, scope=scope)
    try:
        data = _json_body(request)
        answer = heartbeat_answer(
            person=person,
            lesson=lesson,
            stream=data.get("stream"),
            position=data.get("position"),
            visible=data.get("visible") is True,
        )
    except DomainError as exc:
        return _error(exc)
    return JsonResponse(answer, json_dumps_params={"ensure_ascii": False})


@page(roles=WORKER)
@require_POST
def check_answer(request: HttpRequest, pk: int) -> HttpResponse:
    """The camera frame for a real-name check (multipart `image`, from the player's live camera)."""
    person = _person(request)
    if not check_is_persons(person=person, check_id=pk):
        raise Http404("人脸抽查不存在")
    try:
        check = learning_check_answer(
            actor=signed_in_user(request),
            person=person,
            check=pk,
            image=captured_image(request.FILES.get("image")),
        )
    except DomainError as exc:
        return _error(exc)
    return JsonResponse(check_answer_out(check), json_dumps_params={"ensure_ascii": False})


@require_http_methods(["GET", "HEAD"])
@page()
def media(request: HttpRequest, pk: int) -> HttpResponse:
    """The lesson's file, with HTTP Range (players seek through it), to whoever may see the lesson."""
    lesson = access_lesson_by_id(signed_in_user(request), pk, scope=request_scope(request))
    if not lesson.media or not default_storage.exists(lesson.media.name):
        raise Http404("课件不存在")
    # a StreamingHttpResponse: the page guard only adds headers to it
    return cast(HttpResponse, ranged_file_response(request, default_storage, lesson.media.name))


# --- the ledger --------------------------------------------------------------------------------


def _ledger_context(request: HttpRequest, person: Person) -> dict[str, Any]:
    scope = request_scope(request)
    user = signed_in_user(request)
    rows: list[dict[str, Any]] = []
    for p in selectors.person_lesson_progress(user=user, person=person, scope=scope):
        ledger = selectors.lesson_ledger(user=user, person=person, lesson=p.lesson, scope=scope)
        rows.append(
            {
                "lesson": p.lesson,
                "course": p.lesson.chapter.course,
                "credited": hours_label(ledger.credited_ms),
                "credited_seconds": ledger.credited_ms // 1000,
                "duration_seconds": ledger.duration_ms // 1000,
                "percent": min(100, int(ledger.ratio * 100)),
                "completed_at": ledger.completed_at,
                "segments": [
                    {
                        "start": _clock(s.start_ms),
                        "end": _clock(s.end_ms),
                        "seconds": (s.end_ms - s.start_ms) / 1000,
                        "at": s.at,
                    }
                    for s in ledger.segments
                ],
            }
        )
    total = sum(r["credited_seconds"] for r in rows) * 1000
    return {"person": person, "rows": rows, "total": hours_label(total)}


def _clock(ms: int) -> str:
    seconds = ms // 1000
    return f"{seconds // 60:02d}:{seconds % 60:02d}"


@page(roles=WORKER)
def records(request: HttpRequest) -> HttpResponse:
    context = _ledger_context(request, _person(request))
    context["own"] = True
    return render(request, "learning/records.html", context)


@page(roles=CONSOLE_ROLES)
def person_records(request: HttpRequest, person_id: int) -> HttpResponse:
    person = access_person_by_id(signed_in_user(request), person_id, scope=request_scope(request))
    context = _ledger_context(request, person)
    context["own"] = False
    return render(request, "learning/records.html", context)
