"""Who sees face records (they follow the person) and who their images (officers in scope)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from jineng.faces.access import (
    access_face_check_by_id,
    access_face_enrolment_by_id,
    can_review_faces,
    can_view_face_images,
    face_checks_visible_to,
    face_enrolments_visible_to,
)
from jineng.faces.models import FaceEnrolment
from jineng.faces.services import face_check, face_enrol, face_enrolment_approve
from jineng.faces.testing import fake_face_image
from jineng.identity.models import Person, Role, User
from jineng.identity.testing import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def enrolment(person: Person, officer: User) -> FaceEnrolment:
    return face_enrolment_approve(
        actor=officer, enrolment=face_enrol(actor=None, person=person, image=fake_face_image())
    )


def test_records_follow_the_person(
    enrolment: FaceEnrolment, person: Person, outsider: User
) -> None:
    check = face_check(person=person, image=fake_face_image(), purpose="attendance")
    worker = make_user(Role.WORKER, person=person)
    auditor = make_user(Role.AUDITOR, region="441900")
    for user in (worker, auditor):
        assert list(face_enrolments_visible_to(user)) == [enrolment]
        assert list(face_checks_visible_to(user)) == [check]
        assert access_face_check_by_id(user, check.pk) == check
    assert not face_enrolments_visible_to(outsider).exists()
    with pytest.raises(Http404):
        access_face_enrolment_by_id(outsider, enrolment.pk)
    with pytest.raises(Http404):
        access_face_check_by_id(outsider, "not-a-number")


def test_access_by_id_is_one_query_and_does_not_read_the_image(
    enrolment: FaceEnrolment, officer: User
) -> None:
    from jineng.identity.access import scope_of

    scope = scope_of(officer)
    with CaptureQueriesContext(connection) as queries:
        found = access_face_enrolment_by_id(officer, enrolment.pk, scope=scope)
    assert found == enrolment
    assert len(queries) == 1
    assert '"image"' not in queries[0]["sql"] and '"encoding"' not in queries[0]["sql"]


def test_images_and_reviews_are_for_officers_in_scope(
    person: Person, officer: User, outsider: User
) -> None:
    finance = make_user(Role.BUREAU_FINANCE, region="441900")
    auditor = make_user(Role.AUDITOR, region="441900")
    worker = make_user(Role.WORKER, person=person)
    township = make_user(Role.BUREAU_REVIEWER, region="441900003")  # 东城街道, not the person's
    assert can_view_face_images(officer, person) and can_review_faces(officer, person)
    assert can_view_face_images(finance, person) and not can_review_faces(finance, person)
    for user in (outsider, auditor, worker, township):
        assert not can_view_face_images(user, person)
        assert not can_review_faces(user, person)
