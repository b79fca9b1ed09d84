"""Question banks (题库), knowledge points (鉴定要素) and versioned items with their review."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jineng.audit.vocabulary import AuditAction, AuditObject
from jineng.core.states import StateMachine
from jineng.reference.models import SkillLevel


class FilingStatus(models.TextChoices):
    UNFILED = "unfiled", _("未备案")
    REQUESTED = "requested", _("已申请备案")  # the developer asked; the bureau decides
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
        FilingStatus.UNFILED: {FilingStatus.REQUESTED, FilingStatus.FILED},
        # the bureau files the bank, or sends the request back with its reason
        FilingStatus.REQUESTED: {FilingStatus.FILED, FilingStatus.UNFILED},
        FilingStatus.FILED: {FilingStatus.WITHDRAWN},
        FilingStatus.WITHDRAWN: {FilingStatus.REQUESTED, FilingStatus.FILED},
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
