"""Blueprints (组卷规则) and the papers drawn from them, stored so any result can be reproduced."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from jineng.assessment.models.banks import Difficulty, Item, ItemKind, KnowledgePoint, QuestionBank
from jineng.audit.vocabulary import AuditAction, AuditObject
from jineng.core.states import StateMachine


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
