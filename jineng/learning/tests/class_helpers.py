"""Builders for the class and attendance tests: classes with sessions (times in Asia/Shanghai),
teachers, trainees of a chosen birth date, and trainees with an approved (fake) face."""

from __future__ import annotations

import datetime as dt
import itertools
import zoneinfo

from jineng.faces.providers import FaceEncoding
from jineng.faces.services import face_enrol, face_enrolment_approve
from jineng.faces.testing import FakeFaceProvider, fake_face_image
from jineng.identity.models import Person, Role, User
from jineng.identity.testing import make_person, make_user, resident_id
from jineng.learning.models import ClassSession, Course, TrainingClass
from jineng.learning.services.classes import class_create, session_add, teacher_assign
from jineng.organisations.models import Organisation, Teacher, TeacherKind

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
FAKE_FACES = {"FACES_PROVIDER": "jineng.faces.testing.FakeFaceProvider"}
_serial = itertools.count(500)


def local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


def person_born(birth: dt.date, *, male: bool = True, name: str | None = None) -> Person:
    n = next(_serial)
    serial = n * 2 + (1 if male else 0)
    return make_person(
        name=name or f"学员{n}", id_number=resident_id(area="441900", birth=birth, serial=serial)
    )


def young(name: str | None = None) -> Person:
    return person_born(dt.date(1995, 5, 5), name=name)


def make_class(
    course: Course,
    *,
    days: list[dt.date],
    subsidised: bool = True,
    capacity: int = 30,
    hours: tuple[int, int] = (9, 12),
    name: str = "数控车工初级班",
    lat: float | None = None,
    lng: float | None = None,
) -> TrainingClass:
    klass = class_create(
        actor=None, course=course, name=name, subsidised=subsidised, capacity=capacity
    )
    for day in days:
        session_add(
            actor=None,
            klass=klass,
            starts_at=local(day, hours[0]),
            ends_at=local(day, hours[1]),
            venue="松山湖实训中心 3 楼",
            lat=lat,
            lng=lng,
        )
    return klass


def make_teacher(
    organisation: Organisation, *, kind: str = TeacherKind.FULL_TIME, person: Person | None = None
) -> Teacher:
    return Teacher.objects.create(
        person=person or young(), organisation=organisation, kind=kind, subject="车工"
    )


def assign(klass: TrainingClass, teacher: Teacher) -> None:
    teacher_assign(actor=None, klass=klass, teacher=teacher)


def face_ready(person: Person, label: str | None = None) -> bytes:
    """Enrol and approve the person's fake face; returns a live capture of it."""
    image = fake_face_image(label or f"p{person.pk}")
    enrolment = face_enrol(actor=None, person=person, image=image)
    face_enrolment_approve(actor=make_user(Role.SYSADMIN), enrolment=enrolment)
    return image


def worker_for(person: Person) -> User:
    return make_user(Role.WORKER, person=person)


def first_session(klass: TrainingClass) -> ClassSession:
    session = klass.sessions.order_by("starts_at").first()
    assert session is not None
    return session


class CameraFakeFaceProvider(FakeFaceProvider):
    """The fake provider, reading any real JPEG (a frame of Chromium's fake camera) as a photo of
    CAMERA_LABEL, so a browser test's live capture matches a trainee enrolled with
    `fake_face_image(CAMERA_LABEL)` — deterministic, and without dlib."""

    def encode(self, image_bytes: bytes) -> FaceEncoding:
        if image_bytes[:3] == b"\xff\xd8\xff":
            image_bytes = fake_face_image(CAMERA_LABEL)
        return super().encode(image_bytes)


CAMERA_LABEL = "摄像头前的学员"
CAMERA_FACES = {"FACES_PROVIDER": "jineng.learning.tests.class_helpers.CameraFakeFaceProvider"}
