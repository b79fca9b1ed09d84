"""Who may see and change which course (the rules the services and selectors share).

- everyone, signed in or not, sees published courses (the catalogue is public, 手机扫码听课);
- the provider's staff (admin, teacher) see and edit every course of their organisation;
- bureau officers and auditors see every course of providers located in their region;
- a system administrator sees everything.
Out of scope answers 404 (`access_course_by_id`), never 403, so an id cannot be probed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.http import Http404

from jineng.identity.access import Scope, resolve_scope, to_pk
from jineng.identity.models import BUREAU_ROLES, Role
from jineng.learning.models import Course, CourseStatus, Lesson
from jineng.learning.states import Party

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from jineng.identity.models import User

# Organisation roles that write and submit the organisation's courses.
PROVIDER_ROLES = frozenset({Role.ORG_ADMIN, Role.TEACHER})
# Bureau roles that review (publish, reject, withdraw) courses.
REVIEW_ROLES = frozenset({Role.BUREAU_REVIEWER, Role.BUREAU_APPROVER})


def courses_q(scope: Scope) -> Q | None:
    """The non-published courses `scope` may see, as a filter (None: none); a global scope sees
    all (the caller checks `scope.is_global` first)."""
    parts: list[Q] = []
    provider_orgs = [o for o in scope.organisation_ids if scope.roles_at(o) & PROVIDER_ROLES]
    if provider_orgs:
        parts.append(Q(provider_id__in=provider_orgs))
    parts.extend(Q(provider__region__code__startswith=p) for p in scope.region_prefixes)
    if not parts:
        return None
    q = parts[0]
    for part in parts[1:]:
        q |= part
    return q


def courses_visible_to(
    user: User | AnonymousUser | None, *, scope: Scope | None = None
) -> QuerySet[Course]:
    scope = resolve_scope(user, scope)
    if scope.is_global:
        return Course.objects.all()
    published = Q(status=CourseStatus.PUBLISHED)
    q = courses_q(scope)
    return Course.objects.filter(published if q is None else published | q)


def access_course_by_id(
    user: User | AnonymousUser | None, course_id: int | str, *, scope: Scope | None = None
) -> Course:
    course = (
        courses_visible_to(user, scope=scope)
        .select_related("provider", "occupation")
        .filter(pk=to_pk(course_id))
        .first()
    )
    if course is None:
        raise Http404("课程不存在或不在您的查看范围内")
    return course


def parties_of(scope: Scope, *, provider_id: int, provider_region: str) -> frozenset[Party]:
    """The parties of the pipeline `scope` acts as for a course of this provider. A system
    administrator acts as both; an auditor as neither."""
    if scope.read_only:
        return frozenset()
    if scope.is_global:
        return frozenset({Party.PROVIDER, Party.BUREAU})
    parties: set[Party] = set()
    if scope.roles_at(provider_id) & PROVIDER_ROLES:
        parties.add(Party.PROVIDER)
    if scope.roles & REVIEW_ROLES and scope.covers_region(provider_region, as_bureau=True):
        parties.add(Party.BUREAU)
    return frozenset(parties)


def is_bureau(scope: Scope) -> bool:
    return bool(scope.roles & BUREAU_ROLES)


def access_lesson_by_id(
    user: User | AnonymousUser | None, lesson_id: int | str, *, scope: Scope | None = None
) -> Lesson:
    """A lesson of a course the user may see (Http404 otherwise, also for a malformed id)."""
    visible = courses_visible_to(user, scope=scope)
    lesson = (
        Lesson.objects.select_related("chapter__course")
        .filter(pk=to_pk(lesson_id), chapter__course__in=visible)
        .first()
    )
    if lesson is None:
        raise Http404("课时不存在或不在您的查看范围内")
    return lesson
