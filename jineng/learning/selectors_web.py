"""Reads the learning pages and API need beyond `jineng.learning.selectors`, scoped the same way
(through `jineng.learning.access`): the catalogue's filter choices, a provider's own courses, the
review queue, a course's outline and history, and a person's credited total on one lesson."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Count, QuerySet

from jineng.identity.access import Scope, resolve_scope
from jineng.learning.access import PROVIDER_ROLES, courses_visible_to
from jineng.learning.models import (
    Chapter,
    Course,
    CourseStatus,
    CourseStatusChange,
    Lesson,
    LessonProgress,
)
from jineng.organisations.models import Organisation
from jineng.reference.models import Occupation, Region

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from jineng.identity.models import Person, User


@dataclass(frozen=True)
class CatalogueChoices:
    occupations: list[tuple[str, str]]  # (code, name) of occupations with visible courses
    providers: list[tuple[int, str]]
    towns: list[tuple[str, str]]  # regions where providers of visible courses are


def catalogue_choices(
    user: User | AnonymousUser | None, *, scope: Scope | None = None
) -> CatalogueChoices:
    scope = resolve_scope(user, scope)
    visible = courses_visible_to(user, scope=scope).filter(status=CourseStatus.PUBLISHED)
    occ_codes = visible.values("occupation_id").distinct()
    occupations = list(
        Occupation.objects.filter(code__in=occ_codes).order_by("name").values_list("code", "name")
    )
    providers = list(
        Organisation.objects.filter(pk__in=visible.values("provider_id").distinct())
        .order_by("name")
        .values_list("pk", "name")
    )
    towns = list(
        Region.objects.filter(pk__in=visible.values("provider__region_id").distinct())
        .order_by("code")
        .values_list("code", "name")
    )
    return CatalogueChoices(occupations=occupations, providers=providers, towns=towns)


def provider_organisations(scope: Scope) -> QuerySet[Organisation]:
    """The organisations whose courses `scope` writes (its provider roles)."""
    ids = [o for o in scope.organisation_ids if scope.roles_at(o) & PROVIDER_ROLES]
    return Organisation.objects.filter(pk__in=ids).order_by("name")


def provider_courses(
    user: User | AnonymousUser | None, *, scope: Scope | None = None
) -> QuerySet[Course]:
    """Every course (any status) of the organisations the user writes courses for."""
    scope = resolve_scope(user, scope)
    orgs = provider_organisations(scope)
    return (
        courses_visible_to(user, scope=scope)
        .filter(provider__in=orgs)
        .select_related("provider", "occupation")
        .annotate(n_chapters=Count("chapters", distinct=True))
        .order_by("-updated_at", "-id")
    )


def review_queue(
    user: User | AnonymousUser | None, *, scope: Scope | None = None
) -> QuerySet[Course]:
    """Submitted courses the user sees (a bureau officer: providers in the region)."""
    return (
        courses_visible_to(user, scope=scope)
        .filter(status=CourseStatus.SUBMITTED)
        .select_related("provider", "occupation")
        .order_by("updated_at", "id")
    )


def course_outline(course: Course) -> list[tuple[Chapter, list[Lesson]]]:
    """A course's chapters with their lessons, in order (the course was access-checked)."""
    chapters = list(Chapter.objects.filter(course=course).order_by("order"))
    lessons: dict[int, list[Lesson]] = {c.pk: [] for c in chapters}
    for lesson in Lesson.objects.filter(chapter__course=course).order_by("chapter__order", "order"):
        lessons[lesson.chapter_id].append(lesson)
    return [(c, lessons[c.pk]) for c in chapters]


def course_history(course: Course) -> QuerySet[CourseStatusChange]:
    return (
        CourseStatusChange.objects.filter(course=course)
        .select_related("actor")
        .order_by("at", "id")
    )


def lesson_credited_ms(*, person: Person, lesson: Lesson) -> int:
    """The person's credited total on the lesson (the learner asks about themself)."""
    value = (
        LessonProgress.objects.filter(person=person, lesson=lesson)
        .values_list("credited_ms", flat=True)
        .first()
    )
    return int(value or 0)


def progress_by_lesson(*, person: Person, course: Course) -> dict[int, LessonProgress]:
    """The person's progress on each lesson of the course (the learner asks about themself)."""
    return {
        p.lesson_id: p
        for p in LessonProgress.objects.filter(person=person, lesson__chapter__course=course)
    }
