"""Enrolment: who may capture or import a face photo, what is refused (and then nothing is
stored), and the review by an officer in scope (pending → approved | rejected, once)."""

from __future__ import annotations

import pytest

from jineng.audit.models import AuditEntry
from jineng.core.errors import Conflict, DomainError, Forbidden
from jineng.faces.errors import ManyFaces, NoFaceFound
from jineng.faces.models import EnrolmentSource, EnrolmentStatus, FaceEnrolment
from jineng.faces.services import face_enrol, face_enrolment_approve, face_enrolment_reject
from jineng.faces.testing import MANY_FACES_IMAGE, NO_FACE_IMAGE, fake_face_image
from jineng.identity.models import Person, Role, User
from jineng.identity.testing import make_person, make_user

pytestmark = pytest.mark.django_db


def test_a_worker_enrols_themself_by_live_capture(person: Person) -> None:
    worker = make_user(Role.WORKER, person=person)
    image = fake_face_image("甲")

    enrolment = face_enrol(actor=worker, person=person, image=image, source="live_capture")

    assert (enrolment.status, enrolment.source) == (EnrolmentStatus.PENDING, "live_capture")
    assert enrolment.enrolled_by == worker
    assert enrolment.image_size == len(image)
    entry = AuditEntry.objects.get(action="face_enrol")
    assert (entry.object_type, entry.object_id) == ("face_enrolment", str(enrolment.pk))
    assert entry.after == {
        "person": person.pk,
        "source": "live_capture",
        "image_size": len(image),
        "image_digest": enrolment.image_digest,
    }
    assert entry.region == "441900"


def test_a_worker_cannot_enrol_someone_else_nor_import(person: Person) -> None:
    stranger = make_user(Role.WORKER)
    own = make_user(Role.WORKER, person=person)
    with pytest.raises(Forbidden):
        face_enrol(actor=stranger, person=person, image=fake_face_image(), source="live_capture")
    with pytest.raises(Forbidden):
        face_enrol(actor=own, person=person, image=fake_face_image(), source="imported")
    assert not FaceEnrolment.objects.exists()
    assert not AuditEntry.objects.filter(action="face_enrol").exists()


def test_an_officer_imports_in_scope_only(person: Person, officer: User, outsider: User) -> None:
    imported = face_enrol(actor=officer, person=person, image=fake_face_image(), source="imported")
    assert imported.source == EnrolmentSource.IMPORTED
    other = make_person(residence_region="441900")
    with pytest.raises(Forbidden):
        face_enrol(actor=outsider, person=other, image=fake_face_image(), source="imported")
    teacher = make_user(Role.TEACHER)
    with pytest.raises(Forbidden):
        face_enrol(actor=teacher, person=other, image=fake_face_image(), source="live_capture")
    assert FaceEnrolment.objects.count() == 1


@pytest.mark.parametrize(
    ("image", "error"), [(NO_FACE_IMAGE, NoFaceFound), (MANY_FACES_IMAGE, ManyFaces)]
)
def test_a_photo_without_exactly_one_face_is_refused_and_nothing_stored(
    person: Person, image: bytes, error: type[DomainError]
) -> None:
    with pytest.raises(error):
        face_enrol(actor=None, person=person, image=image)
    assert not FaceEnrolment.objects.exists()
    assert not AuditEntry.objects.filter(action="face_enrol").exists()


def test_an_unknown_source_is_refused(person: Person) -> None:
    with pytest.raises(DomainError) as refused:
        face_enrol(actor=None, person=person, image=fake_face_image(), source="file_picker")
    assert refused.value.field == "source"


def test_a_second_photo_waits_for_the_first_decision(person: Person, officer: User) -> None:
    first = face_enrol(actor=None, person=person, image=fake_face_image())
    with pytest.raises(Conflict) as refused:
        face_enrol(actor=None, person=person, image=fake_face_image())
    assert "待审核" in refused.value.message
    face_enrolment_reject(actor=officer, enrolment=first, reason="照片模糊")
    again = face_enrol(actor=None, person=person, image=fake_face_image())
    assert again.status == EnrolmentStatus.PENDING
    assert FaceEnrolment.objects.count() == 2


def test_an_officer_in_scope_approves_once(person: Person, officer: User) -> None:
    enrolment = face_enrol(actor=None, person=person, image=fake_face_image())

    approved = face_enrolment_approve(actor=officer, enrolment=enrolment, reason="本人")

    assert approved.status == EnrolmentStatus.APPROVED
    assert approved.reviewed_by == officer
    assert approved.reviewed_at is not None
    entry = AuditEntry.objects.get(action="face_approve")
    assert entry.before == {"status": "pending"}
    assert entry.after == {"status": "approved", "person": person.pk}
    assert entry.reason == "本人"
    with pytest.raises(Conflict):
        face_enrolment_reject(actor=officer, enrolment=enrolment, reason="改主意")
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.APPROVED


@pytest.mark.parametrize(
    "who",
    [
        "outsider",
        "finance of the same city",
        "auditor of the same city",
        "teacher",
        "the worker",
    ],
)
def test_only_a_reviewer_or_approver_in_scope_decides(
    person: Person, outsider: User, who: str
) -> None:
    actor = {
        "outsider": lambda: outsider,
        "finance of the same city": lambda: make_user(Role.BUREAU_FINANCE, region="441900"),
        "auditor of the same city": lambda: make_user(Role.AUDITOR, region="441900"),
        "teacher": lambda: make_user(Role.TEACHER),
        "the worker": lambda: make_user(Role.WORKER, person=person),
    }[who]()
    enrolment = face_enrol(actor=None, person=person, image=fake_face_image())
    with pytest.raises(Forbidden):
        face_enrolment_approve(actor=actor, enrolment=enrolment)
    with pytest.raises(Forbidden):
        face_enrolment_reject(actor=actor, enrolment=enrolment, reason="不清楚")
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.PENDING
    assert not AuditEntry.objects.filter(action__in=["face_approve", "face_reject"]).exists()


def test_an_officer_does_not_approve_their_own_import(
    person: Person, officer: User, other_officer: User
) -> None:
    enrolment = face_enrol(actor=officer, person=person, image=fake_face_image(), source="imported")
    with pytest.raises(Forbidden) as refused:
        face_enrolment_approve(actor=officer, enrolment=enrolment)
    assert "其他工作人员" in refused.value.message
    assert face_enrolment_approve(actor=other_officer, enrolment=enrolment).status == "approved"


def test_an_officer_does_not_approve_their_own_face(person: Person) -> None:
    officer = make_user(Role.BUREAU_REVIEWER, region="441900", person=person)
    enrolment = face_enrol(actor=None, person=person, image=fake_face_image())
    with pytest.raises(Forbidden) as refused:
        face_enrolment_approve(actor=officer, enrolment=enrolment)
    assert "自己的人脸照片" in refused.value.message
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.PENDING


def test_a_sysadmin_may_review(person: Person) -> None:
    enrolment = face_enrol(actor=None, person=person, image=fake_face_image())
    admin = make_user(Role.SYSADMIN)
    assert face_enrolment_approve(actor=admin, enrolment=enrolment).status == "approved"


def test_a_rejection_says_why(person: Person, officer: User) -> None:
    enrolment = face_enrol(actor=None, person=person, image=fake_face_image())
    with pytest.raises(DomainError) as refused:
        face_enrolment_reject(actor=officer, enrolment=enrolment, reason="  ")
    assert refused.value.field == "reason"
    rejected = face_enrolment_reject(actor=officer, enrolment=enrolment, reason="不是本人")
    assert (rejected.status, rejected.review_reason) == (EnrolmentStatus.REJECTED, "不是本人")
    assert AuditEntry.objects.get(action="face_reject").reason == "不是本人"
