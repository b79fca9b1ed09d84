"""Attendance (issue 8 §5): a fresh QR with the enrolled face at the venue checks in, a second scan
checks out; a forwarded screenshot fails — expired, replayed, wrong place, wrong face — each with
its own reason and kept as evidence; the teacher marks without a phone only with a reason."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

import pytest
from django.core.files.base import ContentFile
from django.test import override_settings

from jineng.audit.models import AuditEntry
from jineng.faces.testing import fake_face_image
from jineng.identity.models import Person, Role
from jineng.identity.testing import make_organisation, make_user
from jineng.learning.errors import CheckInRefused, ClassInvalid, LearningForbidden
from jineng.learning.models import (
    Attendance,
    AttendanceKind,
    AttendanceMethod,
    CheckInRefusal,
    ClassSession,
    Course,
    Enrolment,
    EvidenceKind,
    TrainingClass,
)
from jineng.learning.services.attendance import (
    Device,
    attendance_check_in,
    attendance_mark,
    checkin_token,
    distance_m,
    parse_token,
    session_evidence_add,
)
from jineng.learning.services.classes import class_enrol, class_transition
from jineng.learning.tests.class_helpers import (
    FAKE_FACES,
    assign,
    face_ready,
    first_session,
    make_class,
    make_teacher,
    young,
)
from jineng.organisations.models import Organisation

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 6, 1)
VENUE = (22.9000, 113.8800)  # 松山湖
NEAR = (22.9010, 113.8800)  # ~111 m north
FAR = (22.9200, 113.8800)  # ~2.2 km north
PHONE = Device(user_agent="Mozilla/5.0 (iPhone) Mobile Safari", ip="203.0.113.7")


@pytest.fixture(autouse=True)
def fake_faces() -> Iterator[None]:
    with override_settings(**FAKE_FACES):
        yield


@pytest.fixture
def klass(make_course: Callable[..., Course], provider: Organisation) -> TrainingClass:
    klass = make_class(make_course(), days=[DAY], subsidised=False, lat=VENUE[0], lng=VENUE[1])
    assign(klass, make_teacher(provider))
    return klass


@pytest.fixture
def trainee(klass: TrainingClass) -> Person:
    person = young("签到学员")
    class_enrol(actor=None, klass=klass, person=person)
    class_transition(actor=None, klass=klass, to="training")
    return person


def now_in(session: ClassSession, minutes: int = 5) -> dt.datetime:
    return session.starts_at + dt.timedelta(minutes=minutes)


def check_in(
    person: Person,
    session: ClassSession,
    *,
    at: dt.datetime,
    token: str | None = None,
    image: bytes | None = None,
    where: tuple[float, float] | None = NEAR,
) -> Attendance:
    return attendance_check_in(
        actor=None,
        person=person,
        token=token or checkin_token(session, at=at),
        image=image if image is not None else fake_face_image(f"p{person.pk}"),
        lat=where[0] if where else None,
        lng=where[1] if where else None,
        device=PHONE,
        at=at,
    )


def refused(code: str, call: Callable[[], object]) -> CheckInRefused:
    with pytest.raises(CheckInRefused) as info:
        call()
    assert info.value.field == code
    assert CheckInRefusal.objects.filter(code=code).exists()
    return info.value


def test_a_fresh_qr_with_the_enrolled_face_at_the_venue_checks_in_then_out(
    klass: TrainingClass, trainee: Person
) -> None:
    face_ready(trainee)
    session = first_session(klass)
    t = now_in(session)
    first = check_in(trainee, session, at=t)
    assert (first.kind, first.method) == (AttendanceKind.CHECK_IN, AttendanceMethod.QR_FACE)
    assert first.face_check is not None and first.face_check.matched
    assert 100 <= (first.distance_m or 0) <= 125
    assert (first.user_agent, first.ip) == (PHONE.user_agent, PHONE.ip)
    later = check_in(trainee, session, at=t + dt.timedelta(hours=2, minutes=50))
    assert later.kind == AttendanceKind.CHECK_OUT
    assert AuditEntry.objects.filter(action="attendance_check_in").count() == 2
    refused("done", lambda: check_in(trainee, session, at=t + dt.timedelta(hours=2, minutes=55)))


def test_an_expired_window_is_refused(klass: TrainingClass, trainee: Person) -> None:
    face_ready(trainee)
    session = first_session(klass)
    t = now_in(session)
    old = checkin_token(session, at=t - dt.timedelta(seconds=40))  # 2+ windows ago
    error = refused("expired", lambda: check_in(trainee, session, at=t, token=old))
    assert "已过期" in error.message and "截图无效" in error.message
    # One window back is still accepted (the time to take the photo).
    recent = checkin_token(session, at=t - dt.timedelta(seconds=15))
    assert check_in(trainee, session, at=t, token=recent).kind == AttendanceKind.CHECK_IN


def test_a_replayed_token_is_refused(klass: TrainingClass, trainee: Person) -> None:
    face_ready(trainee)
    session = first_session(klass)
    t = now_in(session)
    token = checkin_token(session, at=t)
    check_in(trainee, session, at=t, token=token)
    error = refused("replayed", lambda: check_in(trainee, session, at=t, token=token))
    assert error.message == "该签到二维码已使用过，请扫描老师手机上刷新后的二维码"
    assert Attendance.objects.count() == 1


def test_the_wrong_place_is_refused(klass: TrainingClass, trainee: Person) -> None:
    face_ready(trainee)
    session = first_session(klass)
    error = refused("place", lambda: check_in(trainee, session, at=now_in(session), where=FAR))
    assert "超出 300 米" in error.message
    refused("no_position", lambda: check_in(trainee, session, at=now_in(session), where=None))
    assert not Attendance.objects.exists()


def test_the_wrong_face_is_refused(klass: TrainingClass, trainee: Person) -> None:
    face_ready(trainee)
    session = first_session(klass)
    error = refused(
        "face",
        lambda: check_in(trainee, session, at=now_in(session), image=fake_face_image("在家的朋友")),
    )
    assert error.message == "人脸核验未通过：现场照片与注册照片不是同一人"
    assert not Attendance.objects.exists()


def test_without_an_approved_face_the_reason_says_so(klass: TrainingClass, trainee: Person) -> None:
    session = first_session(klass)
    error = refused("face", lambda: check_in(trainee, session, at=now_in(session)))
    assert "尚未采集人脸照片" in error.message


def test_a_forged_token_someone_not_on_the_roster_and_the_wrong_time(
    klass: TrainingClass, trainee: Person
) -> None:
    session = first_session(klass)
    t = now_in(session)
    good = checkin_token(session, at=t)
    forged = good[:-1] + ("0" if good[-1] != "0" else "1")
    refused("invalid", lambda: check_in(trainee, session, at=t, token=forged))
    stranger = young("陌生人")
    face_ready(stranger)
    refused("roster", lambda: check_in(stranger, session, at=t))
    face_ready(trainee)
    late = session.ends_at + dt.timedelta(hours=1)
    refused("time", lambda: check_in(trainee, session, at=late))


def test_tokens_are_bound_to_their_session_and_window(klass: TrainingClass) -> None:
    session = first_session(klass)
    t = now_in(session)
    token = checkin_token(session, at=t)
    parsed = parse_token(token)
    assert parsed.session_id == session.pk
    assert checkin_token(session, at=t + dt.timedelta(seconds=15)) != token
    other = f"{session.pk + 1}.{parsed.window}.{token.rsplit('.', 1)[1]}"
    with pytest.raises(CheckInRefused):
        parse_token(other)


def test_distance_is_haversine() -> None:
    assert round(distance_m(*VENUE, *NEAR)) == 111
    assert distance_m(*VENUE, *VENUE) == 0


def test_the_teacher_marks_present_only_with_a_reason(
    klass: TrainingClass, trainee: Person, provider: Organisation
) -> None:
    teacher = make_user(Role.TEACHER, organisation=provider)
    session = first_session(klass)
    enrolment = Enrolment.objects.get(person=trainee)
    with pytest.raises(ClassInvalid, match="须填写理由"):
        attendance_mark(actor=teacher, session=session, enrolment=enrolment, reason=" ")
    outsider = make_user(Role.TEACHER, organisation=make_organisation(name="别家"))
    with pytest.raises(LearningForbidden):
        attendance_mark(actor=outsider, session=session, enrolment=enrolment, reason="手机坏了")
    mark = attendance_mark(actor=teacher, session=session, enrolment=enrolment, reason="手机坏了")
    assert (mark.method, mark.marked_by_id, mark.reason) == ("teacher", teacher.pk, "手机坏了")
    entry = AuditEntry.objects.get(action="attendance_mark")
    assert entry.reason == "手机坏了"
    from jineng.learning.services.classes import teacher_mark_counts

    assert teacher_mark_counts(klass) == {teacher.pk: 1}


def test_monitoring_evidence_is_a_file_or_a_reference(
    klass: TrainingClass, provider: Organisation
) -> None:
    session = first_session(klass)
    staff = make_user(Role.ORG_ADMIN, organisation=provider)
    with pytest.raises(ClassInvalid, match="请上传文件或填写录像地址"):
        session_evidence_add(actor=staff, session=session, kind=EvidenceKind.RECORDING)
    ref = session_evidence_add(
        actor=staff, session=session, kind=EvidenceKind.RECORDING, reference="NVR-3F-20260601"
    )
    snap = session_evidence_add(
        actor=staff,
        session=session,
        kind=EvidenceKind.SNAPSHOT,
        file=ContentFile(b"\xff\xd8\xff jpeg", name="snap.jpg"),
    )
    assert ref.reference == "NVR-3F-20260601" and snap.file.name.startswith("learning/evidence/")
    assert list(session.evidence.values_list("kind", flat=True)) == ["recording", "snapshot"]
