"""Exam-room records (考场记录, issue 9 §3): seals opened, workstations drawn by lot, incidents,
video references and signatures, per session and room.

Kept by the session's staff and the organisation's exam admins (`access_examroom`). Each staff
member signs with their own account; once every staff member of the session has signed, the
record is closed and only an addendum (补充说明) may still be written. Every write is audited."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from jineng.assessment import workstations
from jineng.assessment.access_examroom import can_keep_rooms, is_session_staff
from jineng.assessment.errors import AssessmentInvalid
from jineng.assessment.models import (
    ExamSession,
    Registration,
    RoomAddendum,
    RoomIncident,
    RoomRecord,
    RoomSignature,
    SealOpening,
    SessionStaff,
    VideoReference,
    WorkstationDraw,
    WorkstationSeat,
)
from jineng.audit.services import audit_record
from jineng.audit.vocabulary import AuditAction, AuditObject
from jineng.core.errors import Conflict, Forbidden
from jineng.identity.models import Person, User

CLOSED = "考场记录已由全部考务人员签名，不能再修改；如需补充，请填写补充说明"


def room_candidates(*, session: ExamSession, room: int) -> list[Registration]:
    """The candidates of room `room`: registrations in order, dealt into the rooms in blocks."""
    regs = list(
        Registration.objects.filter(session=session).select_related("person").order_by("pk")
    )
    return [
        r
        for n, r in enumerate(regs)
        if workstations.room_of(n, candidates=len(regs), rooms=session.rooms) == room
    ]


def room_signers(*, session: ExamSession) -> list[Person]:
    """Everyone on the session's staff (each person once): the record needs all their names."""
    ids = SessionStaff.objects.filter(session=session).values_list("person_id", flat=True)
    return list(Person.objects.filter(pk__in=set(ids)).order_by("name", "pk"))


def _record(session: ExamSession, room: int) -> RoomRecord:
    if not 1 <= room <= session.rooms:
        raise AssessmentInvalid("room", f"该考试批次只有{session.rooms}个考场")
    record, _ = RoomRecord.objects.get_or_create(session=session, room=room)
    return RoomRecord.objects.select_for_update().get(pk=record.pk)


def _writable(actor: User | None, session: ExamSession, room: int) -> RoomRecord:
    if not can_keep_rooms(actor, session):
        raise Forbidden("session", "只有本批次考务人员和机构管理员可以填写考场记录")
    record = _record(session, room)
    if record.closed_at is not None:
        raise Conflict("record", CLOSED)
    return record


def _audit(actor: User | None, record: RoomRecord, what: str, action: str = "") -> None:
    audit_record(
        actor=actor,
        action=action or AuditAction.ROOM_RECORD_WRITE,
        object_type=AuditObject.ROOM_RECORD,
        object_id=record.pk,
        after={"session": record.session_id, "room": record.room, "entry": what},
        region=record.session.organisation.region_id,
    )


def _text(value: str, field: str, label: str, limit: int) -> str:
    body = (value or "").strip()
    if not body:
        raise AssessmentInvalid(field, f"请填写「{label}」")
    if len(body) > limit:
        raise AssessmentInvalid(field, f"「{label}」最多{limit}个字")
    return body


@transaction.atomic
def seal_open_record(
    *,
    actor: User,
    session: ExamSession,
    room: int,
    seal_numbers: str,
    witness: Person,
    opened_at: dt.datetime | None = None,
) -> SealOpening:
    """启封: the seal numbers of the bags opened, when, by the actor, before a witness (another
    staff member or a candidate of the session, never the opener)."""
    record = _writable(actor, session, room)
    numbers = _text(seal_numbers, "seal_numbers", "密封编号", 200)
    on_staff = SessionStaff.objects.filter(session=session, person=witness).exists()
    candidate = Registration.objects.filter(session=session, person=witness).exists()
    if not (on_staff or candidate):
        raise AssessmentInvalid("witness", f"见证人{witness.name}不是本批次的考务人员或考生")
    if actor.person_id == witness.pk:
        raise AssessmentInvalid("witness", "见证人不能是启封人本人")
    row = SealOpening.objects.create(
        record=record,
        seal_numbers=numbers,
        opened_at=opened_at or timezone.now(),
        opened_by=actor,
        witness=witness,
    )
    _audit(actor, record, f"seal:{row.pk}")
    return row


@dataclass(frozen=True)
class Seat:
    registration: Registration
    station: int


@transaction.atomic
def workstations_draw(
    *, actor: User, session: ExamSession, room: int, stations: int, seed: str = ""
) -> WorkstationDraw:
    """Draw the room's workstations by lot: a seed (given, or a random one recorded), and the
    stations from it alone (`workstations.draw`), so the draw can be redone and checked. Once."""
    record = _writable(actor, session, room)
    if WorkstationDraw.objects.filter(record=record).exists():
        raise Conflict("record", f"第{room}考场已抽签，抽签结果不能重抽")
    candidates = room_candidates(session=session, room=room)
    if not candidates:
        raise Conflict("record", f"第{room}考场没有考生")
    if stations < len(candidates) or stations > 999:
        raise AssessmentInvalid(
            "stations", f"工位数应在{len(candidates)}至999之间（本考场{len(candidates)}名考生）"
        )
    chosen = (seed or "").strip() or secrets.token_hex(8)
    if len(chosen) > 64:
        raise AssessmentInvalid("seed", "抽签种子最多64个字符")
    stations_of = workstations.draw(chosen, [r.pk for r in candidates], stations)
    row = WorkstationDraw.objects.create(
        record=record, seed=chosen, stations=stations, drawn_by=actor
    )
    try:
        WorkstationSeat.objects.bulk_create(
            WorkstationSeat(draw=row, registration_id=pk, station=n)
            for pk, n in stations_of.items()
        )
    except IntegrityError:  # pragma: no cover - the draw gives distinct stations
        raise Conflict("record", "工位抽签结果重复，请重试") from None
    audit_record(
        actor=actor,
        action=AuditAction.ROOM_WORKSTATIONS_DRAW,
        object_type=AuditObject.ROOM_RECORD,
        object_id=record.pk,
        after={"room": room, "seed": chosen, "stations": stations, "seats": len(stations_of)},
        region=session.organisation.region_id,
    )
    return row


def seats_of(*, session: ExamSession, room: int) -> list[Seat]:
    rows = WorkstationSeat.objects.filter(
        draw__record__session=session, draw__record__room=room
    ).select_related("registration__person")
    return [Seat(r.registration, r.station) for r in rows.order_by("station")]


def draw_replays(draw: WorkstationDraw) -> bool:
    """The stored seats are what the recorded seed gives (the check anyone may redo)."""
    stored = dict(draw.seats.values_list("registration_id", "station"))
    return workstations.draw(draw.seed, list(stored), draw.stations) == stored


@transaction.atomic
def incident_record(
    *,
    actor: User,
    session: ExamSession,
    room: int,
    description: str,
    action_taken: str,
    occurred_at: dt.datetime | None = None,
    registration: Registration | None = None,
) -> RoomIncident:
    record = _writable(actor, session, room)
    if registration is not None and registration.session_id != session.pk:
        raise AssessmentInvalid("registration", "该考生不在本考试批次")
    row = RoomIncident.objects.create(
        record=record,
        occurred_at=occurred_at or timezone.now(),
        registration=registration,
        description=_text(description, "description", "情况说明", 500),
        action_taken=_text(action_taken, "action_taken", "处理措施", 500),
        recorded_by=actor,
    )
    _audit(actor, record, f"incident:{row.pk}")
    return row


@transaction.atomic
def video_reference_add(
    *,
    actor: User,
    session: ExamSession,
    room: int,
    reference: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
) -> VideoReference:
    record = _writable(actor, session, room)
    text = _text(reference, "reference", "摄像头或录像位置", 300)
    if ends_at <= starts_at:
        raise AssessmentInvalid("ends_at", "「录像止」应晚于「录像起」")
    row = VideoReference.objects.create(
        record=record, reference=text, starts_at=starts_at, ends_at=ends_at, recorded_by=actor
    )
    _audit(actor, record, f"video:{row.pk}")
    return row


@transaction.atomic
def room_record_sign(*, actor: User, session: ExamSession, room: int) -> RoomSignature:
    """The actor signs as themself (a staff member of the session, once); the last signature
    closes the record."""
    if not is_session_staff(actor, session):
        raise Forbidden("record", "只有本批次考务人员可以签名，且须用本人账号")
    record = _writable(actor, session, room)
    assert actor.person_id is not None
    if RoomSignature.objects.filter(record=record, person_id=actor.person_id).exists():
        raise Conflict("record", "您已在该考场记录上签名")
    row = RoomSignature.objects.create(record=record, person_id=actor.person_id, user=actor)
    needed = {p.pk for p in room_signers(session=session)}
    signed = set(RoomSignature.objects.filter(record=record).values_list("person_id", flat=True))
    closed = needed <= signed
    if closed:
        RoomRecord.objects.filter(pk=record.pk, closed_at__isnull=True).update(
            closed_at=timezone.now()
        )
    audit_record(
        actor=actor,
        action=AuditAction.ROOM_RECORD_SIGN,
        object_type=AuditObject.ROOM_RECORD,
        object_id=record.pk,
        after={"room": room, "signed": len(signed), "of": len(needed), "closed": closed},
        region=session.organisation.region_id,
    )
    return row


@transaction.atomic
def room_addendum_add(*, actor: User, session: ExamSession, room: int, text: str) -> RoomAddendum:
    """补充说明: allowed before and after the record is closed; the record itself stays as signed."""
    if not can_keep_rooms(actor, session):
        raise Forbidden("session", "只有本批次考务人员和机构管理员可以填写考场记录")
    record = _record(session, room)
    row = RoomAddendum.objects.create(
        record=record, text=_text(text, "text", "补充说明", 500), written_by=actor
    )
    _audit(actor, record, f"addendum:{row.pk}")
    return row
