"""Real-name checks during online learning (issue 8 §2): at random moments the player must show
a live camera capture of the learner, compared with the enrolled face (jineng.faces). While a
check waits, nothing is credited; a failed or missed check voids the time credited since the last
passed one (the segments stay in the ledger, each voided by an appended row); too many failed or
missed checks in one course fail the learner in that course."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from jineng.learning.models.catalogue import Course, Lesson
from jineng.learning.models.time import AppendOnlyQuerySet, CreditedSegment, LearningStream


class CheckStatus(models.TextChoices):
    PENDING = "pending", _("待核验")
    PASSED = "passed", _("核验通过")
    FAILED = "failed", _("核验未通过")
    MISSED = "missed", _("超时未核验")


class LearningCheck(models.Model):
    person = models.ForeignKey(
        "identity.Person", verbose_name=_("学员"), on_delete=models.PROTECT, related_name="+"
    )
    lesson = models.ForeignKey(
        Lesson, verbose_name=_("课时"), on_delete=models.PROTECT, related_name="+"
    )
    stream = models.ForeignKey(
        LearningStream, verbose_name=_("学习记录"), on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(_("抽查时间"))
    due_by = models.DateTimeField(_("须在此前完成"))
    status = models.CharField(
        _("状态"), max_length=8, choices=CheckStatus.choices, default=CheckStatus.PENDING
    )
    answered_at = models.DateTimeField(_("核验时间"), null=True, blank=True)
    face_check = models.ForeignKey(
        "faces.FaceCheck",
        verbose_name=_("人脸比对"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    voided_ms = models.BigIntegerField(_("作废时长（毫秒）"), default=0)
    reason = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("学习过程人脸抽查")
        verbose_name_plural = _("学习过程人脸抽查")
        indexes = [models.Index(fields=["person", "issued_at"], name="learning_check_person")]
        constraints = [
            # One check waits at a time per person.
            models.UniqueConstraint(
                fields=["person"],
                condition=models.Q(status="pending"),
                name="learning_check_one_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id}@{self.issued_at:%Y-%m-%d %H:%M}"


class SegmentVoid(models.Model):
    """A credited segment voided by a failed or missed check (appended; the segment stays)."""

    segment = models.OneToOneField(
        CreditedSegment, verbose_name=_("已认定区间"), on_delete=models.PROTECT, related_name="void"
    )
    check_ref = models.ForeignKey(
        LearningCheck, verbose_name=_("抽查"), on_delete=models.PROTECT, related_name="voids"
    )
    at = models.DateTimeField(_("作废时间"))

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("作废的学习区间")
        verbose_name_plural = _("作废的学习区间")

    def __str__(self) -> str:
        return f"void {self.segment_id}"


class CourseFailure(models.Model):
    """A learner failed in a course by too many failed or missed checks: no more learning there."""

    person = models.ForeignKey(
        "identity.Person", verbose_name=_("学员"), on_delete=models.PROTECT, related_name="+"
    )
    course = models.ForeignKey(
        Course, verbose_name=_("课程"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("判定时间"))
    reason = models.CharField(_("原因"), max_length=200)

    objects: models.Manager[Any] = models.Manager()

    class Meta:
        verbose_name = _("课程学习不合格")
        verbose_name_plural = _("课程学习不合格")
        constraints = [
            models.UniqueConstraint(fields=["person", "course"], name="course_failure_unique")
        ]

    def __str__(self) -> str:
        return f"{self.person_id}/{self.course_id}"
