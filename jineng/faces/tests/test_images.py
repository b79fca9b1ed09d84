"""Face images at rest and in view: encrypted in the database (the column is never the JPEG),
deferred on ordinary reads, shown only to an officer in scope, every view audited, and never in an
audit entry or a log."""

from __future__ import annotations

import logging

import pytest
from django.db import connection

from jineng.audit.models import AuditEntry
from jineng.core.errors import Conflict, Forbidden
from jineng.faces import testing
from jineng.faces.crypto import digest
from jineng.faces.models import FaceCheck, FaceEnrolment
from jineng.faces.services import (
    face_check,
    face_enrol,
    face_enrolment_approve,
    face_image_view,
    faces_purge,
)
from jineng.identity.models import Person, Role, User
from jineng.identity.testing import make_user

pytestmark = pytest.mark.django_db


def raw(table: str, column: str, pk: int) -> bytes:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])
        return bytes(cursor.fetchone()[0])


@pytest.fixture
def jpeg_enrolment(person: Person, officer: User, astronaut: bytes) -> FaceEnrolment:
    # Fake provider (fast), but a real JPEG with the marker appended: bytes a JPEG reader accepts.
    image = astronaut + testing.fake_face_image("甲")
    enrolment = face_enrol(actor=None, person=person, image=image)
    return face_enrolment_approve(actor=officer, enrolment=enrolment)


def test_the_stored_columns_are_ciphertext(jpeg_enrolment: FaceEnrolment, person: Person) -> None:
    image = bytes(FaceEnrolment.objects.values_list("image", flat=True).get(pk=jpeg_enrolment.pk))
    assert image[:3] == b"\xff\xd8\xff"  # what the code sees: the JPEG

    stored = raw("faces_faceenrolment", "image", jpeg_enrolment.pk)
    assert stored[:3] != b"\xff\xd8\xff"
    assert stored.startswith(b"gAAAAA")  # a Fernet token
    assert image[100:140] not in stored
    encoding = raw("faces_faceenrolment", "encoding", jpeg_enrolment.pk)
    assert encoding.startswith(b"gAAAAA")

    check = face_check(person=person, image=image, purpose="attendance")
    capture = raw("faces_facecheck", "capture", check.pk)
    assert capture.startswith(b"gAAAAA") and image[100:140] not in capture


def test_ordinary_reads_leave_the_images_unread(jpeg_enrolment: FaceEnrolment) -> None:
    enrolment = FaceEnrolment.objects.get(pk=jpeg_enrolment.pk)
    assert enrolment.get_deferred_fields() == {"image", "encoding"}
    assert list(FaceCheck.objects.all().query.deferred_loading[0]) == ["capture"]


def test_an_officer_in_scope_sees_the_image_and_every_view_is_audited(
    jpeg_enrolment: FaceEnrolment, other_officer: User
) -> None:
    expected = bytes(
        FaceEnrolment.objects.values_list("image", flat=True).get(pk=jpeg_enrolment.pk)
    )

    first = face_image_view(actor=other_officer, enrolment_or_check=jpeg_enrolment, reason="复核")
    second = face_image_view(actor=other_officer, enrolment_or_check=jpeg_enrolment)

    assert first == second == expected
    views = list(AuditEntry.objects.filter(action="face_view").order_by("pk"))
    assert len(views) == 2
    assert {(v.actor_id, v.object_type, v.object_id) for v in views} == {
        (other_officer.pk, "face_enrolment", str(jpeg_enrolment.pk))
    }
    assert views[0].reason == "复核"
    assert views[0].after == {
        "person": jpeg_enrolment.person_id,
        "image_size": len(expected),
        "image_digest": digest(expected),
    }


def test_a_check_capture_is_viewed_the_same_way(
    jpeg_enrolment: FaceEnrolment, person: Person, officer: User
) -> None:
    capture = testing.astronaut_jpeg(scale=0.8) + testing.fake_face_image("甲")
    check = face_check(person=person, image=capture, purpose="learning_check")
    assert face_image_view(actor=officer, enrolment_or_check=check) == capture
    entry = AuditEntry.objects.get(action="face_view")
    assert (entry.object_type, entry.object_id) == ("face_check", str(check.pk))


@pytest.mark.parametrize(
    "who", ["reviewer of another city", "auditor of the same city", "teacher", "the worker"]
)
def test_no_one_else_sees_the_image_and_a_refusal_changes_nothing(
    jpeg_enrolment: FaceEnrolment, person: Person, outsider: User, who: str
) -> None:
    actor = {
        "reviewer of another city": lambda: outsider,
        "auditor of the same city": lambda: make_user(Role.AUDITOR, region="441900"),
        "teacher": lambda: make_user(Role.TEACHER),
        "the worker": lambda: make_user(Role.WORKER, person=person),
    }[who]()
    before = AuditEntry.objects.count()
    with pytest.raises(Forbidden) as refused:
        face_image_view(actor=actor, enrolment_or_check=jpeg_enrolment)
    assert refused.value.message == "无权查看该人员的人脸照片"
    assert AuditEntry.objects.count() == before


def test_a_purged_image_is_gone(jpeg_enrolment: FaceEnrolment, officer: User) -> None:
    faces_purge(now=jpeg_enrolment.retain_until)
    with pytest.raises(Conflict) as refused:
        face_image_view(actor=officer, enrolment_or_check=jpeg_enrolment)
    assert "已删除" in refused.value.message


def test_images_never_reach_the_audit_or_the_log(
    person: Person, officer: User, astronaut: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    image = astronaut + testing.fake_face_image("甲")
    enrolment = face_enrol(actor=None, person=person, image=image)
    face_enrolment_approve(actor=officer, enrolment=enrolment)
    face_check(person=person, image=image, purpose="attendance")
    face_image_view(actor=officer, enrolment_or_check=enrolment)
    faces_purge(now=enrolment.retain_until)

    entries = AuditEntry.objects.filter(action__startswith="face_")
    assert set(entries.values_list("action", flat=True)) == {
        "face_enrol",
        "face_approve",
        "face_check",
        "face_view",
        "face_purge",
    }
    for entry in entries:
        text = repr(entry.before) + repr(entry.after)
        assert len(text) < 400  # sizes and digests, never an image
        assert "image" not in (entry.after or {}) and "capture" not in (entry.after or {})
    assert all(len(r.getMessage()) < 400 for r in caplog.records)
