"""Retention: images (and enrolment encodings) past FACES_RETENTION_DAYS are deleted by
`faces_purge`, the command `jineng faces purge` and the Celery task; the records remain."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from jineng.audit.models import AuditEntry
from jineng.faces.models import FaceCheck, FaceEnrolment
from jineng.faces.services import face_check, face_enrol, face_enrolment_approve, faces_purge
from jineng.faces.tasks import BEAT_SCHEDULE, purge_images_task
from jineng.faces.testing import fake_face_image
from jineng.identity.models import Person, User
from jineng.identity.testing import make_person

pytestmark = pytest.mark.django_db


def images(model: type[FaceEnrolment] | type[FaceCheck], column: str) -> list[bytes]:
    return [bytes(v) for v in model.objects.order_by("pk").values_list(column, flat=True)]


def test_the_retention_is_a_setting(person: Person) -> None:
    with override_settings(FACES_RETENTION_DAYS=30):
        enrolment = face_enrol(actor=None, person=person, image=fake_face_image())
    assert enrolment.retain_until - enrolment.created_at == pytest.approx(
        dt.timedelta(days=30), abs=dt.timedelta(seconds=5)
    )


def test_only_what_is_past_its_retention_is_deleted(person: Person, officer: User) -> None:
    enrolment = face_enrolment_approve(
        actor=officer, enrolment=face_enrol(actor=None, person=person, image=fake_face_image())
    )
    old = face_check(person=person, image=fake_face_image(), purpose="attendance")
    FaceCheck.objects.filter(pk=old.pk).update(retain_until=timezone.now() - dt.timedelta(days=1))
    recent = face_check(person=person, image=fake_face_image(), purpose="attendance")

    assert faces_purge() == 1

    assert images(FaceCheck, "capture") == [b"", fake_face_image()]
    old.refresh_from_db()
    assert old.purged_at is not None
    assert (old.matched, old.outcome, old.capture_digest) == (
        True,
        "matched",
        recent.capture_digest,
    )
    assert images(FaceEnrolment, "image") == [fake_face_image()]
    assert enrolment.purged_at is None
    entry = AuditEntry.objects.get(action="face_purge")
    assert (entry.object_type, entry.object_id, entry.after) == (
        "face_check",
        str(old.pk),
        {"purged": True},
    )
    assert entry.region == "441900"


def test_an_enrolment_past_retention_loses_image_and_encoding(person: Person) -> None:
    enrolment = face_enrol(actor=None, person=person, image=fake_face_image())
    other = make_person(residence_region="440300")
    face_enrol(actor=None, person=other, image=fake_face_image())

    assert faces_purge(now=enrolment.retain_until + dt.timedelta(seconds=10)) == 2

    assert images(FaceEnrolment, "image") == [b"", b""]
    assert images(FaceEnrolment, "encoding") == [b"", b""]
    regions = set(AuditEntry.objects.filter(action="face_purge").values_list("region", flat=True))
    assert regions == {"441900", "440300"}  # each entry is read in its own region
    assert faces_purge(now=enrolment.retain_until + dt.timedelta(days=1)) == 0  # idempotent


def test_the_command_and_the_task_purge(person: Person) -> None:
    face_enrol(actor=None, person=person, image=fake_face_image())
    FaceEnrolment.objects.update(retain_until=timezone.now() - dt.timedelta(minutes=1))
    out = StringIO()
    call_command("faces", "purge", stdout=out)
    assert out.getvalue().strip() == "已删除过期的人脸照片：1 条记录"

    face_enrol(actor=None, person=make_person(), image=fake_face_image())
    FaceEnrolment.objects.filter(purged_at__isnull=True).update(
        retain_until=timezone.now() - dt.timedelta(minutes=1)
    )
    assert purge_images_task.delay().get() == 1
    assert not FaceEnrolment.objects.filter(purged_at__isnull=True).exists()


def test_the_task_is_on_the_beat_schedule() -> None:
    from config.celery import app

    assert app.conf.beat_schedule["faces.purge_images"] == BEAT_SCHEDULE["faces.purge_images"]
    assert BEAT_SCHEDULE["faces.purge_images"]["task"] == purge_images_task.name
