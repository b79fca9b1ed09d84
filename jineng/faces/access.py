"""Who may see face records and their images (PIPL art. 28: face images are sensitive personal
information, shown only to those who need them).

- The records (status, outcome, distance, when) follow the person: whoever may see the person
  (`jineng.identity.access.people_visible_to`) sees their enrolments and checks — a teacher sees
  that a trainee's check-in failed, not the photo.
- The images: only a bureau officer whose region covers the person's residence, or a system
  administrator (`can_view_face_images`). Never the auditor, organisation staff, or the worker.
- Reviewing an enrolment: a bureau reviewer or approver of a region covering the person, or a
  system administrator (`can_review_faces`).
Out of scope reads answer 404 (`access_*_by_id`), as everywhere."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.http import Http404

from jineng.faces.models import FaceCheck, FaceEnrolment
from jineng.identity.access import Scope, people_visible_to, scope_of
from jineng.identity.models import Person, Role, RoleAssignment
from jineng.reference.models import region_prefix

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from jineng.identity.models import User

REVIEWER_ROLES = frozenset({Role.BUREAU_REVIEWER, Role.BUREAU_APPROVER})


def can_view_face_images(
    user: User | AnonymousUser | None, person: Person, *, scope: Scope | None = None
) -> bool:
    scope = scope if scope is not None else scope_of(user)
    if scope.is_global:
        return True
    return scope.covers_region(person.residence_region_id, as_bureau=True)


def can_review_faces(user: User | AnonymousUser | None, person: Person) -> bool:
    """A reviewer or approver whose own assignment covers the person's region (a finance officer
    of the same region may not; one role's region does not lend itself to another role)."""
    scope = scope_of(user)
    if scope.is_global:
        return True
    if scope.read_only or not person.residence_region_id or scope.user_id is None:
        return False
    regions = RoleAssignment.objects.filter(
        user_id=scope.user_id, role__in=REVIEWER_ROLES, region__isnull=False
    ).values_list("region_id", flat=True)
    return any(person.residence_region_id.startswith(region_prefix(code)) for code in regions)


def face_enrolments_visible_to(
    user: User | AnonymousUser | None, *, scope: Scope | None = None
) -> QuerySet[FaceEnrolment]:
    people = people_visible_to(user, scope=scope)
    return FaceEnrolment.objects.filter(person__in=people.values("pk"))


def face_checks_visible_to(
    user: User | AnonymousUser | None, *, scope: Scope | None = None
) -> QuerySet[FaceCheck]:
    people = people_visible_to(user, scope=scope)
    return FaceCheck.objects.filter(person__in=people.values("pk"))


def _pk(value: object) -> int:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        raise Http404 from None


def access_face_enrolment_by_id(
    user: User | AnonymousUser | None, enrolment_id: int | str, *, scope: Scope | None = None
) -> FaceEnrolment:
    enrolment = (
        face_enrolments_visible_to(user, scope=scope)
        .select_related("person")
        .filter(pk=_pk(enrolment_id))
        .first()
    )
    if enrolment is None:
        raise Http404("人脸照片不存在或不在您的查看范围内")
    return enrolment


def access_face_check_by_id(
    user: User | AnonymousUser | None, check_id: int | str, *, scope: Scope | None = None
) -> FaceCheck:
    check = (
        face_checks_visible_to(user, scope=scope)
        .select_related("person")
        .filter(pk=_pk(check_id))
        .first()
    )
    if check is None:
        raise Http404("人脸核验记录不存在或不在您的查看范围内")
    return check
