"""The course catalogue: courses with their review status and its history, chapters, lessons, and
the search terms (jieba tokens) each course is found by."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jineng.reference.models import SkillLevel


class CourseMode(models.TextChoices):
    ONLINE = "online", _("线上")
    CLASSROOM = "classroom", _("线下面授")
    BLENDED = "blended", _("线上线下结合")


class CourseFunding(models.TextChoices):
    FREE = "free", _("免费")
    SUBSIDISED = "subsidised", _("政府补贴")


class CourseStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待审核")
    PUBLISHED = "published", _("已发布")
    REJECTED = "rejected", _("已退回")
    WITHDRAWN = "withdrawn", _("已下架")


class LessonKind(models.TextChoices):
    VIDEO = "video", _("视频")
    DOCUMENT = "document", _("文档")
    QUIZ = "quiz", _("测验")


class Course(models.Model):
    title = models.CharField(_("课程名称"), max_length=200)
    description = models.TextField(_("课程简介"), blank=True)
    occupation = models.ForeignKey(
        "reference.Occupation", verbose_name=_("职业"), on_delete=models.PROTECT
    )
    level = models.CharField(_("等级"), max_length=2, choices=SkillLevel.choices)
    # 学时: one is LEARNING_HOUR_MINUTES (45) minutes.
    planned_hours = models.PositiveSmallIntegerField(_("计划学时"))
    provider = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("开课机构"),
        on_delete=models.PROTECT,
        related_name="courses",
    )
    mode = models.CharField(_("授课方式"), max_length=10, choices=CourseMode.choices)
    funding = models.CharField(_("费用"), max_length=10, choices=CourseFunding.choices)
    cover = models.FileField(_("封面图片"), upload_to="learning/covers/", blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=CourseStatus.choices, default=CourseStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("课程")
        verbose_name_plural = _("课程")
        indexes = [
            # The catalogue lists published courses newest first; filters narrow it.
            models.Index(fields=["status", "-published_at", "-id"], name="course_catalogue"),
            models.Index(fields=["occupation", "status"], name="course_occupation"),
            models.Index(fields=["provider", "status"], name="course_provider"),
        ]

    def __str__(self) -> str:
        return self.title


class CourseStatusChange(models.Model):
    """One step of a course through the review pipeline (append-only history)."""

    course = models.ForeignKey(
        Course, verbose_name=_("课程"), on_delete=models.CASCADE, related_name="history"
    )
    from_status = models.CharField(_("原状态"), max_length=10, choices=CourseStatus.choices)
    to_status = models.CharField(_("新状态"), max_length=10, choices=CourseStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.CharField(_("理由"), max_length=500, blank=True)
    at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("课程状态变更")
        verbose_name_plural = _("课程状态变更")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.course_id}: {self.from_status} → {self.to_status}"


class CourseTerm(models.Model):
    """A search term (a jieba token of the title, description or occupation name) of a course.

    `published` is copied from the course so that a worker's search — published only — is answered
    from this table's (term, published, course) index alone; see jineng.learning.search."""

    term = models.CharField(_("词"), max_length=32)
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="terms")
    published = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("课程检索词")
        verbose_name_plural = _("课程检索词")
        constraints = [
            models.UniqueConstraint(fields=["term", "course"], name="course_term_unique"),
        ]
        indexes = [
            models.Index(fields=["term", "published", "course"], name="course_term_lookup"),
        ]

    def __str__(self) -> str:
        return self.term


class Chapter(models.Model):
    course = models.ForeignKey(
        Course, verbose_name=_("课程"), on_delete=models.CASCADE, related_name="chapters"
    )
    title = models.CharField(_("章节名称"), max_length=200)
    order = models.PositiveSmallIntegerField(_("顺序"))

    class Meta:
        verbose_name = _("章节")
        verbose_name_plural = _("章节")
        ordering = ["course", "order"]
        constraints = [
            models.UniqueConstraint(fields=["course", "order"], name="chapter_order_unique"),
        ]

    def __str__(self) -> str:
        return self.title


class Lesson(models.Model):
    chapter = models.ForeignKey(
        Chapter, verbose_name=_("章节"), on_delete=models.CASCADE, related_name="lessons"
    )
    title = models.CharField(_("课时名称"), max_length=200)
    kind = models.CharField(_("类型"), max_length=10, choices=LessonKind.choices)
    media = models.FileField(_("课件"), upload_to="learning/media/", blank=True)
    # The length a learner must be credited (≥ LEARNING_COMPLETE_RATIO of it) to complete it.
    duration_seconds = models.PositiveIntegerField(_("时长（秒）"))
    order = models.PositiveSmallIntegerField(_("顺序"))

    class Meta:
        verbose_name = _("课时")
        verbose_name_plural = _("课时")
        ordering = ["chapter", "order"]
        constraints = [
            models.UniqueConstraint(fields=["chapter", "order"], name="lesson_order_unique"),
        ]

    def __str__(self) -> str:
        return self.title
