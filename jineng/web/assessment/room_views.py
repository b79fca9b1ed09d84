"""Exam-room records (考场记录) and the panel review (综合评审) pages, phone-sized: the
invigilator records seals, draws workstations, records incidents and video references and signs;
a panel member scores their candidates per criterion; the chair sees what is still missing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jineng.assessment import services
from jineng.assessment.access_examroom import (
    access_panel_session,
    access_room_session,
    can_keep_rooms,
    is_session_staff,
    panel_sessions_of,
)
from jineng.assessment.errors import AssessmentInvalid
from jineng.assessment.models import ExamSession, Registration, RoomRecord
from jineng.assessment.selectors_panel import panel_overview
from jineng.core.errors import DomainError, NotFound
from jineng.identity.access import request_scope
from jineng.identity.models import BUREAU_ROLES, Person, Role, User
from jineng.web.assessment.common import MARKERS
from jineng.web.guards import page, signed_in_user

ROOM_ROLES = frozenset(MARKERS | BUREAU_ROLES | {Role.AUDITOR})


def _session(request: HttpRequest, pk: int, room: int) -> ExamSession:
    try:
        return access_room_session(signed_in_user(request), pk, room, scope=request_scope(request))
    except NotFound as err:
        raise Http404(err.message) from None


@page(roles=ROOM_ROLES)
def room(request: HttpRequest, pk: int, room: int) -> HttpResponse:
    user = signed_in_user(request)
    session = _session(request, pk, room)
    record = (
        RoomRecord.objects.filter(session=session, room=room)
        .prefetch_related("seals__witness", "incidents__registration__person", "videos")
        .first()
    )
    candidates = services.room_candidates(session=session, room=room)
    signers = services.room_signers(session=session)
    signed = set(record.signatures.values_list("person_id", flat=True)) if record else set()
    draw = getattr(record, "draw", None) if record else None
    context = {
        "session": session,
        "room": room,
        "rooms": range(1, session.rooms + 1),
        "record": record,
        "seats": services.seats_of(session=session, room=room),
        "draw": draw,
        "draw_checks": services.draw_replays(draw) if draw else None,
        "candidates": candidates,
        "witnesses": [p for p in signers if p.pk != user.person_id]
        + [r.person for r in candidates],
        "signers": [(p, p.pk in signed) for p in signers],
        "can_write": can_keep_rooms(user, session, scope=request_scope(request)),
        "can_sign": is_session_staff(user, session) and user.person_id not in signed,
        "closed": bool(record and record.closed_at),
    }
    return render(request, "assessment/room.html", context)


def _when(value: str, label: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise AssessmentInvalid("", f"「{label}」的格式不正确") from None
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _registration(session: ExamSession, value: str) -> Registration | None:
    if not value:
        return None
    found = Registration.objects.filter(session=session, pk=value if value.isdigit() else 0).first()
    if found is None:
        raise AssessmentInvalid("registration", "该考生不在本考试批次")
    return found


def _witness(session: ExamSession, value: str) -> Person:
    found = Person.objects.filter(pk=value if value.isdigit() else 0).first()
    if found is None:
        raise AssessmentInvalid("witness", "请选择「见证人」")
    return found


def _write(action: str, user: User, session: ExamSession, room: int, post: dict[str, str]) -> str:
    """Run the named write; the message shown after it."""
    acts: dict[str, Callable[[], object]] = {
        "seal": lambda: services.seal_open_record(
            actor=user,
            session=session,
            room=room,
            seal_numbers=post.get("seal_numbers", ""),
            witness=_witness(session, post.get("witness", "")),
        ),
        "draw": lambda: services.workstations_draw(
            actor=user,
            session=session,
            room=room,
            stations=int(post.get("stations") or 0) if post.get("stations", "").isdigit() else 0,
            seed=post.get("seed", ""),
        ),
        "incident": lambda: services.incident_record(
            actor=user,
            session=session,
            room=room,
            description=post.get("description", ""),
            action_taken=post.get("action_taken", ""),
            registration=_registration(session, post.get("registration", "")),
        ),
        "video": lambda: services.video_reference_add(
            actor=user,
            session=session,
            room=room,
            reference=post.get("reference", ""),
            starts_at=_when(post.get("starts_at", ""), _("录像起")),
            ends_at=_when(post.get("ends_at", ""), _("录像止")),
        ),
        "sign": lambda: services.room_record_sign(actor=user, session=session, room=room),
        "addendum": lambda: services.room_addendum_add(
            actor=user, session=session, room=room, text=post.get("text", "")
        ),
    }
    done = {
        "seal": _("已记录启封"),
        "draw": _("工位抽签完成"),
        "incident": _("已记录考场情况"),
        "video": _("已记录录像索引"),
        "sign": _("已签名"),
        "addendum": _("已添加补充说明"),
    }
    if action not in acts:
        raise AssessmentInvalid("action", "操作不正确")
    acts[action]()
    return done[action]


@page(roles=ROOM_ROLES)
@require_POST
def room_write(request: HttpRequest, pk: int, room: int) -> HttpResponse:
    session = _session(request, pk, room)
    post = {k: str(v) for k, v in request.POST.items()}
    try:
        messages.success(
            request, _write(post.get("action", ""), signed_in_user(request), session, room, post)
        )
    except DomainError as err:
        messages.error(request, err.message)
    return HttpResponseRedirect(reverse("assessment:room", args=[session.pk, room]))


@page(roles=MARKERS)
def panels(request: HttpRequest) -> HttpResponse:
    rows = panel_sessions_of(signed_in_user(request), scope=request_scope(request)).order_by(
        "-starts_at", "-pk"
    )[:100]
    return render(request, "assessment/panels.html", {"sessions": rows})


@page(roles=MARKERS)
def panel(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    try:
        session = access_panel_session(user, pk, scope=request_scope(request))
    except NotFound as err:
        raise Http404(err.message) from None
    overview = panel_overview(session=session, member=user)
    return render(request, "assessment/panel.html", {"o": overview})


@page(roles=MARKERS)
@require_POST
def panel_score(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    try:
        session = access_panel_session(user, pk, scope=request_scope(request))
    except NotFound as err:
        raise Http404(err.message) from None
    value = request.POST.get("registration", "")
    registration = Registration.objects.filter(
        session=session, pk=value if value.isdigit() else 0
    ).first()
    if registration is None:
        raise Http404("该考生不在本次综合评审")
    criteria = [request.POST.get(f"c{n}", "") for n in range(len(services.panel_criteria()))]
    try:
        services.panel_score_record(
            actor=user,
            registration=registration,
            criteria=criteria,
            comment=request.POST.get("comment", ""),
        )
        messages.success(request, _("评分已提交"))
    except DomainError as err:
        messages.error(request, err.message)
    return HttpResponseRedirect(reverse("assessment:panel", args=[session.pk]))
