"""The online theory exam (issue 9 §4): a session's exam settings, one attempt per registration,
the answers as given (one row per paper item, last write by client sequence number wins), and the
evidence events the invigilator reviews (tab switches, copy/paste, leaving full screen)."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from jineng.assessment.models.banks import Item
from jineng.assessment.models.papers import Blueprint, Paper, PaperItem
from jineng.assessment.models.sessions import ExamSession, Registration
from jineng.audit.vocabulary import AuditAction, AuditObject
from jineng.core.states import StateMachine


class ExamSetting(models.Model):
    """How a session's parts are sat and marked: the theory paper's blueprint and duration, the
    practical task (a practical item with its scoring sheet) and the third-marking margin."""

    session = models.OneToOneField(
        ExamSession, verbose_name=_("考试批次"), on_delete=models.CASCADE, related_name="setting"
    )
    blueprint = models.ForeignKey(
        Blueprint,
        verbose_name=_("理论试卷组卷规则"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    theory_minutes = models.PositiveSmallIntegerField(_("理论考试时长（分钟）"), default=90)
    practical_item = models.ForeignKey(
        Item,
        verbose_name=_("操作技能考核试题"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # A third assessor marks when the first two differ by more than this share of the points.
    margin_percent = models.DecimalField(
        _("第三评差额（占分值百分比）"), max_digits=5, decimal_places=2, default=Decimal("10")
    )

    class Meta:
        verbose_name = _("考试设置")
        verbose_name_plural = _("考试设置")

    def __str__(self) -> str:
        return f"{self.session_id}"


class AttemptStatus(models.TextChoices):
    ADMITTED = "admitted", _("已核验身份")
    STARTED = "started", _("作答中")
    SUBMITTED = "submitted", _("已交卷")


class IdentityMethod(models.TextChoices):
    FACE = "face", _("人脸核验")
    INVIGILATOR = "invigilator", _("监考员确认")


class SubmittedBy(models.TextChoices):
    CANDIDATE = "candidate", _("考生交卷")
    TIMER = "timer", _("到时自动交卷")


class Attempt(models.Model):
    """A candidate's sitting of the theory exam. One per registration (the OneToOne is the
    constraint); the deadline is the server's, set at start from the session's scheduled time."""

    registration = models.OneToOneField(
        Registration, verbose_name=_("报名"), on_delete=models.PROTECT, related_name="attempt"
    )
    paper = models.OneToOneField(
        Paper,
        verbose_name=_("试卷"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="attempt",
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=AttemptStatus.choices, default=AttemptStatus.ADMITTED
    )
    identity_method = models.CharField(
        _("身份核验方式"), max_length=12, choices=IdentityMethod.choices
    )
    identity_by = models.ForeignKey(
        "identity.User",
        verbose_name=_("核验人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    face_check_id = models.BigIntegerField(_("人脸核验记录"), null=True, blank=True)
    admitted_at = models.DateTimeField(_("核验时间"))
    started_at = models.DateTimeField(_("开始作答时间"), null=True, blank=True)
    deadline = models.DateTimeField(_("结束时间"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("交卷时间"), null=True, blank=True)
    submitted_by = models.CharField(
        _("交卷方式"), max_length=10, choices=SubmittedBy.choices, blank=True
    )

    class Meta:
        verbose_name = _("考试作答")
        verbose_name_plural = _("考试作答")
        ordering = ["registration_id"]
        indexes = [models.Index(fields=["status", "deadline"], name="assessment_attempt_due")]

    def __str__(self) -> str:
        return f"{self.registration_id}"


ATTEMPT_STATES = StateMachine(
    Attempt,
    {
        AttemptStatus.ADMITTED: {AttemptStatus.STARTED},
        AttemptStatus.STARTED: {AttemptStatus.SUBMITTED},
    },
    AttemptStatus,
    object_type=AuditObject.EXAM_ATTEMPT,
    audit_action=AuditAction.ATTEMPT_MOVE,
    describe=lambda a: "该考生的理论考试",
)


class Answer(models.Model):
    """The candidate's response to one paper item as last given: a save with a higher client
    sequence number replaces it, a lower or equal one is acknowledged without change."""

    attempt = models.ForeignKey(
        Attempt, verbose_name=_("考试作答"), on_delete=models.PROTECT, related_name="answers"
    )
    entry = models.ForeignKey(
        PaperItem, verbose_name=_("试卷试题"), on_delete=models.PROTECT, related_name="+"
    )
    response = models.JSONField(_("作答"), null=True, blank=True)
    seq = models.PositiveBigIntegerField(_("客户端序号"))
    saved_at = models.DateTimeField(_("保存时间"))

    class Meta:
        verbose_name = _("作答记录")
        verbose_name_plural = _("作答记录")
        ordering = ["attempt_id", "entry_id"]
        constraints = [
            models.UniqueConstraint(fields=["attempt", "entry"], name="assessment_answer_once")
        ]

    def __str__(self) -> str:
        return f"{self.attempt_id} {self.entry_id}"


class EvidenceKind(models.TextChoices):
    TAB_HIDDEN = "tab_hidden", _("切换到其他页面")
    COPY = "copy", _("复制")
    PASTE = "paste", _("粘贴")
    FULLSCREEN_EXIT = "fullscreen_exit", _("退出全屏")


class EvidenceEvent(models.Model):
    """Something the invigilator should know about; evidence only, never an automatic fail."""

    attempt = models.ForeignKey(
        Attempt, verbose_name=_("考试作答"), on_delete=models.PROTECT, related_name="events"
    )
    kind = models.CharField(_("类型"), max_length=16, choices=EvidenceKind.choices)
    at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("考场异常记录")
        verbose_name_plural = _("考场异常记录")
        ordering = ["attempt_id", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.attempt_id} {self.kind}"
