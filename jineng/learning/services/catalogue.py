"""Courses, chapters and lessons, and the review pipeline (jineng.learning.states).

The provider's staff (admin, teacher) create courses and edit them while draft or rejected; a
course reaches workers only when a bureau reviewer or approver in the provider's region publishes
it. Every write is audited; a status change also appends a `CourseStatusChange`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.files.base import File
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from jineng.audit.services import audit_record
from jineng.audit.vocabulary import AuditAction, AuditObject
from jineng.core.states import transition
from jineng.identity.access import scope_of
from jineng.learning import probe
from jineng.learning.access import parties_of
from jineng.learning.errors import CourseInvalid, LearningForbidden, TransitionRefused
from jineng.learning.models import (
    Chapter,
    Course,
    CourseFunding,
    CourseMode,
    CourseStatus,
    CourseStatusChange,
    CourseTerm,
    Lesson,
    LessonKind,
)
from jineng.learning.search import index_terms
from jineng.learning.states import COURSE_STATES, EDITABLE_STATUSES, Party, transition_for
from jineng.organisations.models import Organisation, OrgKind
from jineng.reference.models import Occupation, SkillLevel

if TYPE_CHECKING:
    from jineng.identity.models import User

PROVIDER_KINDS = frozenset(
    {OrgKind.TRAINING_INSTITUTION, OrgKind.COLLEGE, OrgKind.ENTERPRISE, OrgKind.EVALUATION_ORG}
)
MAX_PLANNED_HOURS = 2000
MAX_LESSON_SECONDS = 12 * 3600
COURSE_FIELDS = (
    "title",
    "description",
    "occupation",
    "level",
    "planned_hours",
    "mode",
    "funding",
)


def course_snapshot(course: Course) -> dict[str, Any]:
    return {
        "title": course.title,
        "occupation": course.occupation_id,
        "level": course.level,
        "planned_hours": course.planned_hours,
        "provider": course.provider_id,
        "mode": course.mode,
        "funding": course.funding,
        "status": course.status,
    }


def _require(actor: User | None, *, course_provider: Organisation, party: Party) -> None:
    if actor is None:
        return
    scope = scope_of(actor)
    allowed = parties_of(
        scope, provider_id=course_provider.pk, provider_region=course_provider.region_id
    )
    if party not in allowed:
        raise LearningForbidden(
            "",
            "只有开课机构的管理员或教师可以编辑课程"
            if party == Party.PROVIDER
            else "只有开课机构所在地的人社局审核人员可以审核课程",
        )


def _choice(field: str, label: str, value: str, choices: Any) -> str:
    if value not in choices.values:
        allowed = "、".join(str(c.label) for c in choices)
        raise CourseInvalid(field, f"{label}必须是以下之一：{allowed}", value)
    return str(value)


def _clean_course(values: dict[str, Any]) -> dict[str, Any]:
    cleaned = dict(values)
    if "title" in cleaned:
        title = (cleaned["title"] or "").strip()
        if not title:
            raise CourseInvalid("title", "课程名称不能为空")
        if len(title) > 200:
            raise CourseInvalid("title", "课程名称不能超过 200 个字")
        cleaned["title"] = title
    if "description" in cleaned:
        cleaned["description"] = (cleaned["description"] or "").strip()
    if "occupation" in cleaned and not isinstance(cleaned["occupation"], Occupation):
        code = str(cleaned["occupation"] or "")
        occupation = Occupation.objects.filter(pk=code).first()
        if occupation is None:
            raise CourseInvalid("occupation", f"职业编码“{code}”不在 2022 年版职业分类大典中", code)
        cleaned["occupation"] = occupation
    if "level" in cleaned:
        cleaned["level"] = _choice("level", "等级", cleaned["level"], SkillLevel)
    if "mode" in cleaned:
        cleaned["mode"] = _choice("mode", "授课方式", cleaned["mode"], CourseMode)
    if "funding" in cleaned:
        cleaned["funding"] = _choice("funding", "费用", cleaned["funding"], CourseFunding)
    if "planned_hours" in cleaned:
        hours = cleaned["planned_hours"]
        if not isinstance(hours, int) or isinstance(hours, bool) or not 1 <= hours <= 2000:
            raise CourseInvalid(
                "planned_hours", f"计划学时必须是 1 到 {MAX_PLANNED_HOURS} 之间的整数", hours
            )
    return cleaned


def course_reindex(*, course: Course) -> int:
    """Rewrite the course's search terms (title, description, occupation name); returns how many."""
    terms = index_terms(course.title, course.description, course.occupation.name)
    published = course.status == CourseStatus.PUBLISHED
    CourseTerm.objects.filter(course=course).delete()
    CourseTerm.objects.bulk_create(
        [CourseTerm(term=t, course=course, published=published) for t in terms]
    )
    return len(terms)


@transaction.atomic
def course_create(
    *,
    actor: User | None,
    provider: Organisation,
    title: str,
    occupation: Occupation | str,
    level: str,
    planned_hours: int,
    mode: str,
    funding: str,
    description: str = "",
    cover: File[Any] | None = None,
) -> Course:
    """A new draft course of `provider` (its staff, or the system)."""
    _require(actor, course_provider=provider, party=Party.PROVIDER)
    if provider.kind not in PROVIDER_KINDS:
        raise CourseInvalid(
            "provider", f"“{provider.name}”不是培训机构、院校、企业或评价组织，不能开课"
        )
    values = _clean_course(
        {
            "title": title,
            "description": description,
            "occupation": occupation,
            "level": level,
            "planned_hours": planned_hours,
            "mode": mode,
            "funding": funding,
        }
    )
    course = Course(provider=provider, created_by=actor, **values)
    if cover is not None:
        course.cover.save(getattr(cover, "name", "") or "cover", cover, save=False)
    course.save()
    course_reindex(course=course)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type=AuditObject.COURSE,
        object_id=course.pk,
        after=course_snapshot(course),
        region=provider.region_id,
    )
    return course


def _lock(course: Course) -> Course:
    return (
        Course.objects.select_for_update()
        .select_related("provider", "occupation")
        .get(pk=course.pk)
    )


def _require_editable(course: Course) -> None:
    if course.status not in EDITABLE_STATUSES:
        raise TransitionRefused(
            "status",
            f"课程“{course.title}”{course.get_status_display()}，只有草稿或已退回的课程可以修改",
        )


@transaction.atomic
def course_update(*, actor: User | None, course: Course, **fields: Any) -> Course:
    """Change a draft or rejected course's fields (COURSE_FIELDS) and, optionally, its cover."""
    cover = fields.pop("cover", None)
    unknown = set(fields) - set(COURSE_FIELDS)
    if unknown:
        raise CourseInvalid(sorted(unknown)[0], "该项不能修改")
    course = _lock(course)
    _require(actor, course_provider=course.provider, party=Party.PROVIDER)
    _require_editable(course)
    before = course_snapshot(course)
    for name, value in _clean_course(fields).items():
        setattr(course, name, value)
    if cover is not None:
        course.cover.save(getattr(cover, "name", "") or "cover", cover, save=False)
    course.save()
    course_reindex(course=course)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type=AuditObject.COURSE,
        object_id=course.pk,
        before=before,
        after=course_snapshot(course),
        region=course.provider.region_id,
    )
    return course


@transaction.atomic
def course_transition(*, actor: User | None, course: Course, to: str, reason: str = "") -> Course:
    """Move `course` one step along the pipeline (jineng.learning.states.TRANSITIONS), record the
    step in its history and the audit trail. A step not listed, by a party not listed for it, or
    without a reason where one is required, is refused and changes nothing."""
    course = _lock(course)
    try:
        target = CourseStatus(to)
    except ValueError:
        raise CourseInvalid("status", "课程状态无效", to) from None
    step = transition_for(course.status, target)
    if step is None:
        raise COURSE_STATES.refused(course, course.status, target, lost_race=False)
    if actor is not None:
        scope = scope_of(actor)
        parties = parties_of(
            scope, provider_id=course.provider_id, provider_region=course.provider.region_id
        )
        if not parties & step.parties:
            who = "人社局审核人员" if Party.BUREAU in step.parties else "开课机构"
            raise LearningForbidden("", f"课程“{course.title}”的“{step.label}”只能由{who}操作")
    reason = (reason or "").strip()
    if step.reason_required and not reason:
        raise CourseInvalid("reason", f"“{step.label}”须填写理由")
    if (
        target == CourseStatus.SUBMITTED
        and not Lesson.objects.filter(chapter__course=course).exists()
    ):
        raise CourseInvalid("status", f"课程“{course.title}”还没有课时，不能提交审核")
    now = timezone.now()
    source = course.status
    fields: dict[str, Any] = {"updated_at": now}
    if target == CourseStatus.PUBLISHED:
        fields["published_at"] = now
    # The status-checked, locked, audited move (jineng.core.states; audit course_transition).
    transition(obj_or_queryset=course, to=target, actor=actor, reason=reason, **fields)
    CourseTerm.objects.filter(course=course).update(published=target == CourseStatus.PUBLISHED)
    CourseStatusChange.objects.create(
        course=course, from_status=source, to_status=target, actor=actor, reason=reason, at=now
    )
    return course


@transaction.atomic
def chapter_add(
    *, actor: User | None, course: Course, title: str, order: int | None = None
) -> Chapter:
    course = _lock(course)
    _require(actor, course_provider=course.provider, party=Party.PROVIDER)
    _require_editable(course)
    title = (title or "").strip()
    if not title or len(title) > 200:
        raise CourseInvalid("title", "章节名称不能为空，且不能超过 200 个字")
    if order is None:
        order = (course.chapters.aggregate(m=Max("order"))["m"] or 0) + 1
    if course.chapters.filter(order=order).exists():
        raise CourseInvalid("order", f"课程“{course.title}”已有第 {order} 章")
    chapter = Chapter.objects.create(course=course, title=title, order=order)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type=AuditObject.CHAPTER,
        object_id=chapter.pk,
        after={"course": course.pk, "title": title, "order": order},
        region=course.provider.region_id,
    )
    return chapter


@transaction.atomic
def lesson_add(
    *,
    actor: User | None,
    chapter: Chapter,
    title: str,
    kind: str,
    duration_seconds: int | None = None,
    media: File[Any] | None = None,
    order: int | None = None,
) -> Lesson:
    course = _lock(chapter.course)
    _require(actor, course_provider=course.provider, party=Party.PROVIDER)
    _require_editable(course)
    title = (title or "").strip()
    if not title or len(title) > 200:
        raise CourseInvalid("title", "课时名称不能为空，且不能超过 200 个字")
    kind = _choice("kind", "课时类型", kind, LessonKind)
    if kind == LessonKind.VIDEO and media is not None:
        # The file's own length; the typed one only where ffprobe is missing (probe.py).
        probed = probe.video_seconds(media)
        if probed is not None:
            duration_seconds = probed
    if (
        not isinstance(duration_seconds, int)
        or isinstance(duration_seconds, bool)
        or not 1 <= duration_seconds <= MAX_LESSON_SECONDS
    ):
        raise CourseInvalid(
            "duration_seconds", "课时时长必须是 1 秒到 12 小时之间的整数秒", duration_seconds
        )
    if order is None:
        order = (chapter.lessons.aggregate(m=Max("order"))["m"] or 0) + 1
    if chapter.lessons.filter(order=order).exists():
        raise CourseInvalid("order", f"章节“{chapter.title}”已有第 {order} 个课时")
    lesson = Lesson(
        chapter=chapter, title=title, kind=kind, duration_seconds=duration_seconds, order=order
    )
    if media is not None:
        lesson.media.save(getattr(media, "name", "") or "media", media, save=False)
    lesson.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type=AuditObject.LESSON,
        object_id=lesson.pk,
        after={"chapter": chapter.pk, "title": title, "kind": kind, "duration": duration_seconds},
        region=course.provider.region_id,
    )
    return lesson
