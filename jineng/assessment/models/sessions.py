"""Exam sessions (考务): licences, application conditions, staffing rules, assessors, sessions, registrations and staff."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from jineng.audit.vocabulary import AuditAction, AuditObject
from jineng.core.states import StateMachine
from jineng.reference.models import SkillLevel

# --- Exam sessions (考务, issue 9 §3) -------------------------------------------------------


class AssessmentPart(models.TextChoices):
    THEORY = "theory", _("理论知识考试")
    PRACTICAL = "practical", _("操作技能考核")
    PANEL = "panel", _("综合评审")


class AssessmentLicence(models.Model):
    """The occupations and levels an organisation may assess (its licence scope, 认定范围)."""

    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("评价机构"),
        on_delete=models.PROTECT,
        related_name="assessment_licences",
    )
    occupation = models.ForeignKey(
        "reference.Occupation", verbose_name=_("职业"), on_delete=models.PROTECT, related_name="+"
    )
    levels = models.CharField(_("可认定等级"), max_length=8)  # level codes, e.g. "543"
    valid_from = models.DateField(_("有效期起"))
    valid_to = models.DateField(_("有效期止"), null=True, blank=True)

    class Meta:
        verbose_name = _("认定范围")
        verbose_name_plural = _("认定范围")
        ordering = ["organisation_id", "occupation_id"]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.occupation_id} {self.levels}"


class ApplicationCondition(models.Model):
    """One way to qualify for a level (申报条件), as data: the next lower certificate of the
    occupation held, and/or years worked in it. A level with several conditions is open to
    whoever meets any one; an occupation without its own conditions uses those with no
    occupation (the national defaults)."""

    occupation = models.ForeignKey(
        "reference.Occupation",
        verbose_name=_("职业"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    level = models.CharField(_("申报等级"), max_length=1, choices=SkillLevel.choices)
    lower_certificate = models.BooleanField(_("须持下一级证书"), default=False)
    min_years = models.PositiveSmallIntegerField(_("本职业工作年限（年）"), default=0)
    description = models.CharField(_("条件说明"), max_length=200)

    class Meta:
        verbose_name = _("申报条件")
        verbose_name_plural = _("申报条件")
        ordering = ["occupation_id", "level", "pk"]

    def __str__(self) -> str:
        return self.description


class StaffingRule(models.Model):
    """考务人员配备 for one part of an occupation's assessments, overriding
    `ASSESSMENT_STAFFING_DEFAULTS`: one per `per_candidates` candidates, at least `minimum`, at
    least `per_room` in each room, an odd number when `odd`."""

    occupation = models.ForeignKey(
        "reference.Occupation", verbose_name=_("职业"), on_delete=models.PROTECT, related_name="+"
    )
    part = models.CharField(_("考核环节"), max_length=10, choices=AssessmentPart.choices)
    per_candidates = models.PositiveSmallIntegerField(_("每多少名考生配1人"), default=0)
    minimum = models.PositiveSmallIntegerField(_("最少人数"), default=0)
    per_room = models.PositiveSmallIntegerField(_("每考场最少人数"), default=0)
    odd = models.BooleanField(_("须为奇数"), default=False)
    # 回避: refuse staff employed by an organisation that employs one of the candidates.
    recusal = models.BooleanField(_("本单位人员回避"), default=False)
    # The panel review scores candidates under their code, not their name (综合评审匿名).
    anonymous = models.BooleanField(_("匿名评审"), default=False)

    class Meta:
        verbose_name = _("考务人员配备规则")
        verbose_name_plural = _("考务人员配备规则")
        constraints = [
            models.UniqueConstraint(
                fields=["occupation", "part"], name="assessment_staffing_unique_part"
            )
        ]

    def __str__(self) -> str:
        return f"{self.occupation_id} {self.part}"


class AssessorQualification(models.Model):
    """A person's qualification as assessor (考评员) for an occupation, valid between two dates."""

    person = models.ForeignKey(
        "identity.Person", verbose_name=_("考评员"), on_delete=models.PROTECT, related_name="+"
    )
    occupation = models.ForeignKey(
        "reference.Occupation", verbose_name=_("职业"), on_delete=models.PROTECT, related_name="+"
    )
    valid_from = models.DateField(_("有效期起"))
    valid_to = models.DateField(_("有效期止"))

    class Meta:
        verbose_name = _("考评员资格")
        verbose_name_plural = _("考评员资格")
        ordering = ["person_id", "-valid_to"]

    def __str__(self) -> str:
        return f"{self.person_id} {self.occupation_id}"


class SessionStatus(models.TextChoices):
    PLANNED = "planned", _("计划中")
    OPEN = "open", _("已开考")
    CLOSED = "closed", _("已结束")
    CANCELLED = "cancelled", _("已取消")


class ExamSession(models.Model):
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("评价机构"),
        on_delete=models.PROTECT,
        related_name="exam_sessions",
    )
    occupation = models.ForeignKey(
        "reference.Occupation", verbose_name=_("职业"), on_delete=models.PROTECT, related_name="+"
    )
    level = models.CharField(_("等级"), max_length=1, choices=SkillLevel.choices)
    parts = models.JSONField(_("考核环节"), default=list)
    starts_at = models.DateTimeField(_("开考时间"))
    venue = models.CharField(_("考点"), max_length=200)
    rooms = models.PositiveSmallIntegerField(_("考场数"), default=1)
    capacity = models.PositiveIntegerField(_("容量（人）"))
    status = models.CharField(
        _("状态"), max_length=10, choices=SessionStatus.choices, default=SessionStatus.PLANNED
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("考试批次")
        verbose_name_plural = _("考试批次")
        ordering = ["-starts_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.occupation_id} {self.level} {self.starts_at:%Y-%m-%d}"


SESSION_STATES = StateMachine(
    ExamSession,
    {
        SessionStatus.PLANNED: {SessionStatus.OPEN, SessionStatus.CANCELLED},
        SessionStatus.OPEN: {SessionStatus.CLOSED},
    },
    SessionStatus,
    object_type=AuditObject.EXAM_SESSION,
    audit_action=AuditAction.UPDATE,
    describe=lambda s: f"{s.starts_at:%Y年%m月%d日}{s.venue}的考试批次",
)


class Registration(models.Model):
    session = models.ForeignKey(
        ExamSession,
        verbose_name=_("考试批次"),
        on_delete=models.PROTECT,
        related_name="registrations",
    )
    person = models.ForeignKey(
        "identity.Person", verbose_name=_("考生"), on_delete=models.PROTECT, related_name="+"
    )
    condition = models.ForeignKey(
        ApplicationCondition,
        verbose_name=_("符合的申报条件"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    registered_at = models.DateTimeField(_("报名时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("报名")
        verbose_name_plural = _("报名")
        ordering = ["session_id", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "person"], name="assessment_registration_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.session_id} {self.person_id}"


class SessionStaff(models.Model):
    session = models.ForeignKey(
        ExamSession, verbose_name=_("考试批次"), on_delete=models.CASCADE, related_name="staff"
    )
    part = models.CharField(_("考核环节"), max_length=10, choices=AssessmentPart.choices)
    person = models.ForeignKey(
        "identity.Person", verbose_name=_("考务人员"), on_delete=models.PROTECT, related_name="+"
    )
    # The panel's chair (评审组长) sees whether every member has scored every candidate.
    chair = models.BooleanField(_("评审组长"), default=False)

    class Meta:
        verbose_name = _("考务人员")
        verbose_name_plural = _("考务人员")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "part", "person"], name="assessment_staff_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.session_id} {self.part} {self.person_id}"
