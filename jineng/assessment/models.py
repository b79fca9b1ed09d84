"""Question banks (题库), their knowledge points (鉴定要素), items with versions and review,
blueprints (组卷规则) and the papers drawn from them, stored so any result can be reproduced.

An item that has been drawn into a paper is never edited: `item_supersede` makes a new version
(`supersedes` → the old one), which is reviewed like any item; its approval retires the old one.
The paper keeps the exact version and option order of every item it drew.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from jineng.audit.vocabulary import AuditAction, AuditObject
from jineng.core.states import StateMachine
from jineng.reference.models import SkillLevel


class FilingStatus(models.TextChoices):
    UNFILED = "unfiled", _("未备案")
    FILED = "filed", _("已备案")
    WITHDRAWN = "withdrawn", _("已撤销备案")


class QuestionBank(models.Model):
    """One bank per occupation and level, developed by an organisation."""

    name = models.CharField(_("题库名称"), max_length=100)
    occupation = models.ForeignKey(
        "reference.Occupation", verbose_name=_("职业"), on_delete=models.PROTECT, related_name="+"
    )
    level = models.CharField(_("等级"), max_length=1, choices=SkillLevel.choices)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("开发机构"),
        on_delete=models.PROTECT,
        related_name="question_banks",
    )
    filing_status = models.CharField(
        _("备案状态"), max_length=10, choices=FilingStatus.choices, default=FilingStatus.UNFILED
    )
    filed_on = models.DateField(_("备案日期"), null=True, blank=True)
    filing_reference = models.CharField(_("备案文号"), max_length=60, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("题库")
        verbose_name_plural = _("题库")
        ordering = ["occupation_id", "level", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "occupation", "level", "name"],
                name="assessment_bank_unique_name",
            )
        ]

    def __str__(self) -> str:
        return self.name


BANK_FILING_STATES = StateMachine(
    QuestionBank,
    {
        FilingStatus.UNFILED: {FilingStatus.FILED},
        FilingStatus.FILED: {FilingStatus.WITHDRAWN},
        FilingStatus.WITHDRAWN: {FilingStatus.FILED},
    },
    FilingStatus,
    field="filing_status",
    object_type=AuditObject.QUESTION_BANK,
    audit_action=AuditAction.BANK_FILE,
    describe=lambda bank: f"题库「{bank.name}」",
)


class KnowledgePoint(models.Model):
    """A node of the bank's tree of 鉴定要素 (鉴定范围 → 鉴定点), with its code in the standard."""

    bank = models.ForeignKey(
        QuestionBank, verbose_name=_("题库"), on_delete=models.PROTECT, related_name="points"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级要素"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    code = models.CharField(_("要素代码"), max_length=30)
    name = models.CharField(_("要素名称"), max_length=100)

    class Meta:
        verbose_name = _("鉴定要素")
        verbose_name_plural = _("鉴定要素")
        ordering = ["bank_id", "code"]
        constraints = [
            models.UniqueConstraint(fields=["bank", "code"], name="assessment_point_unique_code")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ItemKind(models.TextChoices):
    SINGLE = "single", _("单项选择题")
    MULTIPLE = "multiple", _("多项选择题")
    TRUE_FALSE = "true_false", _("判断题")
    FILL_IN = "fill_in", _("填空题")
    SHORT_ANSWER = "short_answer", _("简答题")
    PRACTICAL = "practical", _("操作技能题")


OBJECTIVE_KINDS = frozenset(
    {ItemKind.SINGLE, ItemKind.MULTIPLE, ItemKind.TRUE_FALSE, ItemKind.FILL_IN}
)
CHOICE_KINDS = frozenset({ItemKind.SINGLE, ItemKind.MULTIPLE})


class Difficulty(models.IntegerChoices):
    EASY = 1, _("易")
    FAIRLY_EASY = 2, _("较易")
    MEDIUM = 3, _("中等")
    FAIRLY_HARD = 4, _("较难")
    HARD = 5, _("难")


class ItemStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待审核")
    APPROVED = "approved", _("审核通过")
    REJECTED = "rejected", _("已驳回")
    SUPERSEDED = "superseded", _("已被新版本替代")
    RETIRED = "retired", _("已停用")


class Item(models.Model):
    """One version of a question. `answer` holds the key in the item's own option order:
    single → option index; multiple → sorted indices; true/false → bool; fill-in → per blank the
    accepted answers. A practical task carries its scoring sheet (`sheet`: criteria with points
    and deductions)."""

    bank = models.ForeignKey(
        QuestionBank, verbose_name=_("题库"), on_delete=models.PROTECT, related_name="items"
    )
    point = models.ForeignKey(
        KnowledgePoint, verbose_name=_("鉴定要素"), on_delete=models.PROTECT, related_name="items"
    )
    kind = models.CharField(_("题型"), max_length=12, choices=ItemKind.choices)
    difficulty = models.PositiveSmallIntegerField(_("难度"), choices=Difficulty.choices)
    stem = models.TextField(_("题干"))
    options = models.JSONField(_("选项"), default=list, blank=True)
    answer = models.JSONField(_("标准答案"), null=True, blank=True)
    reference_answer = models.TextField(_("参考答案"), blank=True)
    sheet = models.JSONField(_("评分表"), default=list, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=ItemStatus.choices, default=ItemStatus.DRAFT
    )
    version = models.PositiveIntegerField(_("版本"), default=1)
    supersedes = models.OneToOneField(
        "self",
        verbose_name=_("替代的版本"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
    )
    exposure_count = models.PositiveIntegerField(_("被抽中次数"), default=0)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("命题人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    review_reason = models.CharField(_("审核意见"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("试题")
        verbose_name_plural = _("试题")
        ordering = ["bank_id", "pk"]
        indexes = [
            models.Index(
                fields=["bank", "status", "kind", "difficulty"], name="assessment_item_pool"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.stem[:20]}"


ITEM_STATES = StateMachine(
    Item,
    {
        ItemStatus.DRAFT: {ItemStatus.SUBMITTED, ItemStatus.RETIRED},
        ItemStatus.SUBMITTED: {ItemStatus.APPROVED, ItemStatus.REJECTED},
        ItemStatus.REJECTED: {ItemStatus.DRAFT, ItemStatus.SUBMITTED, ItemStatus.RETIRED},
        ItemStatus.APPROVED: {ItemStatus.SUPERSEDED, ItemStatus.RETIRED},
    },
    ItemStatus,
    object_type=AuditObject.QUESTION_ITEM,
    audit_action=AuditAction.UPDATE,
    describe=lambda item: f"试题（{item.get_kind_display()}，第{item.version}版）",
)


class BlueprintStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")
    RETIRED = "retired", _("已停用")


class Blueprint(models.Model):
    """组卷规则: sections of rules, drawn per candidate from a seed, or one fixed paper."""

    bank = models.ForeignKey(
        QuestionBank, verbose_name=_("题库"), on_delete=models.PROTECT, related_name="blueprints"
    )
    name = models.CharField(_("规则名称"), max_length=100)
    fixed = models.BooleanField(_("固定试卷"), default=False)
    shuffle_items = models.BooleanField(_("打乱题目顺序"), default=True)
    pass_line = models.DecimalField(
        _("合格分数线"),
        max_digits=6,
        decimal_places=2,
        default=Decimal("60"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=BlueprintStatus.choices, default=BlueprintStatus.DRAFT
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("组卷规则")
        verbose_name_plural = _("组卷规则")
        ordering = ["bank_id", "pk"]

    def __str__(self) -> str:
        return self.name


BLUEPRINT_STATES = StateMachine(
    Blueprint,
    {
        BlueprintStatus.DRAFT: {BlueprintStatus.PUBLISHED, BlueprintStatus.RETIRED},
        BlueprintStatus.PUBLISHED: {BlueprintStatus.RETIRED},
    },
    BlueprintStatus,
    object_type=AuditObject.BLUEPRINT,
    audit_action=AuditAction.UPDATE,
    describe=lambda bp: f"组卷规则「{bp.name}」",
)


class BlueprintSection(models.Model):
    blueprint = models.ForeignKey(
        Blueprint, verbose_name=_("组卷规则"), on_delete=models.CASCADE, related_name="sections"
    )
    position = models.PositiveSmallIntegerField(_("顺序"))
    title = models.CharField(_("部分名称"), max_length=60)
    kind = models.CharField(_("题型"), max_length=12, choices=ItemKind.choices)

    class Meta:
        verbose_name = _("试卷部分")
        verbose_name_plural = _("试卷部分")
        ordering = ["blueprint_id", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["blueprint", "position"], name="assessment_section_unique_position"
            )
        ]

    def __str__(self) -> str:
        return self.title


class BlueprintRule(models.Model):
    """`count` items of the section's kind at `difficulty` under `point`, `points` each."""

    section = models.ForeignKey(
        BlueprintSection, verbose_name=_("试卷部分"), on_delete=models.CASCADE, related_name="rules"
    )
    point = models.ForeignKey(
        KnowledgePoint, verbose_name=_("鉴定要素"), on_delete=models.PROTECT, related_name="+"
    )
    difficulty = models.PositiveSmallIntegerField(_("难度"), choices=Difficulty.choices)
    count = models.PositiveSmallIntegerField(_("题数"))
    points = models.DecimalField(_("每题分值"), max_digits=6, decimal_places=2)

    class Meta:
        verbose_name = _("抽题规则")
        verbose_name_plural = _("抽题规则")
        ordering = ["section_id", "pk"]

    def __str__(self) -> str:
        return f"{self.point_id} × {self.count}"


class FixedItem(models.Model):
    """An item of a fixed paper (a blueprint with `fixed`), in the section's order."""

    section = models.ForeignKey(
        BlueprintSection,
        verbose_name=_("试卷部分"),
        on_delete=models.CASCADE,
        related_name="fixed_items",
    )
    item = models.ForeignKey(
        Item, verbose_name=_("试题"), on_delete=models.PROTECT, related_name="+"
    )
    position = models.PositiveSmallIntegerField(_("顺序"))
    points = models.DecimalField(_("分值"), max_digits=6, decimal_places=2)

    class Meta:
        verbose_name = _("固定试卷试题")
        verbose_name_plural = _("固定试卷试题")
        ordering = ["section_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["section", "item"], name="assessment_fixed_unique_item")
        ]

    def __str__(self) -> str:
        return f"{self.section_id} {self.position + 1}"


class Paper(models.Model):
    """A candidate's paper as drawn: the seed, and (in `PaperItem`) each item version, its points
    and its option order — everything needed to show it again or score it again."""

    blueprint = models.ForeignKey(
        Blueprint, verbose_name=_("组卷规则"), on_delete=models.PROTECT, related_name="papers"
    )
    candidate = models.ForeignKey(
        "identity.Person", verbose_name=_("考生"), on_delete=models.PROTECT, related_name="+"
    )
    seed = models.CharField(_("抽题种子"), max_length=64)
    drawn_at = models.DateTimeField(_("抽取时间"), auto_now_add=True)
    scored_at = models.DateTimeField(_("评分时间"), null=True, blank=True)
    objective_score = models.DecimalField(
        _("客观题得分"), max_digits=7, decimal_places=2, null=True, blank=True
    )

    class Meta:
        verbose_name = _("试卷")
        verbose_name_plural = _("试卷")
        ordering = ["-drawn_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["blueprint", "candidate"], name="assessment_one_paper_per_candidate"
            )
        ]

    def __str__(self) -> str:
        return f"{self.blueprint} {self.candidate_id}"


class PaperItem(models.Model):
    paper = models.ForeignKey(
        Paper, verbose_name=_("试卷"), on_delete=models.PROTECT, related_name="entries"
    )
    section = models.ForeignKey(
        BlueprintSection, verbose_name=_("试卷部分"), on_delete=models.PROTECT, related_name="+"
    )
    position = models.PositiveSmallIntegerField(_("部分内顺序"))
    item = models.ForeignKey(
        Item, verbose_name=_("试题（版本）"), on_delete=models.PROTECT, related_name="paper_entries"
    )
    points = models.DecimalField(_("分值"), max_digits=6, decimal_places=2)
    option_order = models.JSONField(_("选项顺序"), default=list)
    response = models.JSONField(_("作答"), null=True, blank=True)
    score = models.DecimalField(_("得分"), max_digits=6, decimal_places=2, null=True, blank=True)

    class Meta:
        verbose_name = _("试卷试题")
        verbose_name_plural = _("试卷试题")
        ordering = ["paper_id", "section__position", "position"]
        constraints = [
            models.UniqueConstraint(fields=["paper", "item"], name="assessment_paper_item_once"),
            models.UniqueConstraint(
                fields=["paper", "section", "position"], name="assessment_paper_position_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.paper_id} {self.section_id} {self.position + 1}"


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
