"""Marking and results (issue 9 §5): anonymous double marking of short answers and practical
sheets (a third assessor when the first two differ by more than the margin), the panel review
scored by each member, each part's result out of 100, reviewed corrections, and the results'
publication (公示) with objections until they are final."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from jineng.assessment.models.banks import Item
from jineng.assessment.models.papers import PaperItem
from jineng.assessment.models.sessions import AssessmentPart, ExamSession, Registration
from jineng.audit.vocabulary import AuditAction, AuditObject
from jineng.core.states import StateMachine


class PassMark(models.Model):
    """The pass mark of one part of an occupation's assessments, when its standard sets one other
    than `ASSESSMENT_PART_PASS_MARK` (60 of 100)."""

    occupation = models.ForeignKey(
        "reference.Occupation", verbose_name=_("职业"), on_delete=models.PROTECT, related_name="+"
    )
    part = models.CharField(_("考核环节"), max_length=10, choices=AssessmentPart.choices)
    pass_mark = models.DecimalField(_("合格分数（百分制）"), max_digits=5, decimal_places=2)

    class Meta:
        verbose_name = _("合格分数")
        verbose_name_plural = _("合格分数")
        constraints = [
            models.UniqueConstraint(fields=["occupation", "part"], name="assessment_pass_mark_once")
        ]

    def __str__(self) -> str:
        return f"{self.occupation_id} {self.part}"


class MarkingTask(models.Model):
    """One answer to be marked by assessors who see only `candidate_code`, never the name: a
    short answer of a theory paper (`entry`) or the practical task's scoring sheet."""

    registration = models.ForeignKey(
        Registration, verbose_name=_("报名"), on_delete=models.PROTECT, related_name="tasks"
    )
    part = models.CharField(_("考核环节"), max_length=10, choices=AssessmentPart.choices)
    item = models.ForeignKey(
        Item, verbose_name=_("试题（版本）"), on_delete=models.PROTECT, related_name="+"
    )
    entry = models.OneToOneField(
        PaperItem,
        verbose_name=_("试卷试题"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="task",
    )
    points = models.DecimalField(_("分值"), max_digits=6, decimal_places=2)
    candidate_code = models.CharField(_("考生密号"), max_length=12)
    final_score = models.DecimalField(
        _("评定得分"), max_digits=6, decimal_places=2, null=True, blank=True
    )

    class Meta:
        verbose_name = _("评分任务")
        verbose_name_plural = _("评分任务")
        ordering = ["candidate_code", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "part", "item"], name="assessment_task_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.candidate_code} {self.item_id}"


class Mark(models.Model):
    """One assessor's independent mark (round 1 and 2; round 3 when they differ too much)."""

    task = models.ForeignKey(
        MarkingTask, verbose_name=_("评分任务"), on_delete=models.PROTECT, related_name="marks"
    )
    assessor = models.ForeignKey(
        "identity.User", verbose_name=_("考评员"), on_delete=models.PROTECT, related_name="+"
    )
    round = models.PositiveSmallIntegerField(_("评次"))
    score = models.DecimalField(_("得分"), max_digits=6, decimal_places=2)
    criteria = models.JSONField(_("评分表各项得分"), default=list)
    marked_at = models.DateTimeField(_("评分时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("评分")
        verbose_name_plural = _("评分")
        ordering = ["task_id", "round"]
        constraints = [
            models.UniqueConstraint(fields=["task", "assessor"], name="assessment_mark_once"),
            models.UniqueConstraint(fields=["task", "round"], name="assessment_mark_round_once"),
        ]

    def __str__(self) -> str:
        return f"{self.task_id} {self.round}"


class PanelScore(models.Model):
    """A panel member's score (of 100) of one candidate's 综合评审."""

    registration = models.ForeignKey(
        Registration, verbose_name=_("报名"), on_delete=models.PROTECT, related_name="panel_scores"
    )
    member = models.ForeignKey(
        "identity.User", verbose_name=_("评审委员"), on_delete=models.PROTECT, related_name="+"
    )
    score = models.DecimalField(_("得分"), max_digits=5, decimal_places=2)
    criteria = models.JSONField(_("各评审项得分"), default=list)
    comment = models.CharField(_("评审意见"), max_length=500, blank=True)
    scored_at = models.DateTimeField(_("评分时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("综合评审评分")
        verbose_name_plural = _("综合评审评分")
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "member"], name="assessment_panel_score_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.registration_id} {self.member_id}"


class PartResult(models.Model):
    """A part's result out of 100 against its pass mark; changed afterwards only by a reviewed
    `ScoreCorrection`."""

    registration = models.ForeignKey(
        Registration, verbose_name=_("报名"), on_delete=models.PROTECT, related_name="results"
    )
    part = models.CharField(_("考核环节"), max_length=10, choices=AssessmentPart.choices)
    score = models.DecimalField(_("成绩（百分制）"), max_digits=5, decimal_places=2)
    pass_mark = models.DecimalField(_("合格分数"), max_digits=5, decimal_places=2)
    passed = models.BooleanField(_("合格"))
    # A retake's part kept from an earlier session (单科成绩保留): the result copied from there.
    retained_from = models.ForeignKey(
        "self",
        verbose_name=_("保留自"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    compiled_at = models.DateTimeField(_("汇总时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("考核成绩")
        verbose_name_plural = _("考核成绩")
        ordering = ["registration_id", "part"]
        constraints = [
            models.UniqueConstraint(fields=["registration", "part"], name="assessment_result_once")
        ]

    def __str__(self) -> str:
        return f"{self.registration_id} {self.part} {self.score}"


class CorrectionStatus(models.TextChoices):
    PENDING = "pending", _("待复核")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("已驳回")


class ScoreCorrection(models.Model):
    """A request to change a marked result, with its reason; applied only when another person
    approves it (four eyes)."""

    result = models.ForeignKey(
        PartResult, verbose_name=_("考核成绩"), on_delete=models.PROTECT, related_name="corrections"
    )
    old_score = models.DecimalField(_("原成绩"), max_digits=5, decimal_places=2)
    new_score = models.DecimalField(_("更正后成绩"), max_digits=5, decimal_places=2)
    reason = models.CharField(_("更正原因"), max_length=300)
    status = models.CharField(
        _("状态"),
        max_length=10,
        choices=CorrectionStatus.choices,
        default=CorrectionStatus.PENDING,
    )
    requested_by = models.ForeignKey(
        "identity.User", verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    reviewed_by = models.ForeignKey(
        "identity.User",
        verbose_name=_("复核人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("复核时间"), null=True, blank=True)
    review_note = models.CharField(_("复核意见"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("成绩更正")
        verbose_name_plural = _("成绩更正")
        ordering = ["-requested_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.result_id} {self.old_score}→{self.new_score}"


CORRECTION_STATES = StateMachine(
    ScoreCorrection,
    {CorrectionStatus.PENDING: {CorrectionStatus.APPROVED, CorrectionStatus.REJECTED}},
    CorrectionStatus,
    object_type=AuditObject.SCORE_CORRECTION,
    audit_action=AuditAction.SCORE_CORRECTION_REVIEW,
    describe=lambda c: "该成绩更正申请",
)


class PublicationStatus(models.TextChoices):
    COMPILED = "compiled", _("待审核")
    REVIEWED = "reviewed", _("已审核")
    PUBLISHED = "published", _("公示中")
    FINAL = "final", _("已确认")


class ResultPublication(models.Model):
    """A session's results: compiled, reviewed by the organisation, published (公示) until
    `objection_until`, then final once every objection is answered."""

    session = models.OneToOneField(
        ExamSession,
        verbose_name=_("考试批次"),
        on_delete=models.PROTECT,
        related_name="publication",
    )
    status = models.CharField(
        _("状态"),
        max_length=10,
        choices=PublicationStatus.choices,
        default=PublicationStatus.COMPILED,
    )
    compiled_at = models.DateTimeField(_("汇总时间"), auto_now_add=True)
    reviewed_by = models.ForeignKey(
        "identity.User",
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    published_at = models.DateTimeField(_("公示时间"), null=True, blank=True)
    objection_until = models.DateField(_("公示截止日"), null=True, blank=True)
    finalised_at = models.DateTimeField(_("确认时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("成绩公示")
        verbose_name_plural = _("成绩公示")

    def __str__(self) -> str:
        return f"{self.session_id} {self.status}"


PUBLICATION_STATES = StateMachine(
    ResultPublication,
    {
        PublicationStatus.COMPILED: {PublicationStatus.REVIEWED},
        PublicationStatus.REVIEWED: {PublicationStatus.PUBLISHED},
        PublicationStatus.PUBLISHED: {PublicationStatus.FINAL},
    },
    PublicationStatus,
    object_type=AuditObject.RESULT_PUBLICATION,
    audit_action=AuditAction.RESULTS_MOVE,
    describe=lambda p: "该批次的成绩",
)


class ObjectionStatus(models.TextChoices):
    OPEN = "open", _("待答复")
    ANSWERED = "answered", _("已答复")


class Objection(models.Model):
    """An objection to published results (公示异议), recorded and answered."""

    publication = models.ForeignKey(
        ResultPublication,
        verbose_name=_("成绩公示"),
        on_delete=models.PROTECT,
        related_name="objections",
    )
    registration = models.ForeignKey(
        Registration,
        verbose_name=_("所涉报名"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="objections",
    )
    raised_by = models.ForeignKey(
        "identity.User", verbose_name=_("提出人"), on_delete=models.PROTECT, related_name="+"
    )
    text = models.CharField(_("异议内容"), max_length=500)
    raised_at = models.DateTimeField(_("提出时间"), auto_now_add=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=ObjectionStatus.choices, default=ObjectionStatus.OPEN
    )
    answer = models.CharField(_("答复"), max_length=500, blank=True)
    answered_by = models.ForeignKey(
        "identity.User",
        verbose_name=_("答复人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("公示异议")
        verbose_name_plural = _("公示异议")
        ordering = ["-raised_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.publication_id} {self.pk}"


OBJECTION_STATES = StateMachine(
    Objection,
    {ObjectionStatus.OPEN: {ObjectionStatus.ANSWERED}},
    ObjectionStatus,
    object_type=AuditObject.RESULT_OBJECTION,
    audit_action=AuditAction.RESULTS_OBJECTION_ANSWER,
    describe=lambda o: "该公示异议",
)
