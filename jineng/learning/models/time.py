"""Learning time the server verifies (issue 8 §2).

A learner's player opens a stream per (person, lesson, device); only one stream of a person is
active at a time (a database constraint, not a convention). Heartbeats update the stream's one
row; a credited interval appends a `CreditedSegment` — the evidence — and folds it into the
person's `LessonProgress.segments`, the merged [start, end) form that decides what is new. Positions
and lengths are integer milliseconds, so the arithmetic that decides credit is exact.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from jineng.learning.models.catalogue import Lesson


class StreamState(models.TextChoices):
    ACTIVE = "active", _("学习中")
    PAUSED = "paused", _("已暂停")  # another device or lesson took over
    CLOSED = "closed", _("已结束")


class LearningStream(models.Model):
    person = models.ForeignKey(
        "identity.Person", verbose_name=_("学员"), on_delete=models.PROTECT, related_name="+"
    )
    lesson = models.ForeignKey(
        Lesson, verbose_name=_("课时"), on_delete=models.PROTECT, related_name="streams"
    )
    device = models.CharField(_("设备"), max_length=64)
    state = models.CharField(
        _("状态"), max_length=8, choices=StreamState.choices, default=StreamState.ACTIVE
    )
    opened_at = models.DateTimeField(_("开始时间"))
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    # The previous heartbeat (None until the first one after opening or resuming).
    last_position_ms = models.BigIntegerField(null=True, blank=True)
    last_at = models.DateTimeField(null=True, blank=True)
    last_visible = models.BooleanField(default=False)
    # Real-name checks (models/checks.py): the check this stream waits for, and the credit since
    # the last one, against the randomly drawn amount after which the next is issued.
    pending_check = models.ForeignKey(
        "learning.LearningCheck",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    credit_since_check_ms = models.BigIntegerField(default=0)
    next_check_after_ms = models.BigIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("学习记录")
        verbose_name_plural = _("学习记录")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "lesson", "device"], name="learning_stream_unique"
            ),
            # One active stream per person: a second device or lesson pauses the first.
            models.UniqueConstraint(
                fields=["person"],
                condition=models.Q(state="active"),
                name="learning_stream_one_active",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id}/{self.lesson_id}/{self.device}"


class LessonProgress(models.Model):
    person = models.ForeignKey(
        "identity.Person", verbose_name=_("学员"), on_delete=models.PROTECT, related_name="+"
    )
    lesson = models.ForeignKey(
        Lesson, verbose_name=_("课时"), on_delete=models.PROTECT, related_name="progress"
    )
    credited_ms = models.BigIntegerField(_("已认定时长（毫秒）"), default=0)
    # Merged, sorted, disjoint [start_ms, end_ms) pairs: the compact form of the ledger.
    segments = models.JSONField(_("已认定区间"), default=list)
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("课时学习进度")
        verbose_name_plural = _("课时学习进度")
        constraints = [
            models.UniqueConstraint(fields=["person", "lesson"], name="lesson_progress_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id}/{self.lesson_id}"


class AppendOnlyQuerySet(models.QuerySet[Any]):
    def update(self, **kwargs: Any) -> int:
        raise TypeError("已认定的学习区间只能追加，不能修改")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise TypeError("已认定的学习区间只能追加，不能删除")


class CreditedSegment(models.Model):
    """One credited interval of one lesson's media (the evidence a bureau can stand behind)."""

    person = models.ForeignKey(
        "identity.Person", verbose_name=_("学员"), on_delete=models.PROTECT, related_name="+"
    )
    lesson = models.ForeignKey(
        Lesson, verbose_name=_("课时"), on_delete=models.PROTECT, related_name="+"
    )
    stream = models.ForeignKey(
        LearningStream, verbose_name=_("学习记录"), on_delete=models.PROTECT, related_name="+"
    )
    start_ms = models.BigIntegerField(_("起点（毫秒）"))
    end_ms = models.BigIntegerField(_("终点（毫秒）"))
    at = models.DateTimeField(_("认定时间"))
    day = models.DateField(_("学习日"))  # local day of `at`: what the daily cap counts

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("已认定学习区间")
        verbose_name_plural = _("已认定学习区间")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["person", "lesson", "at"], name="credited_segment_ledger")]

    def __str__(self) -> str:
        return f"[{self.start_ms}, {self.end_ms})"


class DailyLearning(models.Model):
    """Credited time per person per local day, for the daily cap (one row updated with F())."""

    person = models.ForeignKey(
        "identity.Person", verbose_name=_("学员"), on_delete=models.PROTECT, related_name="+"
    )
    day = models.DateField(_("学习日"))
    credited_ms = models.BigIntegerField(_("已认定时长（毫秒）"), default=0)

    class Meta:
        verbose_name = _("每日学习时长")
        verbose_name_plural = _("每日学习时长")
        constraints = [
            models.UniqueConstraint(fields=["person", "day"], name="daily_learning_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id}/{self.day}"
