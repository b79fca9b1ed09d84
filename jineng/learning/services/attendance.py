"""Attendance by rotating QR and face check (issue 8 §5).

The teacher's phone shows a QR that changes every CLASSES_QR_WINDOW_SECONDS: a token
`<session>.<window>.<mac>` where `window` is the Unix time divided by the window length and `mac`
an HMAC-SHA256 over both under a key derived from FIELD_KEY for this purpose only (like
identity.crypto's keys). The QR encodes this site's check-in address with the token, so any
scanner app opens it in the trainee's logged-in browser; the page posts a live face capture and,
when the venue has a point, the phone's position. A forwarded screenshot fails, each with its own
reason (`CheckInRefused.field`):

- `expired` — the token's window is older than CLASSES_QR_GRACE_WINDOWS windows;
- `replayed` — this trainee already used this token (single use per trainee and session;
  `TokenUse` with a unique constraint settles parallel submissions);
- `place` — the position is missing or farther than CLASSES_CHECKIN_MAX_DISTANCE_M;
- `face` — the capture does not match the enrolled face (jineng.faces.face_check);
and `invalid`, `roster`, `time`, `done` for a forged token, a person not on the roster, outside
the session's time, and an attendance already recorded. Every refusal is kept as a
`CheckInRefusal` row (evidence for the bureau). A first scan checks in, a later one checks out.

The teacher may mark a trainee present without a phone only with a reason (audited; counted per
teacher on the attendance sheet). A session can attach monitoring evidence (snapshots,
recordings: an uploaded file or a reference).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import math
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.files.base import File
from django.db import IntegrityError, transaction
from django.utils import timezone

from jineng.audit.services import audit_record
from jineng.audit.vocabulary import AuditAction, AuditObject
from jineng.core.errors import DomainError
from jineng.faces.models import CheckPurpose
from jineng.faces.services import face_check
from jineng.identity.access import scope_of
from jineng.learning.access_classes import runs_class
from jineng.learning.errors import CheckInRefused, ClassInvalid, LearningForbidden
from jineng.learning.models import (
    Attendance,
    AttendanceKind,
    AttendanceMethod,
    CheckInRefusal,
    ClassSession,
    ClassStatus,
    Enrolment,
    EnrolmentStatus,
    EvidenceKind,
    SessionEvidence,
    TokenUse,
)

if TYPE_CHECKING:
    from jineng.identity.models import Person, User

OPEN_STATUSES = (ClassStatus.FILED, ClassStatus.TRAINING, ClassStatus.PLANNED)

REASONS = {
    "invalid": "签到二维码无效，请扫描老师手机上的二维码",
    "expired": "签到二维码已过期，请扫描老师手机上当前显示的二维码（转发的截图无效）",
    "replayed": "该签到二维码已使用过，请扫描老师手机上刷新后的二维码",
    "roster": "您不在本班花名册中，不能签到",
    "time": "当前不在本课次的签到时间内",
    "done": "本课次已签到并签退，无需重复操作",
    "no_position": "本课次须在上课地点签到，请允许浏览器获取您的位置后重试",
    "place": "您当前位置距上课地点 {distance} 米，超出 {limit} 米，请到上课地点签到",
    "face": "人脸核验未通过：{why}",
    "closed": "本班当前不能签到",
}


def _key() -> bytes:
    key = settings.FIELD_KEY.split(",")[0]
    return hmac.new(key.encode(), b"class-checkin-token", hashlib.sha256).digest()


def _mac(session_id: int, window: int) -> str:
    msg = f"{session_id}.{window}".encode()
    return hmac.new(_key(), msg, hashlib.sha256).hexdigest()[:24]


def current_window(at: dt.datetime | None = None) -> int:
    seconds = at.timestamp() if at is not None else time.time()
    return int(seconds // int(settings.CLASSES_QR_WINDOW_SECONDS))


def checkin_token(session: ClassSession, *, at: dt.datetime | None = None) -> str:
    """The token the teacher's QR shows now (changes every CLASSES_QR_WINDOW_SECONDS)."""
    window = current_window(at)
    return f"{session.pk}.{window}.{_mac(session.pk, window)}"


@dataclass(frozen=True)
class ParsedToken:
    session_id: int
    window: int


def parse_token(token: str) -> ParsedToken:
    """The session and window of a well-signed token (CheckInRefused `invalid` otherwise)."""
    parts = (token or "").split(".")
    if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit():
        raise CheckInRefused("invalid", REASONS["invalid"])
    session_id, window = int(parts[0]), int(parts[1])
    if not hmac.compare_digest(_mac(session_id, window), parts[2]):
        raise CheckInRefused("invalid", REASONS["invalid"])
    return ParsedToken(session_id, window)


def token_fresh(parsed: ParsedToken, *, at: dt.datetime | None = None) -> bool:
    now = current_window(at)
    return now - int(settings.CLASSES_QR_GRACE_WINDOWS) <= parsed.window <= now


def distance_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in metres (haversine, mean Earth radius)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_000 * math.asin(min(1.0, math.sqrt(a)))


@dataclass(frozen=True)
class Device:
    user_agent: str = ""
    ip: str | None = None


def _refuse(
    code: str,
    *,
    session: ClassSession | None,
    person: Person | None,
    device: Device,
    at: dt.datetime,
    **params: Any,
) -> CheckInRefused:
    reason = REASONS[code].format(**params)
    CheckInRefusal.objects.create(
        session=session,
        person=person,
        code=code,
        reason=reason[:300],
        at=at,
        user_agent=device.user_agent[:300],
        ip=device.ip,
    )
    return CheckInRefused(code, reason)


def checkin_session(
    *, person: Person, token: str, at: dt.datetime | None = None, device: Device = Device()
) -> ClassSession:
    """The session a scanned token opens for `person` (the page's first look): refused when the
    token is forged or stale, or the person is not on the class's roster."""
    now = at or timezone.now()
    try:
        parsed = parse_token(token)
    except CheckInRefused:
        raise _refuse("invalid", session=None, person=person, device=device, at=now) from None
    session = (
        ClassSession.objects.select_related("klass__provider").filter(pk=parsed.session_id).first()
    )
    if session is None:
        raise _refuse("invalid", session=None, person=person, device=device, at=now)
    if not token_fresh(parsed, at=now):
        raise _refuse("expired", session=session, person=person, device=device, at=now)
    on_roster = Enrolment.objects.filter(
        klass_id=session.klass_id, person=person, status=EnrolmentStatus.ENROLLED
    ).exists()
    if not on_roster:  # before anything of the class is shown
        raise _refuse("roster", session=session, person=person, device=device, at=now)
    return session


def attendance_check_in(
    *,
    actor: User | None,
    person: Person,
    token: str,
    image: bytes,
    lat: float | None = None,
    lng: float | None = None,
    device: Device = Device(),
    at: dt.datetime | None = None,
) -> Attendance:
    """Check `person` in (or out, when already checked in) at the token's session; see the
    module docstring for the refusals. The face comparison runs outside the transaction."""
    now = at or timezone.now()
    session = checkin_session(person=person, token=token, at=now, device=device)
    window = parse_token(token).window

    def refuse(code: str, **params: Any) -> CheckInRefused:
        return _refuse(code, session=session, person=person, device=device, at=now, **params)

    klass = session.klass
    if klass.status not in OPEN_STATUSES:
        raise refuse("closed")
    enrolment = Enrolment.objects.filter(
        klass=klass, person=person, status=EnrolmentStatus.ENROLLED
    ).first()
    if enrolment is None:
        raise refuse("roster")
    early = dt.timedelta(minutes=int(settings.CLASSES_CHECKIN_EARLY_MINUTES))
    if not session.starts_at - early <= now <= session.ends_at + early:
        raise refuse("time")
    if TokenUse.objects.filter(session=session, person=person, window=window).exists():
        raise refuse("replayed")
    done = set(
        Attendance.objects.filter(session=session, enrolment=enrolment).values_list(
            "kind", flat=True
        )
    )
    if {AttendanceKind.CHECK_IN, AttendanceKind.CHECK_OUT} <= done:
        raise refuse("done")
    kind = AttendanceKind.CHECK_OUT if AttendanceKind.CHECK_IN in done else AttendanceKind.CHECK_IN
    distance: int | None = None
    if session.has_point:
        if lat is None or lng is None:
            raise refuse("no_position")
        assert session.lat is not None and session.lng is not None
        distance = round(distance_m(session.lat, session.lng, lat, lng))
        limit = int(settings.CLASSES_CHECKIN_MAX_DISTANCE_M)
        if distance > limit:
            raise refuse("place", distance=distance, limit=limit)
    try:
        check = face_check(
            person=person,
            image=image,
            purpose=CheckPurpose.ATTENDANCE,
            context=f"class_session:{session.pk}",
            actor=actor,
        )
    except DomainError as exc:  # no approved enrolment photo (with why)
        raise refuse("face", why=exc.message) from None
    if not check.matched:
        raise refuse("face", why=check.reason)
    try:
        with transaction.atomic():
            TokenUse.objects.create(session=session, person=person, window=window, at=now)
            attendance = Attendance.objects.create(
                session=session,
                enrolment=enrolment,
                kind=kind,
                method=AttendanceMethod.QR_FACE,
                at=now,
                face_check=check,
                lat=lat,
                lng=lng,
                distance_m=distance,
                user_agent=device.user_agent[:300],
                ip=device.ip,
            )
            audit_record(
                actor=actor,
                action=AuditAction.ATTENDANCE_CHECK_IN,
                object_type=AuditObject.ATTENDANCE,
                object_id=attendance.pk,
                after={
                    "session": session.pk,
                    "enrolment": enrolment.pk,
                    "kind": kind,
                    "face_check": check.pk,
                    "distance_m": distance,
                },
                region=klass.provider.region_id,
            )
    except IntegrityError:  # a parallel submission of the same token, or the same kind, won
        raise refuse("replayed") from None
    return attendance


@transaction.atomic
def attendance_mark(
    *,
    actor: User,
    session: ClassSession,
    enrolment: Enrolment,
    reason: str,
    kind: str = AttendanceKind.CHECK_IN,
    at: dt.datetime | None = None,
) -> Attendance:
    """The teacher records a trainee present without a phone: a reason is required; audited and
    counted per teacher."""
    klass = session.klass
    if not runs_class(scope_of(actor), klass):
        raise LearningForbidden("", "只有本班所属机构的教师或管理员可以登记考勤")
    if enrolment.klass_id != klass.pk:
        raise ClassInvalid("enrolment", "该学员不在本班花名册中")
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ClassInvalid("reason", "代为登记考勤须填写理由（如：学员手机无法使用）")
    if kind not in AttendanceKind.values:
        raise ClassInvalid("kind", "考勤类型无效")
    if Attendance.objects.filter(session=session, enrolment=enrolment, kind=kind).exists():
        raise ClassInvalid("enrolment", f"{enrolment.person.name}本课次已有该考勤记录")
    attendance = Attendance.objects.create(
        session=session,
        enrolment=enrolment,
        kind=kind,
        method=AttendanceMethod.TEACHER,
        at=at or timezone.now(),
        marked_by=actor,
        reason=reason[:500],
    )
    audit_record(
        actor=actor,
        action=AuditAction.ATTENDANCE_MARK,
        object_type=AuditObject.ATTENDANCE,
        object_id=attendance.pk,
        after={"session": session.pk, "enrolment": enrolment.pk, "kind": kind},
        reason=reason,
        region=klass.provider.region_id,
    )
    return attendance


@transaction.atomic
def session_evidence_add(
    *,
    actor: User | None,
    session: ClassSession,
    kind: str,
    file: File[Any] | None = None,
    reference: str = "",
    note: str = "",
) -> SessionEvidence:
    """Attach a venue camera's snapshot or recording (a file, or a reference to it)."""
    if actor is not None and not runs_class(scope_of(actor), session.klass):
        raise LearningForbidden("", "只有本班所属机构的教师或管理员可以添加监控证据")
    if kind not in EvidenceKind.values:
        raise ClassInvalid("kind", "证据类型应为现场抓拍或监控录像")
    reference = (reference or "").strip()
    if file is None and not reference:
        raise ClassInvalid("reference", "请上传文件或填写录像地址或编号")
    evidence = SessionEvidence(
        session=session, kind=kind, reference=reference[:500], note=note[:200], added_by=actor
    )
    if file is not None:
        evidence.file.save(getattr(file, "name", "") or "evidence", file, save=False)
    evidence.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type=AuditObject.SESSION_EVIDENCE,
        object_id=evidence.pk,
        after={"session": session.pk, "kind": kind, "reference": reference[:100]},
        region=session.klass.provider.region_id,
    )
    return evidence
