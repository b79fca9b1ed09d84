"""Exam-room records: seals, workstations by lot (reproducible from the seed), incidents, video
references, signatures by every staff member closing the record, addenda after; who may."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jineng.assessment import services, workstations
from jineng.assessment.access_examroom import access_room_session, room_sessions_visible_to
from jineng.assessment.models import RoomRecord, SealOpening, WorkstationDraw
from jineng.assessment.tests.exam_support import ExamWorld, make_exam
from jineng.assessment.tests.room_support import staff_member
from jineng.audit.models import AuditEntry
from jineng.core.errors import Conflict, Forbidden, NotFound
from jineng.identity.models import Person, Role, User
from jineng.identity.testing import make_organisation, make_user

pytestmark = pytest.mark.django_db


def _person(user: User) -> Person:
    assert user.person is not None
    return user.person


@pytest.fixture
def exam() -> ExamWorld:
    return make_exam(candidates=4)


# pure functions: no database; a busy machine must not fail them on generation speed
PURE = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PURE
@given(
    seed=st.text(min_size=1, max_size=20),
    ids=st.sets(st.integers(1, 10_000), min_size=1, max_size=30),
    extra=st.integers(0, 10),
)
def test_the_draw_is_a_function_of_the_seed_distinct_and_in_range(
    seed: str, ids: set[int], extra: int
) -> None:
    stations = len(ids) + extra
    first = workstations.draw(seed, list(ids), stations)
    assert first == workstations.draw(seed, sorted(ids, reverse=True), stations)
    assert set(first) == ids
    assert len(set(first.values())) == len(ids)
    assert all(1 <= n <= stations for n in first.values())


@PURE
@given(candidates=st.integers(1, 200), rooms=st.integers(1, 12))
def test_every_candidate_lands_in_one_existing_room(candidates: int, rooms: int) -> None:
    got = [workstations.room_of(n, candidates=candidates, rooms=rooms) for n in range(candidates)]
    assert all(1 <= r <= rooms for r in got)
    assert got == sorted(got)


def test_a_whole_record_signed_by_all_staff_is_closed(exam: ExamWorld) -> None:
    a = staff_member(exam, "theory", "监考甲")
    b = staff_member(exam, "theory", "监考乙")
    session = exam.session
    seal = services.seal_open_record(
        actor=a, session=session, room=1, seal_numbers="A0012、A0013", witness=_person(b)
    )
    assert seal.opened_by == a
    draw = services.workstations_draw(actor=a, session=session, room=1, stations=6, seed="s1")
    assert draw.seed == "s1" and services.draw_replays(draw)
    seats = services.seats_of(session=session, room=1)
    assert sorted(s.registration.pk for s in seats) == [r.pk for _, r in exam.candidates]
    expected = workstations.draw("s1", [r.pk for _, r in exam.candidates], 6)
    assert {s.registration.pk: s.station for s in seats} == expected
    services.incident_record(
        actor=a,
        session=session,
        room=1,
        registration=exam.candidates[0][1],
        description="考生携带手机入场",
        action_taken="手机交由监考员保管",
    )
    now = timezone.now()
    services.video_reference_add(
        actor=b,
        session=session,
        room=1,
        reference="一号考场2号摄像头",
        starts_at=now - dt.timedelta(hours=1),
        ends_at=now,
    )
    services.room_record_sign(actor=a, session=session, room=1)
    assert RoomRecord.objects.get(session=session, room=1).closed_at is None
    services.room_record_sign(actor=b, session=session, room=1)
    record = RoomRecord.objects.get(session=session, room=1)
    assert record.closed_at is not None
    assert (
        AuditEntry.objects.filter(object_type="room_record", action="room_record_sign").count() == 2
    )
    before = SealOpening.objects.count()
    with pytest.raises(Conflict, match="全部考务人员签名"):
        services.seal_open_record(
            actor=a, session=session, room=1, seal_numbers="A0014", witness=_person(b)
        )
    assert SealOpening.objects.count() == before
    services.room_addendum_add(
        actor=a, session=session, room=1, text="补记：2号摄像头10:05断电3分钟"
    )
    assert record.addenda.count() == 1


def test_only_staff_sign_and_only_as_themselves(exam: ExamWorld) -> None:
    staff_member(exam, "theory", "监考甲")
    with pytest.raises(Forbidden):
        services.room_record_sign(actor=exam.admin, session=exam.session, room=1)
    outsider = make_user(Role.ASSESSOR, organisation=make_organisation())
    entries = AuditEntry.objects.count()
    with pytest.raises(Forbidden):
        services.incident_record(
            actor=outsider, session=exam.session, room=1, description="x", action_taken="y"
        )
    assert AuditEntry.objects.count() == entries
    assert not RoomRecord.objects.exists()


def test_a_draw_is_made_once_and_needs_enough_stations(exam: ExamWorld) -> None:
    a = staff_member(exam, "theory", "监考甲")
    with pytest.raises(Exception, match="工位数应在4至999之间"):
        services.workstations_draw(actor=a, session=exam.session, room=1, stations=3)
    assert not WorkstationDraw.objects.exists()
    services.workstations_draw(actor=a, session=exam.session, room=1, stations=4)
    with pytest.raises(Conflict, match="不能重抽"):
        services.workstations_draw(actor=a, session=exam.session, room=1, stations=4)


def test_who_reads_room_records(exam: ExamWorld) -> None:
    staff = staff_member(exam, "theory", "监考甲")
    bureau = make_user(Role.BUREAU_REVIEWER, region="441900")
    other_bureau = make_user(Role.BUREAU_REVIEWER, region="440100")
    hr = make_user(Role.ORG_HR, organisation=exam.world.organisation)
    pk = exam.session.pk
    assert access_room_session(staff, pk, 1) == exam.session
    assert access_room_session(bureau, pk, 1) == exam.session
    assert access_room_session(exam.admin, pk, 1) == exam.session
    for user in (other_bureau, hr):
        with pytest.raises(NotFound):
            access_room_session(user, pk, 1)
    with pytest.raises(NotFound):
        access_room_session(staff, pk, 2)  # the session has one room
    assert not room_sessions_visible_to(other_bureau).exists()
