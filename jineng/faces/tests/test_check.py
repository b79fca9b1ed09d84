"""A face check compares a live capture with the approved enrolment: refused with the reason when
there is none; a capture without a usable face is a failed check on record; the real provider
end to end on the astronaut."""

from __future__ import annotations

import pytest
from django.test import override_settings

from jineng.audit.models import AuditEntry
from jineng.core.errors import DomainError
from jineng.faces import testing
from jineng.faces.errors import NoApprovedEnrolment
from jineng.faces.models import CheckOutcome, FaceCheck, FaceEnrolment
from jineng.faces.services import (
    face_check,
    face_enrol,
    face_enrolment_approve,
    face_enrolment_reject,
    faces_purge,
)
from jineng.faces.testing import fake_face_image
from jineng.identity.models import Person, Role, User
from jineng.identity.testing import make_user

pytestmark = pytest.mark.django_db


def enrolled(person: Person, officer: User, image: bytes | None = None) -> FaceEnrolment:
    enrolment = face_enrol(actor=None, person=person, image=image or fake_face_image("甲"))
    return face_enrolment_approve(actor=officer, enrolment=enrolment)


def test_no_enrolment_is_refused_with_the_reason(person: Person) -> None:
    with pytest.raises(NoApprovedEnrolment) as refused:
        face_check(person=person, image=fake_face_image("甲"), purpose="attendance")
    assert refused.value.message == "尚未采集人脸照片，请先采集本人照片并等待工作人员审核。"
    assert refused.value.status == 409
    assert not FaceCheck.objects.exists()


def test_a_pending_enrolment_is_not_enough(person: Person) -> None:
    face_enrol(actor=None, person=person, image=fake_face_image("甲"))
    with pytest.raises(NoApprovedEnrolment) as refused:
        face_check(person=person, image=fake_face_image("甲"), purpose="attendance")
    assert "正在等待工作人员审核" in refused.value.message


def test_a_rejected_enrolment_says_why(person: Person, officer: User) -> None:
    enrolment = face_enrol(actor=None, person=person, image=fake_face_image("甲"))
    face_enrolment_reject(actor=officer, enrolment=enrolment, reason="照片模糊")
    with pytest.raises(NoApprovedEnrolment) as refused:
        face_check(person=person, image=fake_face_image("甲"), purpose="learning_check")
    assert refused.value.message == "人脸照片未通过审核（照片模糊），请重新采集本人照片。"


def test_a_purged_enrolment_asks_for_a_new_one(person: Person, officer: User) -> None:
    enrolment = enrolled(person, officer)
    faces_purge(now=enrolment.retain_until)
    with pytest.raises(NoApprovedEnrolment) as refused:
        face_check(person=person, image=fake_face_image("甲"), purpose="attendance")
    assert "已超过保存期限" in refused.value.message


def test_the_same_person_matches_and_it_is_on_record(person: Person, officer: User) -> None:
    enrolment = enrolled(person, officer)
    worker = make_user(Role.WORKER, person=person)
    capture = fake_face_image("甲", offset=0.2)

    check = face_check(
        person=person, image=capture, purpose="attendance", context="session:12", actor=worker
    )

    assert (check.matched, check.outcome, check.reason) == (True, "matched", "人脸比对通过")
    assert check.distance == pytest.approx(0.2)
    assert (check.threshold, check.enrolment, check.context) == (0.6, enrolment, "session:12")
    entry = AuditEntry.objects.get(action="face_check")
    assert entry.actor_id == worker.pk
    assert entry.after == {
        "person": person.pk,
        "purpose": "attendance",
        "outcome": "matched",
        "distance": 0.2,
        "context": "session:12",
        "image_size": len(capture),
        "image_digest": check.capture_digest,
    }


def test_another_person_does_not_match(person: Person, officer: User) -> None:
    enrolled(person, officer)
    check = face_check(person=person, image=fake_face_image("乙"), purpose="learning_check")
    assert (check.matched, check.outcome) == (False, CheckOutcome.MISMATCH)
    assert check.reason == "现场照片与注册照片不是同一人"


def test_the_threshold_in_force_is_recorded(person: Person, officer: User) -> None:
    enrolled(person, officer)
    with override_settings(FACES_DISTANCE_THRESHOLD=0.1):
        check = face_check(
            person=person, image=fake_face_image("甲", offset=0.2), purpose="attendance"
        )
    assert (check.matched, check.threshold) == (False, 0.1)


@pytest.mark.parametrize(
    ("image", "outcome", "words", "kept"),
    [
        (testing.NO_FACE_IMAGE, "no_face", "未检测到人脸", True),
        (testing.MANY_FACES_IMAGE, "many_faces", "不止一张人脸", True),
        (b"garbage", "bad_image", "照片无法识别", False),
    ],
)
def test_a_capture_without_a_usable_face_is_a_failed_check_with_its_reason(
    person: Person, officer: User, image: bytes, outcome: str, words: str, kept: bool
) -> None:
    enrolled(person, officer)
    check = face_check(person=person, image=image, purpose="learning_check")
    assert (check.matched, check.outcome, check.distance) == (False, outcome, None)
    assert words in check.reason
    stored = FaceCheck.objects.values_list("capture", flat=True).get(pk=check.pk)
    assert bool(stored) is kept  # undecodable bytes are not kept as evidence


def test_purpose_and_context_are_checked(person: Person, officer: User) -> None:
    enrolled(person, officer)
    with pytest.raises(DomainError) as bad_purpose:
        face_check(person=person, image=fake_face_image("甲"), purpose="selfie")
    with pytest.raises(DomainError) as long_context:
        face_check(
            person=person, image=fake_face_image("甲"), purpose="attendance", context="x" * 101
        )
    assert (bad_purpose.value.field, long_context.value.field) == ("purpose", "context")
    assert not FaceCheck.objects.exists()


def test_the_latest_approved_enrolment_is_the_one_compared(person: Person, officer: User) -> None:
    enrolled(person, officer, fake_face_image("旧"))
    newer = enrolled(person, officer, fake_face_image("新"))
    check = face_check(person=person, image=fake_face_image("新"), purpose="attendance")
    assert (check.enrolment, check.matched) == (newer, True)


def test_the_real_provider_end_to_end(
    real_provider: None, person: Person, officer: User, astronaut: bytes
) -> None:
    enrolled(person, officer, astronaut)

    rescaled = face_check(
        person=person, image=testing.astronaut_jpeg(scale=0.8), purpose="attendance"
    )
    shifted = face_check(
        person=person, image=testing.astronaut_jpeg(shift=(25, 40)), purpose="attendance"
    )
    no_face = face_check(person=person, image=testing.camera_jpeg(), purpose="attendance")

    assert rescaled.matched and shifted.matched
    assert rescaled.distance is not None and rescaled.distance < 0.3
    assert (no_face.matched, no_face.outcome) == (False, "no_face")
    assert no_face.reason == "照片中未检测到人脸，请正对镜头、保持光线充足后重新拍摄。"
