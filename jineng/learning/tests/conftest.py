"""Fixtures of the learning tests: a provider with its staff, a bureau reviewer, a worker, and
courses built through the services (so they are audited like real ones)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from jineng.identity.models import Person, Role, User
from jineng.identity.testing import make_organisation, make_user
from jineng.learning.models import Course, CourseStatus, Lesson
from jineng.learning.services import chapter_add, course_create, course_transition, lesson_add
from jineng.organisations.models import Organisation

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)  # 17:00 in Asia/Shanghai


def build_course(
    *,
    provider: Organisation,
    title: str = "数控车床操作工初级培训",
    description: str = "面向制造业的车工入门课程",
    occupation: str = "6-18-01-01",
    level: str = "5",
    mode: str = "online",
    funding: str = "free",
    lessons: tuple[int, ...] = (600,),
    publish: bool = True,
) -> Course:
    course = course_create(
        actor=None,
        provider=provider,
        title=title,
        description=description,
        occupation=occupation,
        level=level,
        planned_hours=8,
        mode=mode,
        funding=funding,
    )
    chapter = chapter_add(actor=None, course=course, title="第一章 基础")
    for i, seconds in enumerate(lessons, 1):
        lesson_add(
            actor=None, chapter=chapter, title=f"第{i}节", kind="video", duration_seconds=seconds
        )
    if publish:
        course_transition(actor=None, course=course, to=CourseStatus.SUBMITTED)
        course = course_transition(actor=None, course=course, to=CourseStatus.PUBLISHED)
    return course


@pytest.fixture
def provider(db: None) -> Organisation:
    return make_organisation(name="东莞市技能培训学校", region="441900003")


@pytest.fixture
def staff(provider: Organisation) -> User:
    return make_user(Role.ORG_ADMIN, organisation=provider)


@pytest.fixture
def reviewer(db: None) -> User:
    return make_user(Role.BUREAU_REVIEWER, region="441900")


@pytest.fixture
def worker(db: None) -> User:
    return make_user(Role.WORKER)


@pytest.fixture
def make_course(provider: Organisation) -> Callable[..., Course]:
    def make(**kwargs: Any) -> Course:
        kwargs.setdefault("provider", provider)
        return build_course(**kwargs)

    return make


@pytest.fixture
def lesson(make_course: Callable[..., Course]) -> Lesson:
    course = make_course(lessons=(600,))
    return Lesson.objects.get(chapter__course=course)


def person_of(user: User) -> Person:
    """The person of a worker's account (make_user(Role.WORKER) always links one)."""
    assert user.person is not None
    return user.person
