"""Exam-room records and the panel review over the API (issue 9 §3, §5): the same services as
the pages (`jineng.assessment.services.examroom`, `panel_score_record`), the same access
(`jineng.assessment.access_examroom`; 404 outside the session's staff, its admins and the
bureau's region, and for a member of no panel)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from jineng.api.schemas import ErrorOut
from jineng.assessment import services
from jineng.assessment.access_examroom import access_panel_session, access_room_session
from jineng.assessment.errors import AssessmentInvalid
from jineng.assessment.models import ExamSession, Registration, RoomRecord
from jineng.assessment.selectors_panel import panel_overview
from jineng.core.errors import NotFound
from jineng.identity.models import Person, User

router = Router(tags=["assessment"])
ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
BASE = "/sessions/{session_id}/rooms/{room}"


class SeatOut(Schema):
    station: int
    candidate_name: str


class RoomRecordOut(Schema):
    session: int
    room: int
    closed: bool
    seals: list[str]
    seed: str | None
    seats: list[SeatOut]
    incidents: list[str]
    videos: list[str]
    signed: list[str]
    unsigned: list[str]
    addenda: list[str]


class SealIn(Schema):
    seal_numbers: str
    witness_person_id: int


class DrawIn(Schema):
    stations: int
    seed: str = ""


class IncidentIn(Schema):
    description: str
    action_taken: str
    registration_id: int | None = None


class VideoIn(Schema):
    reference: str
    starts_at: dt.datetime
    ends_at: dt.datetime


class AddendumIn(Schema):
    text: str


class PanelLineOut(Schema):
    registration_id: int
    candidate: str
    my_score: str | None
    scored: int
    retained: bool


class PanelOut(Schema):
    session: int
    chair: bool
    anonymous: bool
    members: int
    complete: bool
    criteria: list[str]
    candidates: list[PanelLineOut]


class PanelScoreIn(Schema):
    registration_id: int
    criteria: list[str]
    comment: str = ""


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _session(request: HttpRequest, session_id: int, room: int) -> ExamSession:
    return access_room_session(_user(request), session_id, room)


def _record_out(session: ExamSession, room: int) -> dict[str, Any]:
    record = RoomRecord.objects.filter(session=session, room=room).first()
    signed = set(record.signatures.values_list("person_id", flat=True)) if record else set()
    signers = services.room_signers(session=session)
    draw = getattr(record, "draw", None) if record else None
    return {
        "session": session.pk,
        "room": room,
        "closed": bool(record and record.closed_at),
        "seals": [s.seal_numbers for s in record.seals.all()] if record else [],
        "seed": draw.seed if draw else None,
        "seats": [
            {"station": s.station, "candidate_name": s.registration.person.name}
            for s in services.seats_of(session=session, room=room)
        ],
        "incidents": [i.description for i in record.incidents.all()] if record else [],
        "videos": [v.reference for v in record.videos.all()] if record else [],
        "signed": [p.name for p in signers if p.pk in signed],
        "unsigned": [p.name for p in signers if p.pk not in signed],
        "addenda": [a.text for a in record.addenda.all()] if record else [],
    }


@router.get(BASE, response={200: RoomRecordOut, **ERRORS}, summary="考场记录")
def room_record(request: HttpRequest, session_id: int, room: int) -> Any:
    return _record_out(_session(request, session_id, room), room)


@router.post(BASE + "/seals", response={200: RoomRecordOut, **ERRORS}, summary="记录启封")
def room_seal(request: HttpRequest, session_id: int, room: int, body: SealIn) -> Any:
    session = _session(request, session_id, room)
    witness = Person.objects.filter(pk=body.witness_person_id).first()
    if witness is None:
        raise AssessmentInvalid("witness_person_id", "见证人不是本批次的考务人员或考生")
    services.seal_open_record(
        actor=_user(request),
        session=session,
        room=room,
        seal_numbers=body.seal_numbers,
        witness=witness,
    )
    return _record_out(session, room)


@router.post(BASE + "/draw", response={200: RoomRecordOut, **ERRORS}, summary="工位抽签")
def room_draw(request: HttpRequest, session_id: int, room: int, body: DrawIn) -> Any:
    session = _session(request, session_id, room)
    services.workstations_draw(
        actor=_user(request), session=session, room=room, stations=body.stations, seed=body.seed
    )
    return _record_out(session, room)


@router.post(BASE + "/incidents", response={200: RoomRecordOut, **ERRORS}, summary="记录考场情况")
def room_incident(request: HttpRequest, session_id: int, room: int, body: IncidentIn) -> Any:
    session = _session(request, session_id, room)
    registration = None
    if body.registration_id is not None:
        registration = Registration.objects.filter(session=session, pk=body.registration_id).first()
        if registration is None:
            raise AssessmentInvalid("registration_id", "该考生不在本考试批次")
    services.incident_record(
        actor=_user(request),
        session=session,
        room=room,
        description=body.description,
        action_taken=body.action_taken,
        registration=registration,
    )
    return _record_out(session, room)


@router.post(BASE + "/videos", response={200: RoomRecordOut, **ERRORS}, summary="记录录像索引")
def room_video(request: HttpRequest, session_id: int, room: int, body: VideoIn) -> Any:
    session = _session(request, session_id, room)
    services.video_reference_add(
        actor=_user(request),
        session=session,
        room=room,
        reference=body.reference,
        starts_at=body.starts_at,
        ends_at=body.ends_at,
    )
    return _record_out(session, room)


@router.post(BASE + "/sign", response={200: RoomRecordOut, **ERRORS}, summary="考务人员签名")
def room_sign(request: HttpRequest, session_id: int, room: int) -> Any:
    session = _session(request, session_id, room)
    services.room_record_sign(actor=_user(request), session=session, room=room)
    return _record_out(session, room)


@router.post(BASE + "/addenda", response={200: RoomRecordOut, **ERRORS}, summary="补充说明")
def room_addendum(request: HttpRequest, session_id: int, room: int, body: AddendumIn) -> Any:
    session = _session(request, session_id, room)
    services.room_addendum_add(actor=_user(request), session=session, room=room, text=body.text)
    return _record_out(session, room)


def _panel_out(session: ExamSession, user: User) -> dict[str, Any]:
    o = panel_overview(session=session, member=user)
    return {
        "session": session.pk,
        "chair": o.chair,
        "anonymous": o.anonymous,
        "members": o.members,
        "complete": o.complete,
        "criteria": [f"{name}（{points}）" for name, points in o.criteria],
        "candidates": [
            {
                "registration_id": line.registration.pk,
                "candidate": line.label,
                "my_score": str(line.mine.score) if line.mine else None,
                "scored": line.scored,
                "retained": line.retained,
            }
            for line in o.lines
        ],
    }


@router.get("/panel/sessions/{session_id}", response={200: PanelOut, **ERRORS}, summary="综合评审")
def panel(request: HttpRequest, session_id: int) -> Any:
    session = access_panel_session(_user(request), session_id)
    return _panel_out(session, _user(request))


@router.post(
    "/panel/sessions/{session_id}/scores",
    response={200: PanelOut, **ERRORS},
    summary="提交综合评审评分",
)
def panel_score(request: HttpRequest, session_id: int, body: PanelScoreIn) -> Any:
    session = access_panel_session(_user(request), session_id)
    registration = Registration.objects.filter(session=session, pk=body.registration_id).first()
    if registration is None:
        raise NotFound("registration_id", "该考生不在本次综合评审")
    services.panel_score_record(
        actor=_user(request),
        registration=registration,
        criteria=body.criteria,
        comment=body.comment,
    )
    return _panel_out(session, _user(request))
