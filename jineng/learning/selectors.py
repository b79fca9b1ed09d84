"""Every read of the learning app, scoped by the asking user (jineng.learning.access)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.db.models import F, Q, QuerySet
from django.http import Http404

from jineng.core.regioncodes import region_prefix
from jineng.identity.access import Scope, people_visible_to, resolve_scope
from jineng.identity.models import Person
from jineng.learning.access import courses_q
from jineng.learning.models import (
    Course,
    CourseStatus,
    CourseTerm,
    CreditedSegment,
    Lesson,
    LessonProgress,
)
from jineng.learning.search import query_terms
from jineng.learning.segments import Interval

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from jineng.identity.models import User

MAX_PER_PAGE = 100
# Counting every match of a broad word (培训: tens of thousands) costs more than the page itself;
# past this many the catalogue says "1000 多门" and pages no further, as search engines do.
COUNT_CAP = 1000


@dataclass(frozen=True)
class CoursePage:
    items: list[Course]
    total: int
    page: int
    per_page: int
    terms: list[str]  # what the query was segmented into (the page can show it)
    more: bool = False  # more than COUNT_CAP matches: `total` is COUNT_CAP ("1000 多门")

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def course_search(
    *,
    user: User | AnonymousUser | None,
    q: str = "",
    occupation: str | None = None,
    level: str | None = None,
    provider: int | None = None,
    town: str | None = None,
    mode: str | None = None,
    status: str | None = None,
    page: int = 1,
    per_page: int = 20,
    scope: Scope | None = None,
) -> CoursePage:
    """The catalogue: courses the user may see (workers and the public: published only) whose
    title, description or occupation name contain every word of `q` (jieba segmentation; see
    jineng.learning.search), filtered by occupation code, level, provider id, the provider's
    region (`town`: a township, county or city code and everything under it), mode and status;
    newest published first; `page` clamped to 1..pages, `per_page` to 1..100. At most
    COUNT_CAP matches are counted (`more` says there are others)."""
    scope = resolve_scope(user, scope)
    per_page = min(max(int(per_page), 1), MAX_PER_PAGE)
    page = max(int(page), 1)
    staff_q = None if scope.is_global else courses_q(scope)
    published_only = not scope.is_global and staff_q is None
    qs: QuerySet[Course] = Course.objects.all()
    if published_only:
        qs = qs.filter(status=CourseStatus.PUBLISHED)
    elif staff_q is not None:
        qs = qs.filter(Q(status=CourseStatus.PUBLISHED) | staff_q)
    terms = query_terms(q)
    for term in terms:
        matches = CourseTerm.objects.filter(term=term)
        if published_only:
            matches = matches.filter(published=True)
        qs = qs.filter(pk__in=matches.values("course_id"))
    if occupation:
        qs = qs.filter(occupation_id=occupation)
    if level:
        qs = qs.filter(level=level)
    if provider:
        qs = qs.filter(provider_id=provider)
    if town:
        qs = qs.filter(provider__region__code__startswith=region_prefix(town))
    if mode:
        qs = qs.filter(mode=mode)
    if status:
        qs = qs.filter(status=status)
    total = qs.order_by()[: COUNT_CAP + 1].count()
    more = total > COUNT_CAP
    total = min(total, COUNT_CAP)
    page = min(page, max(1, -(-total // per_page)))
    start = (page - 1) * per_page
    # Published courses always have published_at: the workers' catalogue orders by it plainly,
    # which the (status, -published_at, -id) index serves on both databases. Staff lists hold
    # drafts too (no published_at), put last on both databases.
    order = (
        ("-published_at", "-id")
        if published_only or status == CourseStatus.PUBLISHED
        else (F("published_at").desc(nulls_last=True), "-id")
    )
    items = list(
        qs.select_related("provider", "occupation").order_by(*order)[start : start + per_page]
    )
    return CoursePage(
        items=items, total=total, page=page, per_page=per_page, terms=terms, more=more
    )


@dataclass(frozen=True)
class LessonLedger:
    """A person's credited time on one lesson: the merged form and every credited segment."""

    person: Person
    lesson: Lesson
    duration_ms: int
    credited_ms: int
    completed_at: datetime | None
    merged: list[Interval]
    segments: list[CreditedSegment]

    @property
    def ratio(self) -> float:
        return self.credited_ms / self.duration_ms if self.duration_ms else 0.0


def _person_in_scope(
    user: User | AnonymousUser | None, person: Person, scope: Scope | None
) -> None:
    if not people_visible_to(user, scope=scope).filter(pk=person.pk).exists():
        raise Http404("人员不存在或不在您的查看范围内")


def lesson_ledger(
    *,
    user: User | AnonymousUser | None,
    person: Person,
    lesson: Lesson,
    scope: Scope | None = None,
) -> LessonLedger:
    """The ledger of `person` on `lesson`, for the learner themself or an officer (or the
    provider's staff, the auditor) whose scope covers the person; Http404 otherwise."""
    scope = resolve_scope(user, scope)
    _person_in_scope(user, person, scope)
    progress = LessonProgress.objects.filter(person=person, lesson=lesson).first()
    segments = list(
        CreditedSegment.objects.filter(person=person, lesson=lesson).order_by("at", "id")
    )
    return LessonLedger(
        person=person,
        lesson=lesson,
        duration_ms=lesson.duration_seconds * 1000,
        credited_ms=progress.credited_ms if progress else 0,
        completed_at=progress.completed_at if progress else None,
        merged=[(int(a), int(b)) for a, b in (progress.segments if progress else [])],
        segments=segments,
    )


def person_lesson_progress(
    *, user: User | AnonymousUser | None, person: Person, scope: Scope | None = None
) -> QuerySet[LessonProgress]:
    """Every lesson `person` has credited time on (for "my courses" and an officer's view)."""
    scope = resolve_scope(user, scope)
    _person_in_scope(user, person, scope)
    return (
        LessonProgress.objects.filter(person=person)
        .select_related("lesson__chapter__course")
        .order_by("lesson__chapter__course_id", "lesson__chapter__order", "lesson__order")
    )
