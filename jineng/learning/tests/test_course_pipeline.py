"""The review pipeline: the provider writes and submits, only the bureau publishes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from jineng.audit.models import AuditEntry
from jineng.identity.models import Role, User
from jineng.identity.testing import make_organisation, make_user
from jineng.learning.errors import CourseInvalid, LearningForbidden, TransitionRefused
from jineng.learning.models import Course, CourseStatus, CourseStatusChange, CourseTerm
from jineng.learning.services import (
    chapter_add,
    course_create,
    course_transition,
    course_update,
    lesson_add,
)
from jineng.learning.states import TRANSITIONS, targets_from
from jineng.organisations.models import Organisation

pytestmark = pytest.mark.django_db


def _draft(provider: Organisation, actor: User | None) -> Course:
    course = course_create(
        actor=actor,
        provider=provider,
        title="低压电工作业培训",
        occupation="6-31-01-03",
        level="5",
        planned_hours=16,
        mode="blended",
        funding="subsidised",
    )
    chapter = chapter_add(actor=actor, course=course, title="安全规程")
    lesson_add(actor=actor, chapter=chapter, title="触电急救", kind="video", duration_seconds=300)
    return course


def test_staff_submit_and_bureau_publish_records_history_and_audit(
    provider: Organisation, staff: User, reviewer: User
) -> None:
    course = _draft(provider, staff)
    assert course.status == CourseStatus.DRAFT
    assert course.created_by == staff
    course = course_transition(actor=staff, course=course, to=CourseStatus.SUBMITTED)
    course = course_transition(actor=reviewer, course=course, to=CourseStatus.PUBLISHED)
    course.refresh_from_db()
    assert course.status == CourseStatus.PUBLISHED
    assert course.published_at is not None
    steps = list(
        CourseStatusChange.objects.filter(course=course).values_list(
            "from_status", "to_status", "actor"
        )
    )
    assert steps == [("draft", "submitted", staff.pk), ("submitted", "published", reviewer.pk)]
    entries = AuditEntry.objects.filter(object_type="learning.course", object_id=str(course.pk))
    assert list(entries.order_by("id").values_list("action", flat=True)) == [
        "create",
        "course_transition",
        "course_transition",
    ]
    last = entries.order_by("id").last()
    assert last is not None and last.region == "441900003"
    # The search terms follow: a published course is found by workers.
    assert CourseTerm.objects.filter(course=course, published=False).count() == 0


def test_provider_staff_cannot_publish_and_nothing_changes(
    provider: Organisation, staff: User
) -> None:
    course = _draft(provider, staff)
    course = course_transition(actor=staff, course=course, to=CourseStatus.SUBMITTED)
    audit_before = AuditEntry.objects.count()
    with pytest.raises(LearningForbidden) as err:
        course_transition(actor=staff, course=course, to=CourseStatus.PUBLISHED)
    assert "人社局" in err.value.message
    course.refresh_from_db()
    assert course.status == CourseStatus.SUBMITTED
    assert AuditEntry.objects.count() == audit_before
    assert CourseStatusChange.objects.filter(course=course).count() == 1


def test_bureau_of_another_city_cannot_publish(provider: Organisation, staff: User) -> None:
    course = course_transition(actor=staff, course=_draft(provider, staff), to="submitted")
    elsewhere = make_user(Role.BUREAU_REVIEWER, region="330500")
    with pytest.raises(LearningForbidden):
        course_transition(actor=elsewhere, course=course, to=CourseStatus.PUBLISHED)
    assert Course.objects.get(pk=course.pk).status == CourseStatus.SUBMITTED


def test_bureau_cannot_submit_for_the_provider(
    provider: Organisation, staff: User, reviewer: User
) -> None:
    course = _draft(provider, staff)
    with pytest.raises(LearningForbidden):
        course_transition(actor=reviewer, course=course, to=CourseStatus.SUBMITTED)


def test_staff_of_another_organisation_cannot_create(provider: Organisation) -> None:
    other_staff = make_user(Role.ORG_ADMIN, organisation=make_organisation())
    with pytest.raises(LearningForbidden):
        _draft(provider, other_staff)
    assert not Course.objects.exists()


def test_worker_and_auditor_cannot_create(provider: Organisation) -> None:
    for role in (Role.WORKER, Role.AUDITOR):
        with pytest.raises(LearningForbidden):
            _draft(provider, make_user(role))
    assert not Course.objects.exists()


def test_rejection_needs_a_reason_then_goes_back_to_draft(
    provider: Organisation, staff: User, reviewer: User
) -> None:
    course = course_transition(actor=staff, course=_draft(provider, staff), to="submitted")
    with pytest.raises(CourseInvalid) as err:
        course_transition(actor=reviewer, course=course, to=CourseStatus.REJECTED, reason="  ")
    assert err.value.field == "reason"
    course = course_transition(
        actor=reviewer, course=course, to=CourseStatus.REJECTED, reason="课程简介不完整"
    )
    step = CourseStatusChange.objects.filter(course=course).last()
    assert step is not None and step.reason == "课程简介不完整"
    course = course_transition(actor=staff, course=course, to=CourseStatus.DRAFT)
    assert course.status == CourseStatus.DRAFT


def test_a_step_the_pipeline_does_not_list_is_refused(
    provider: Organisation, staff: User, reviewer: User
) -> None:
    course = _draft(provider, staff)
    with pytest.raises(TransitionRefused) as err:
        course_transition(actor=reviewer, course=course, to=CourseStatus.PUBLISHED)
    assert "草稿" in err.value.message and "已发布" in err.value.message
    assert Course.objects.get(pk=course.pk).status == CourseStatus.DRAFT


def test_a_course_without_lessons_cannot_be_submitted(provider: Organisation, staff: User) -> None:
    course = course_create(
        actor=staff,
        provider=provider,
        title="空课程",
        occupation="6-18-01-01",
        level="5",
        planned_hours=1,
        mode="online",
        funding="free",
    )
    with pytest.raises(CourseInvalid, match="还没有课时"):
        course_transition(actor=staff, course=course, to=CourseStatus.SUBMITTED)


def test_a_submitted_course_cannot_be_edited(provider: Organisation, staff: User) -> None:
    course = course_transition(actor=staff, course=_draft(provider, staff), to="submitted")
    with pytest.raises(TransitionRefused):
        chapter_add(actor=staff, course=course, title="新章节")


@pytest.mark.parametrize(
    ("field", "overrides", "needle"),
    [
        ("title", {"title": " "}, "课程名称"),
        ("occupation", {"occupation": "9-99-99-99"}, "9-99-99-99"),
        ("level", {"level": "7"}, "等级"),
        ("mode", {"mode": "tv"}, "授课方式"),
        ("planned_hours", {"planned_hours": 0}, "计划学时"),
    ],
)
def test_bad_input_names_the_field_in_chinese(
    provider: Organisation, field: str, overrides: dict[str, Any], needle: str
) -> None:
    values: dict[str, Any] = {
        "title": "车工",
        "occupation": "6-18-01-01",
        "level": "5",
        "planned_hours": 8,
        "mode": "online",
        "funding": "free",
    } | overrides
    with pytest.raises(CourseInvalid) as err:
        course_create(actor=None, provider=provider, **values)
    assert err.value.field == field
    assert needle in err.value.message


def test_every_status_has_a_way_out_or_is_terminal() -> None:
    assert targets_from(CourseStatus.DRAFT) == [CourseStatus.SUBMITTED]
    assert set(targets_from(CourseStatus.SUBMITTED)) == {"published", "rejected"}
    assert targets_from(CourseStatus.WITHDRAWN) == []
    assert all(t.label for t in TRANSITIONS)


def test_cover_and_lesson_media_go_through_the_storage(
    provider: Organisation, staff: User, settings: Any, tmp_path: Path
) -> None:
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    settings.MEDIA_ROOT = str(tmp_path)
    course = course_create(
        actor=staff,
        provider=provider,
        title="焊工",
        occupation="6-18-01-01",
        level="5",
        planned_hours=2,
        mode="online",
        funding="free",
        cover=ContentFile(b"png", name="c.png"),
    )
    chapter = chapter_add(actor=staff, course=course, title="第一章")
    lesson = lesson_add(
        actor=staff,
        chapter=chapter,
        title="演示",
        kind="video",
        duration_seconds=20,
        media=ContentFile(b"mp4", name="v.mp4"),
    )
    assert course.cover.name.startswith("learning/covers/")
    assert lesson.media.name.startswith("learning/media/")
    assert default_storage.exists(course.cover.name) and default_storage.exists(lesson.media.name)


def test_course_update_refuses_unknown_fields_and_other_people(
    provider: Organisation, staff: User, reviewer: User
) -> None:
    course = _draft(provider, staff)
    with pytest.raises(CourseInvalid) as err:
        course_update(actor=staff, course=course, status="published")
    assert err.value.field == "status"
    with pytest.raises(LearningForbidden):
        course_update(actor=reviewer, course=course, title="改名")
    course = course_update(
        actor=staff, course=course, title="低压电工作业（新版）", planned_hours=20
    )
    assert (course.title, course.planned_hours) == ("低压电工作业（新版）", 20)
    entry = AuditEntry.objects.filter(object_type="learning.course", action="update").get()
    assert entry.before is not None and entry.before["title"] == "低压电工作业培训"
